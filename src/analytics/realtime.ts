/**
 * Real-time figures for the last minutes, read from the ledger itself (its createdAt index
 * makes a few minutes cheap), so they do not wait for the next rollup pass.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { isoText, trimUsd, type Filters } from './sql.js';

const COLUMNS: Record<keyof Filters, string> = {
  organizationId: '"organizationId"',
  projectId: '"projectId"',
  teamId: '"teamId"',
  userId: '"userId"',
  apiKeyId: '"apiKeyId"',
  provider: 'provider',
  model: '"requestedModel"',
};

export async function realtime(prisma: PrismaClient, minutes: number, filters: Filters, now = new Date()) {
  const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000);
  const params: unknown[] = [since.toISOString()];
  const where = ['"createdAt" >= $1::timestamp'];
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = filters[name as keyof Filters];
    if (value !== undefined) where.push(`${column} = $${params.push(value)}`);
  }
  const measures = `count(*)::bigint AS requests,
    count(*) FILTER (WHERE status >= 400 OR "errorCode" IS NOT NULL)::bigint AS errors,
    coalesce(sum("costTotalUsd"), 0)::text AS cost,
    coalesce(sum("inputTokens"), 0)::bigint AS input, coalesce(sum("outputTokens"), 0)::bigint AS output,
    percentile_disc(0.95) WITHIN GROUP (ORDER BY "latencyMs") AS p95`;
  const w = where.join(' AND ');
  const [perMinute, overall, models] = await Promise.all([
    prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT ${isoText(`date_trunc('minute', "createdAt")`)} AS minute, ${measures} FROM "UsageRecord" WHERE ${w} GROUP BY 1 ORDER BY 1`, ...params),
    prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT ${measures} FROM "UsageRecord" WHERE ${w}`, ...params),
    prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
      `SELECT provider, coalesce("requestedModel", '') AS model, count(*)::bigint AS requests, coalesce(sum("costTotalUsd"), 0)::text AS cost
         FROM "UsageRecord" WHERE ${w} GROUP BY 1, 2 ORDER BY sum("costTotalUsd") DESC NULLS LAST LIMIT 10`,
      ...params,
    ),
  ]);
  const figures = (r: Record<string, unknown> | undefined) => ({
    requests: Number(r?.requests ?? 0),
    errors: Number(r?.errors ?? 0),
    costUsd: trimUsd((r?.cost as string) ?? '0'),
    inputTokens: Number(r?.input ?? 0),
    outputTokens: Number(r?.output ?? 0),
    p95LatencyMs: r?.p95 === null || r?.p95 === undefined ? null : Number(r.p95),
  });
  const byMinute = new Map(perMinute.map((r) => [String(r.minute), r]));
  const points = Array.from({ length: minutes }, (_, i) => {
    const start = new Date(since.getTime() + i * 60_000).toISOString().replace('.000Z', 'Z');
    return { start, ...figures(byMinute.get(start)) };
  });
  const total = figures(overall[0]);
  return {
    since: since.toISOString(),
    minutes,
    totals: { ...total, requestsPerMinute: Math.round((total.requests / minutes) * 100) / 100 },
    perMinute: points,
    topModels: models.map((m) => ({ provider: m.provider, model: m.model, requests: Number(m.requests), costUsd: trimUsd(m.cost as string) })),
  };
}
