import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { rollupAll, rollupOnce } from '../../src/analytics/rollup.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeEvent } from '../support/usage-events.js';

let db: TestDatabase;
const HOUR = 3_600_000;
const base = Date.UTC(2026, 10, 20, 21, 0, 0);

/** Exact comparison, in SQL: the ledger's sums against each rollup's, per hour and dimension. */
async function mismatches(): Promise<number> {
  const rows = await db.database.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`
    WITH ledger AS (
      SELECT date_trunc('hour', "createdAt") AS hour, coalesce("apiKeyId", '') AS k, coalesce("teamId", '') AS t, provider,
             coalesce("requestedModel", "responseModel", '') AS model, count(*) AS requests, sum("costTotalUsd") AS cost,
             coalesce(sum("inputTokens"), 0) AS input, count(*) FILTER (WHERE status >= 400 OR "errorCode" IS NOT NULL) AS errors
      FROM "UsageRecord" GROUP BY 1, 2, 3, 4, 5),
    hourly AS (
      SELECT hour, "apiKeyId" AS k, "teamId" AS t, provider, model, sum(requests) AS requests, sum("costTotalUsd") AS cost,
             sum("inputTokens") AS input, sum(errors) AS errors FROM "UsageHourly" GROUP BY 1, 2, 3, 4, 5),
    daily AS (
      SELECT day, k, t, provider, model, sum(requests) AS requests, sum(cost) AS cost FROM (
        SELECT date_trunc('day', hour) AS day, k, t, provider, model, requests, cost FROM ledger) l GROUP BY 1, 2, 3, 4, 5),
    dailyRollup AS (
      SELECT day, "apiKeyId" AS k, "teamId" AS t, provider, model, sum(requests) AS requests, sum("costTotalUsd") AS cost FROM "UsageDaily" GROUP BY 1, 2, 3, 4, 5)
    SELECT (SELECT count(*) FROM ledger l FULL JOIN hourly h USING (hour, k, t, provider, model)
             WHERE l.requests IS DISTINCT FROM h.requests OR l.cost IS DISTINCT FROM h.cost OR l.input IS DISTINCT FROM h.input OR l.errors IS DISTINCT FROM h.errors)
         + (SELECT count(*) FROM daily d FULL JOIN dailyRollup r USING (day, k, t, provider, model)
             WHERE d.requests IS DISTINCT FROM r.requests OR d.cost IS DISTINCT FROM r.cost)
         + (SELECT count(*) FROM (SELECT hour, t, provider, model, sum(requests) AS requests, sum(cost) AS cost, sum(input) AS input FROM ledger GROUP BY 1, 2, 3, 4) l
              FULL JOIN (SELECT hour, "teamId" AS t, provider, model, requests, "costTotalUsd" AS cost, "inputTokens" AS input FROM "UsageHourlyTeam") r USING (hour, t, provider, model)
             WHERE l.requests IS DISTINCT FROM r.requests OR l.cost IS DISTINCT FROM r.cost OR l.input IS DISTINCT FROM r.input)
         + (SELECT count(*) FROM (SELECT day, t, provider, model, sum(requests) AS requests, sum(cost) AS cost FROM daily GROUP BY 1, 2, 3, 4) l
              FULL JOIN (SELECT day, "teamId" AS t, provider, model, requests, "costTotalUsd" AS cost FROM "UsageDailyTeam") r USING (day, t, provider, model)
             WHERE l.requests IS DISTINCT FROM r.requests OR l.cost IS DISTINCT FROM r.cost) AS n`);
  return Number(rows[0]!.n);
}

async function insert(from: number, count: number, prefix: string) {
  const events = Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return makeEvent(i, { prefix, createdAt: new Date(base + (i % 60) * HOUR + (i % 3600) * 1000), teamId: i % 4 === 0 ? undefined : `team-${i % 3}` });
  });
  await insertWithRecordset(db.database.prisma, events);
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('usage rollup', () => {
  it('sums every ledger row exactly once into the hourly and daily rollups', async () => {
    await insert(0, 3000, 'a');
    expect(await rollupAll(db.database.prisma, { batchSize: 700 })).toBe(5);
    expect(await mismatches()).toBe(0);
    const again = await rollupOnce(db.database.prisma);
    expect(again.state).toBe('idle');
    expect(await mismatches()).toBe(0);
  });

  it('stays exact with several instances rolling up while rows keep arriving', async () => {
    const writers = (async () => {
      for (let round = 0; round < 10; round++) await insert(10_000 + round * 300, 300, `b${round}`);
    })();
    const rollers = Array.from({ length: 4 }, async () => {
      for (let pass = 0; pass < 30; pass++) await rollupOnce(db.database.prisma, { batchSize: 250 });
    });
    await Promise.all([writers, ...rollers]);
    await rollupAll(db.database.prisma, { batchSize: 5000 });
    expect(await mismatches()).toBe(0);
  });

  it('never moves past an id whose insert has not committed yet', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      // Takes an id now, commits later: a later id commits first.
      const event = makeEvent(50_000, { prefix: 'slow', createdAt: new Date(base) });
      await client.query(`INSERT INTO "UsageRecord" ("requestId", "createdAt", provider, endpoint, stream, status, "costTotalUsd", "priceSource", "costSource", "latencyMs")
        VALUES ($1, $2::timestamp, 'openai', '/v1/chat/completions', false, 200, '0.5', 'builtin', 'computed', 10)`, [event.requestId, event.createdAt.toISOString()]);
      await insert(60_000, 5, 'fast');
      const blocked = await rollupOnce(db.database.prisma, { lockTimeoutMs: 200 });
      expect(blocked.state).toBe('busy');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await rollupAll(db.database.prisma);
    expect(await mismatches()).toBe(0);
  });
});
