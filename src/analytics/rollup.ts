/**
 * The rollup job: new UsageRecord rows (ids past a watermark) are added into UsageHourly,
 * UsageDaily and their per-team twins by ONE `INSERT ... SELECT ... GROUP BY ... ON CONFLICT
 * DO UPDATE` statement per batch (data-modifying CTEs feed every table), in the same
 * transaction that moves the watermark. So a batch counts exactly once, even with several instances running the job:
 * an advisory lock lets one of them work at a time, and the watermark row is read FOR UPDATE.
 *
 * Ids come from a sequence, and a transaction that took id 99 can commit after one that took
 * id 100: a watermark moved to 100 would skip 99 forever. The upper bound of a batch is
 * therefore read under a brief SHARE lock on UsageRecord, which waits for the inserts in
 * flight to commit (and holds new ones back for those milliseconds): every id up to that
 * bound is then committed or never will be. The ledger writer is off the request path, so
 * the pause costs no request anything.
 */
import type { PrismaClient } from '../generated/prisma/client.js';

/** Key for pg_try_advisory_xact_lock: "tollgate rollup" (any constant not used elsewhere). */
const ROLLUP_LOCK_KEY = 0x746f6c6c;
const WATERMARK = 'usage';

const KEY_DIMS = ['"apiKeyId"', '"organizationId"', '"projectId"', '"teamId"', '"userId"', '"provider"', '"model"'];
const TEAM_DIMS = ['"organizationId"', '"projectId"', '"teamId"', '"provider"', '"model"'];
const COUNTS = ['requests', 'errors', '"fallbackPriced"', '"inputTokens"', '"cachedInputTokens"', '"cacheWriteTokens"', '"outputTokens"', '"reasoningTokens"', '"latencyMsSum"'];
const COSTS = ['"costInputUsd"', '"costOutputUsd"', '"costCachedUsd"', '"costOtherUsd"', '"costTotalUsd"'];
const MEASURES = [...COUNTS, ...COSTS];

/** Upsert of `src` regrouped into one rollup table: its time column from `time`, its dimensions. */
function upsertSql(table: string, column: string, time: string, dims: string[]): string {
  const sums = [...COUNTS.map((m) => `sum(${m})::bigint`), ...COSTS.map((m) => `sum(${m})`)];
  return `INSERT INTO "${table}" AS t (${[column, ...dims, ...MEASURES].join(', ')})
    SELECT ${[time, ...dims, ...sums].join(', ')} FROM src GROUP BY ${[time, ...dims].map((_, i) => i + 1).join(', ')}
    ON CONFLICT (${[column, ...dims].join(', ')}) DO UPDATE SET ${MEASURES.map((m) => `${m} = t.${m} + EXCLUDED.${m}`).join(', ')}`;
}

/**
 * $1 = first id (exclusive), $2 = last id (inclusive). `src` is the batch grouped per hour and
 * every dimension; each rollup table regroups it (data-modifying CTEs all run to completion).
 */
const ROLLUP_SQL = `
WITH src AS (
  SELECT date_trunc('hour', "createdAt") AS hour,
         coalesce("apiKeyId", '') AS "apiKeyId", coalesce("organizationId", '') AS "organizationId",
         coalesce("projectId", '') AS "projectId", coalesce("teamId", '') AS "teamId", coalesce("userId", '') AS "userId",
         provider, coalesce("requestedModel", "responseModel", '') AS model,
         count(*) AS requests,
         count(*) FILTER (WHERE status >= 400 OR "errorCode" IS NOT NULL) AS errors,
         count(*) FILTER (WHERE "priceSource" = 'fallback') AS "fallbackPriced",
         coalesce(sum("inputTokens"), 0) AS "inputTokens", coalesce(sum("cachedInputTokens"), 0) AS "cachedInputTokens",
         coalesce(sum("cacheWriteTokens"), 0) AS "cacheWriteTokens", coalesce(sum("outputTokens"), 0) AS "outputTokens",
         coalesce(sum("reasoningTokens"), 0) AS "reasoningTokens", coalesce(sum("latencyMs"), 0) AS "latencyMsSum",
         sum("costInputUsd") AS "costInputUsd", sum("costOutputUsd") AS "costOutputUsd", sum("costCachedUsd") AS "costCachedUsd",
         sum("costOtherUsd") AS "costOtherUsd", sum("costTotalUsd") AS "costTotalUsd"
  FROM "UsageRecord" WHERE id > $1::bigint AND id <= $2::bigint
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), hourly AS (${upsertSql('UsageHourly', 'hour', 'hour', KEY_DIMS)}
), daily AS (${upsertSql('UsageDaily', 'day', "date_trunc('day', hour)", KEY_DIMS)}
), hourly_team AS (${upsertSql('UsageHourlyTeam', 'hour', 'hour', TEAM_DIMS)}
)
${upsertSql('UsageDailyTeam', 'day', "date_trunc('day', hour)", TEAM_DIMS)}`;

export interface RollupResult {
  /** 'busy': another instance holds the job, or inserts did not finish within the lock timeout. */
  state: 'done' | 'idle' | 'busy';
  fromId: bigint;
  toId: bigint;
  /** More rows are waiting beyond this batch. */
  more: boolean;
}

export interface RollupOptions {
  batchSize?: number;
  /** How long to wait for in-flight ledger inserts before giving up this pass. */
  lockTimeoutMs?: number;
  /** A batch transaction taking longer than this fails (and is retried next pass). */
  transactionTimeoutMs?: number;
}

async function watermark(prisma: PrismaClient): Promise<bigint> {
  const rows = await prisma.$queryRawUnsafe<Array<{ lastId: bigint }>>(`SELECT "lastId" FROM "RollupWatermark" WHERE name = $1`, WATERMARK);
  return rows[0] ? BigInt(rows[0].lastId) : 0n;
}

/** The highest id below which every insert has finished (see the module comment). */
async function settledMaxId(prisma: PrismaClient, lockTimeoutMs: number): Promise<bigint | undefined> {
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${Math.max(1, Math.floor(lockTimeoutMs))}ms'`);
      await tx.$executeRawUnsafe(`LOCK TABLE "UsageRecord" IN SHARE MODE`);
      const rows = await tx.$queryRawUnsafe<Array<{ max: bigint | null }>>(`SELECT max(id) AS max FROM "UsageRecord"`);
      return BigInt(rows[0]?.max ?? 0);
    }, { timeout: lockTimeoutMs + 5_000, maxWait: 5_000 });
  } catch (error) {
    if (/lock timeout|canceling statement/i.test(String((error as Error).message) + JSON.stringify(error))) return undefined;
    throw error;
  }
}

/** One pass: at most one batch of ids. Safe to call from any number of instances at once. */
export async function rollupOnce(prisma: PrismaClient, options: RollupOptions = {}): Promise<RollupResult> {
  const batch = BigInt(options.batchSize ?? 100_000);
  const last = await watermark(prisma);
  // Cheap check first: an idle gateway never takes the table lock.
  const newest = await prisma.$queryRawUnsafe<Array<{ max: bigint | null }>>(`SELECT max(id) AS max FROM "UsageRecord"`);
  if (BigInt(newest[0]?.max ?? 0) <= last) return { state: 'idle', fromId: last, toId: last, more: false };
  const safeMax = await settledMaxId(prisma, options.lockTimeoutMs ?? 2_000);
  if (safeMax === undefined) return { state: 'busy', fromId: last, toId: last, more: true };

  return prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRawUnsafe<Array<{ ok: boolean }>>(`SELECT pg_try_advisory_xact_lock(${ROLLUP_LOCK_KEY}) AS ok`);
    if (!lock?.ok) return { state: 'busy', fromId: last, toId: last, more: true } satisfies RollupResult;
    await tx.$executeRawUnsafe(`INSERT INTO "RollupWatermark" (name, "lastId") VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, WATERMARK);
    const [row] = await tx.$queryRawUnsafe<Array<{ lastId: bigint }>>(`SELECT "lastId" FROM "RollupWatermark" WHERE name = $1 FOR UPDATE`, WATERMARK);
    // Re-read under the lock: another instance may have moved it since.
    const fromId = BigInt(row?.lastId ?? 0);
    if (fromId >= safeMax) return { state: 'idle', fromId, toId: fromId, more: false } satisfies RollupResult;
    const toId = fromId + batch < safeMax ? fromId + batch : safeMax;
    await tx.$executeRawUnsafe(ROLLUP_SQL, fromId.toString(), toId.toString());
    await tx.$executeRawUnsafe(`UPDATE "RollupWatermark" SET "lastId" = $2::bigint, "updatedAt" = $3::timestamp WHERE name = $1`, WATERMARK, toId.toString(), new Date().toISOString());
    return { state: 'done', fromId, toId, more: toId < safeMax } satisfies RollupResult;
  }, { timeout: options.transactionTimeoutMs ?? 120_000, maxWait: 10_000 });
}

/** Runs passes until caught up (or busy); returns how many batches were added. */
export async function rollupAll(prisma: PrismaClient, options: RollupOptions = {}): Promise<number> {
  let batches = 0;
  for (;;) {
    const result = await rollupOnce(prisma, options);
    if (result.state === 'done') batches += 1;
    if (result.state !== 'done' || !result.more) return batches;
  }
}

type Log = (obj: object, msg?: string) => void;

/** Every `intervalMs`: catch up. Returns a stop function that waits for a pass under way. */
export function startRollupJob(prisma: PrismaClient, intervalMs: number, logger: { warn: Log }, options: RollupOptions = {}): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = rollupAll(prisma, options)
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, 'usage rollup failed; will retry'))
      .finally(() => {
        running = undefined;
        if (!stopped) {
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        }
      });
  };
  tick();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
