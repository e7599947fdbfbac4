/**
 * The usage event: one request's ledger row, in the form settle appends it to the durable
 * queue (a Redis Stream entry is a flat map of strings) and the writer reads it back.
 *
 * The codec is table-driven so the field list lives in one place. Decoding VALIDATES every
 * field against what the `UsageRecord` columns accept: an entry that would make PostgreSQL
 * reject the INSERT (a NUL byte in a text, an amount wider than DECIMAL(24,18), an INT above
 * 2^31-1) must be caught here, or it would fail its whole batch again and again.
 */
import type { Usage } from '../core/usage.js';

export const COST_SOURCES = ['provider', 'computed', 'estimated', 'none'] as const;
export type CostSource = (typeof COST_SOURCES)[number];

/** The Usage kinds without a column of their own: kept in the `otherTokens` JSON column. */
export const OTHER_TOKEN_KINDS = [
  'toolUseInputTokens',
  'audioInputTokens',
  'imageInputTokens',
  'audioOutputTokens',
  'imageOutputTokens',
  'images',
  'audioSeconds',
  'characters',
  'totalTokens',
] as const;
export type OtherTokenKind = (typeof OTHER_TOKEN_KINDS)[number];
export type OtherTokens = Partial<Record<OtherTokenKind, number>>;

/** Every column of `UsageRecord` except the surrogate `id`. Undefined = unknown = NULL. */
export interface UsageEvent {
  requestId: string;
  createdAt: Date;
  apiKeyId?: string;
  userId?: string;
  teamId?: string;
  projectId?: string;
  organizationId?: string;
  provider: string;
  requestedModel?: string;
  responseModel?: string;
  endpoint: string;
  stream: boolean;
  status: number;
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  otherTokens?: OtherTokens;
  /** Decimal strings of USD, exact (from `attoToUsd`). */
  costInputUsd: string;
  costOutputUsd: string;
  costCachedUsd: string;
  costOtherUsd: string;
  costTotalUsd: string;
  computedCostUsd?: string;
  priceId?: string;
  priceSource: string;
  costSource: CostSource;
  latencyMs: number;
  ttftMs?: number;
  errorCode?: string;
}

/** Bumped when the encoding changes incompatibly; entries of another version dead-letter. */
export const EVENT_VERSION = '1';

type Kind = 'text' | 'int' | 'bool' | 'date' | 'usd' | 'costSource' | 'other';
interface Field {
  name: keyof UsageEvent;
  kind: Kind;
  required: boolean;
}

const f = (name: keyof UsageEvent, kind: Kind, required = false): Field => ({ name, kind, required });

/** Column order of the table, also used by the raw INSERT in rows.ts. */
export const EVENT_FIELDS: readonly Field[] = [
  f('requestId', 'text', true),
  f('createdAt', 'date', true),
  f('apiKeyId', 'text'),
  f('userId', 'text'),
  f('teamId', 'text'),
  f('projectId', 'text'),
  f('organizationId', 'text'),
  f('provider', 'text', true),
  f('requestedModel', 'text'),
  f('responseModel', 'text'),
  f('endpoint', 'text', true),
  f('stream', 'bool', true),
  f('status', 'int', true),
  f('inputTokens', 'int'),
  f('cachedInputTokens', 'int'),
  f('cacheWriteTokens', 'int'),
  f('outputTokens', 'int'),
  f('reasoningTokens', 'int'),
  f('otherTokens', 'other'),
  // The four parts default to "0" (the column default): omitted from the entry when zero.
  f('costInputUsd', 'usd', true),
  f('costOutputUsd', 'usd', true),
  f('costCachedUsd', 'usd', true),
  f('costOtherUsd', 'usd', true),
  f('costTotalUsd', 'usd', true),
  f('computedCostUsd', 'usd'),
  f('priceId', 'text'),
  f('priceSource', 'text', true),
  f('costSource', 'costSource', true),
  f('latencyMs', 'int', true),
  f('ttftMs', 'int'),
  f('errorCode', 'text'),
];

const ZERO_DEFAULT = new Set<string>(['costInputUsd', 'costOutputUsd', 'costCachedUsd', 'costOtherUsd']);
const MAX_INT4 = 2_147_483_647;
const MAX_TEXT = 1024;
/** DECIMAL(24,18): at most 6 digits before the point, 18 after; costs are never negative. */
const USD = /^\d{1,6}(?:\.\d{1,18})?$/;
const INT = /^(?:0|[1-9]\d{0,9})$/;
const EPOCH_MS = /^\d{1,15}$/;

/** Flat strings for a stream entry: undefined fields omitted, numbers in plain decimal. */
export function encodeUsageEvent(e: UsageEvent): Record<string, string> {
  const out: Record<string, string> = { v: EVENT_VERSION };
  const src = e as unknown as Record<string, unknown>;
  for (const { name, kind } of EVENT_FIELDS) {
    const value = src[name];
    if (value === undefined || value === null) continue;
    if (ZERO_DEFAULT.has(name) && value === '0') continue;
    switch (kind) {
      case 'date':
        out[name] = String((value as Date).getTime());
        break;
      case 'bool':
        out[name] = value ? '1' : '0';
        break;
      case 'other':
        out[name] = JSON.stringify(value);
        break;
      default:
        out[name] = String(value);
    }
  }
  return out;
}

export type DecodeResult = { ok: true; event: UsageEvent } | { ok: false; error: string };

/** Parses and validates one entry; never throws. Unknown fields are ignored (newer writers). */
export function decodeUsageEvent(fields: Record<string, string>): DecodeResult {
  const version = fields.v;
  if (version !== undefined && version !== EVENT_VERSION) return fail('v', `unknown version ${version}`);
  const out: Record<string, unknown> = {};
  for (const { name, kind, required } of EVENT_FIELDS) {
    const raw = fields[name];
    if (raw === undefined) {
      if (ZERO_DEFAULT.has(name)) out[name] = '0';
      else if (required) return fail(name, 'missing');
      continue;
    }
    const parsed = parseField(kind, raw);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) return fail(name, parsed.error);
    out[name] = parsed;
  }
  return { ok: true, event: out as unknown as UsageEvent };
}

function fail(field: string, why: string): { ok: false; error: string } {
  return { ok: false, error: `${field}: ${why}` };
}

type Parsed = string | number | boolean | Date | OtherTokens | { error: string };

function parseField(kind: Kind, raw: string): Parsed {
  switch (kind) {
    case 'text':
      if (raw.length === 0 || raw.length > MAX_TEXT) return { error: 'empty or too long' };
      // PostgreSQL text cannot hold NUL: it would fail the whole INSERT.
      if (raw.includes('\u0000')) return { error: 'contains NUL' };
      return raw;
    case 'int': {
      const n = Number(raw);
      return INT.test(raw) && n <= MAX_INT4 ? n : { error: `not an INT4 >= 0: ${clip(raw)}` };
    }
    case 'bool':
      return raw === '1' ? true : raw === '0' ? false : { error: `not 0/1: ${clip(raw)}` };
    case 'date': {
      const d = new Date(Number(raw));
      return EPOCH_MS.test(raw) && !Number.isNaN(d.getTime()) ? d : { error: `not epoch ms: ${clip(raw)}` };
    }
    case 'usd':
      return USD.test(raw) ? raw : { error: `not a DECIMAL(24,18) >= 0: ${clip(raw)}` };
    case 'costSource':
      return (COST_SOURCES as readonly string[]).includes(raw) ? raw : { error: `unknown: ${clip(raw)}` };
    case 'other':
      return parseOther(raw);
  }
}

function parseOther(raw: string): OtherTokens | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not an object' };
  const out: OtherTokens = {};
  for (const [key, n] of Object.entries(value)) {
    if (!(OTHER_TOKEN_KINDS as readonly string[]).includes(key)) return { error: `unknown kind ${clip(key)}` };
    // audioSeconds may be fractional; every other kind is a count.
    const ok = typeof n === 'number' && Number.isFinite(n) && n >= 0 && (key === 'audioSeconds' || Number.isInteger(n));
    if (!ok) return { error: `bad ${key}` };
    out[key as OtherTokenKind] = n;
  }
  return out;
}

function clip(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** Splits a canonical Usage into the token columns and `otherTokens` (undefined when empty). */
export function tokenColumns(
  usage: Usage | undefined,
): Pick<UsageEvent, 'inputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens' | 'otherTokens'> {
  if (!usage) return {};
  const other: OtherTokens = {};
  for (const kind of OTHER_TOKEN_KINDS) {
    const n = usage[kind];
    if (n !== undefined) other[kind] = n;
  }
  return {
    inputTokens: usage.inputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.reasoningTokens,
    otherTokens: Object.keys(other).length > 0 ? other : undefined,
  };
}
