/**
 * The query of GET /admin/usage, validated: before this, `limit=abc` reached the database as
 * NaN and `since=garbage` as an Invalid Date (a 500). Each parameter is optional; anything
 * present must be well formed, or the caller gets a 400 saying which parameter and why.
 *
 * - limit: a whole number from 1 to MAX_RECENT (1000), default DEFAULT_LIMIT; the same range
 *   as `tollgate usage recent --limit`.
 * - since: an ISO 8601 date (`2026-11-20`, midnight UTC) or date-time with `Z` or an offset
 *   (`2026-11-20T08:00:00Z`, `2026-11-20T09:00:00+01:00`). Nothing else: `Date` would accept
 *   "1" or "Tuesday" and answer rows from a time nobody meant.
 * - provider, model (requested or response model), keyId: exact values, 1 to 200 characters.
 *
 * A parameter given twice arrives as an array and is refused. Unknown parameters are ignored.
 */
import { z } from 'zod';
import { MAX_RECENT, type RecentUsageQuery } from '../ledger/queries.js';

export const DEFAULT_LIMIT = 100;

const text = (name: string) => z.string({ error: `${name} must be given once, as text` }).min(1, `${name} must not be empty`).max(200, `${name} is longer than 200 characters`);

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_RECENT}`;

const schema = z.object({
  limit: z
    .string({ error: 'limit must be given once' })
    .regex(/^\d{1,7}$/, LIMIT_MESSAGE)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_RECENT, LIMIT_MESSAGE)
    .optional(),
  since: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'since must be an ISO 8601 date or date-time with a time zone, e.g. 2026-11-20 or 2026-11-20T08:00:00Z' })
    .transform((value) => new Date(value))
    .refine((date) => !Number.isNaN(date.getTime()), 'since is not a real date')
    .optional(),
  provider: text('provider').optional(),
  model: text('model').optional(),
  keyId: text('keyId').optional(),
});

export type UsageQueryResult = { ok: true; filters: RecentUsageQuery } | { ok: false; message: string };

/** The filters for recentUsage(), or the message of a 400 naming the first bad parameter. */
export function parseUsageQuery(query: unknown): UsageQueryResult {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: issue.message };
  }
  const { limit, since, provider, model, keyId } = parsed.data;
  const filters: RecentUsageQuery = { limit: limit ?? DEFAULT_LIMIT };
  if (since !== undefined) filters.since = since;
  if (provider !== undefined) filters.provider = provider;
  if (model !== undefined) filters.model = model;
  if (keyId !== undefined) filters.keyId = keyId;
  return { ok: true, filters };
}
