/**
 * SQL over the rollup tables. Every query sums the same measures; sums of NUMERIC are exact,
 * and costs leave PostgreSQL as text so no float ever touches money.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { segments, type Grain, type Range, type Segment } from './range.js';

/** Grouping dimensions and their column in the rollups ('' means "none"). */
export const DIMENSIONS = {
  provider: '"provider"',
  model: '"model"',
  organization: '"organizationId"',
  project: '"projectId"',
  team: '"teamId"',
  user: '"userId"',
  key: '"apiKeyId"',
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as Dimension[];

/** Filters accepted by every endpoint, each an equality on its column. */
export const FILTERS = {
  organizationId: '"organizationId"',
  projectId: '"projectId"',
  teamId: '"teamId"',
  userId: '"userId"',
  apiKeyId: '"apiKeyId"',
  provider: '"provider"',
  model: '"model"',
} as const;
export type Filters = Partial<Record<keyof typeof FILTERS, string>>;

const COUNT_MEASURES = ['requests', 'errors', 'fallbackPriced', 'inputTokens', 'cachedInputTokens', 'cacheWriteTokens', 'outputTokens', 'reasoningTokens', 'latencyMsSum'] as const;
const COST_MEASURES = ['costInputUsd', 'costOutputUsd', 'costCachedUsd', 'costOtherUsd', 'costTotalUsd'] as const;

export interface Measures {
  requests: number;
  errors: number;
  fallbackPriced: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Mean latency in ms (null without requests). */
  avgLatencyMs: number | null;
  costInputUsd: string;
  costOutputUsd: string;
  costCachedUsd: string;
  costOtherUsd: string;
  costTotalUsd: string;
}

const INNER = [...COUNT_MEASURES, ...COST_MEASURES].map((m) => `sum("${m}") AS "${m}"`).join(', ');
const OUTER = [
  ...COUNT_MEASURES.map((m) => `coalesce(sum("${m}"), 0)::bigint AS "${m}"`),
  ...COST_MEASURES.map((m) => `coalesce(sum("${m}"), 0)::text AS "${m}"`),
].join(', ');

/** "12.340000000000000000" → "12.34"; exact, no float. */
export function trimUsd(text: string | null | undefined): string {
  if (!text) return '0';
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '' || trimmed === '-0' ? '0' : trimmed;
}

export function measuresOf(row: Record<string, unknown>): Measures {
  const n = (k: string) => Number(row[k] ?? 0);
  const requests = n('requests');
  return {
    requests,
    errors: n('errors'),
    fallbackPriced: n('fallbackPriced'),
    inputTokens: n('inputTokens'),
    cachedInputTokens: n('cachedInputTokens'),
    cacheWriteTokens: n('cacheWriteTokens'),
    outputTokens: n('outputTokens'),
    reasoningTokens: n('reasoningTokens'),
    avgLatencyMs: requests > 0 ? Math.round(n('latencyMsSum') / requests) : null,
    costInputUsd: trimUsd(row.costInputUsd as string),
    costOutputUsd: trimUsd(row.costOutputUsd as string),
    costCachedUsd: trimUsd(row.costCachedUsd as string),
    costOtherUsd: trimUsd(row.costOtherUsd as string),
    costTotalUsd: trimUsd(row.costTotalUsd as string),
  };
}

export type Bucket = 'hour' | 'day' | 'week';

export interface RollupQuery {
  range: Range;
  filters?: Filters;
  /** Output keys: alias → a column (or expression over columns) to group by. */
  keys?: Record<string, string>;
  /** Also group by time: each row gets `bucket`, the bucket's start (ISO, UTC). */
  bucket?: Bucket;
  /** ORDER BY of the outer query, e.g. `"costTotalUsd" DESC`. */
  orderBy?: string;
  limit?: number;
}

/** Columns only the per-key rollups have. */
const KEY_ONLY = ['"apiKeyId"', '"userId"'];

/** The per-team rollups answer unless the query groups or filters by key or user. */
export function grainOf(q: Pick<RollupQuery, 'keys' | 'filters'>): Grain {
  const filtered = Object.entries(FILTERS).filter(([name]) => q.filters?.[name as keyof Filters] !== undefined).map(([, column]) => column);
  const used = [...Object.values(q.keys ?? {}), ...filtered];
  return used.some((expr) => KEY_ONLY.some((column) => expr.includes(column))) ? 'key' : 'team';
}

function where(segment: Segment, filters: Filters, params: unknown[]): string {
  const p = (v: unknown, cast = '') => `$${params.push(v)}${cast}`;
  const parts = [`${segment.column} >= ${p(segment.from.toISOString(), '::timestamp')}`, `${segment.column} < ${p(segment.to.toISOString(), '::timestamp')}`];
  for (const [name, column] of Object.entries(FILTERS)) {
    const value = filters[name as keyof Filters];
    if (value !== undefined) parts.push(`${column} = ${p(value)}`);
  }
  return parts.join(' AND ');
}

/**
 * Builds one grouped query over the segments of the range: each segment is grouped on its own
 * (by time, as a timestamp, and the keys), then the parts are summed. Buckets become text only
 * at the very end, so grouping compares timestamps, not strings.
 */
export function buildRollupQuery(q: RollupQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const keys = Object.entries(q.keys ?? {});
  const segs = segments(q.range, q.bucket === 'hour', grainOf(q));
  const timeOf = (column: string) => (q.bucket === 'hour' ? column : `date_trunc('${q.bucket}', ${column})`);
  const innerKeys = (column: string | null) => [
    ...(q.bucket ? [`${column ? timeOf(column) : 'NULL::timestamp'} AS "bucketStart"`] : []),
    ...keys.map(([alias, expr]) => `${column ? expr : 'NULL::text'} AS "${alias}"`),
  ];
  const groupCount = keys.length + (q.bucket ? 1 : 0);
  const parts = segs.map((segment) => {
    const group = groupCount > 0 ? ` GROUP BY ${Array.from({ length: groupCount }, (_, i) => i + 1).join(', ')}` : '';
    return `SELECT ${[...innerKeys(segment.column), INNER].join(', ')} FROM ${segment.table} WHERE ${where(segment, q.filters ?? {}, params)}${group}`;
  });
  // An empty range still answers with zero totals.
  const inner = parts.length > 0 ? parts.join(' UNION ALL ') : `SELECT ${[...innerKeys(null), INNER].join(', ')} FROM "UsageHourly" WHERE false`;
  const outerKeys = [...(q.bucket ? [`${isoText('"bucketStart"')} AS "bucket"`] : []), ...keys.map(([alias]) => `"${alias}"`)];
  const groupBy = [...(q.bucket ? ['"bucketStart"'] : []), ...keys.map(([alias]) => `"${alias}"`)];
  let sql = `SELECT ${[...outerKeys, OUTER].join(', ')} FROM (${inner}) s`;
  if (groupBy.length > 0) sql += ` GROUP BY ${groupBy.join(', ')}`;
  if (q.orderBy) sql += ` ORDER BY ${q.orderBy}`;
  else if (q.bucket) sql += ` ORDER BY "bucketStart"`;
  if (q.limit) sql += ` LIMIT ${Math.max(1, Math.floor(q.limit))}`;
  return { sql, params };
}

export async function runRollupQuery(prisma: PrismaClient, q: RollupQuery): Promise<Array<Record<string, unknown>>> {
  const { sql, params } = buildRollupQuery(q);
  return prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(sql, ...params);
}

/** The SQL text of an ISO timestamp for a time expression (rollup times are UTC). */
export const isoText = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
