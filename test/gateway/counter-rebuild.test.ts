/**
 * A flushed Redis is rebuilt from the ledger before it admits anything (src/budgets/keys.ts,
 * "Seeding"): real gateways, real Redis and PostgreSQL, the flush done by deleting every key
 * under the gateways' prefix (counters, holds, markers, usage streams: what FLUSHALL would do
 * to them) while traffic keeps coming.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { admin, createHierarchy } from '../support/admin.js';
import { chat, eventually, settledStatus } from '../support/faults.js';
import { deleteRedisKeys } from '../support/gateway-env.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

let first: TestGateway;
let second: TestGateway;

beforeAll(async () => {
  first = await startTestGateway();
  second = await startTestGateway({ shareWith: first });
});

afterAll(async () => {
  await second?.close();
  await first?.close();
});

// Each test compares a daily (or monthly) UTC counter with the team's whole ledger, which has no
// date filter: a test must run in one period, so none starts close to UTC midnight (every month
// also begins at one). This may wait up to two minutes.
beforeEach(() => clearOfDayBoundary(), 180_000);

/** The ledger's spend of a team, each row rounded up to the nano as settle charges it. */
async function teamLedger(teamId: string): Promise<{ nano: bigint; rows: number }> {
  const [row] = await first.gateway.storage.prisma.$queryRawUnsafe<{ nano: string | null; rows: number }[]>(
    `SELECT SUM(CEIL("costTotalUsd" * 1000000000))::text AS nano, COUNT(*)::int AS rows FROM "UsageRecord" WHERE "teamId" = $1`,
    teamId,
  );
  return { nano: BigInt(row?.nano ?? '0'), rows: row?.rows ?? 0 };
}

async function rowsWritten(teamId: string, rows: number): Promise<void> {
  await eventually(async () => ((await teamLedger(teamId)).rows === rows ? true : undefined), `${rows} ledger rows`);
}

const flush = () => deleteRedisKeys(first.env.REDIS_URL, first.env.TOLLGATE_REDIS_KEY_PREFIX);

describe('a flushed Redis is rebuilt from the ledger', () => {
  it('the first request after the flush sees the spend before it, and the counter equals the ledger afterwards', async () => {
    const h = await createHierarchy(first, 'flushed');
    const key = await first.createKey({ name: 'k', organizationId: h.organizationId, team: h.teamId });
    const budget = await admin(first, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'daily', limitUsd: '5' });
    for (let i = 0; i < 6; i++) expect((await chat(first, key)).status).toBe(200);
    await rowsWritten(h.teamId, 6);
    const before = await settledStatus(first, budget.id);
    expect(before.spentUsd).toBe(nanoToUsd((await teamLedger(h.teamId)).nano));

    await flush();
    expect((await admin(first, 'GET', `/budgets/${budget.id}/status`)).spentUsd).toBe('0');
    expect((await chat(second, key)).status).toBe(200);
    await rowsWritten(h.teamId, 7);
    const after = await settledStatus(first, budget.id);
    expect(after.spentUsd).toBe(nanoToUsd((await teamLedger(h.teamId)).nano));
    expect(Number(after.spentUsd)).toBeGreaterThan(Number(before.spentUsd));
  });

  it('a budget already spent before the flush still denies after it', async () => {
    const h = await createHierarchy(first, 'spent-then-flushed');
    const key = await first.createKey({ name: 'k', organizationId: h.organizationId, team: h.teamId });
    for (let i = 0; i < 3; i++) expect((await chat(first, key)).status).toBe(200);
    await rowsWritten(h.teamId, 3);
    const spent = (await teamLedger(h.teamId)).nano;
    // A limit just at what the ledger holds: nothing more fits once the spend is known.
    const budget = await admin(first, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'daily', limitUsd: nanoToUsd(spent) });
    await eventually(async () => ((await chat(first, key)).status === 429 ? true : undefined), 'the new budget enforced');
    await flush();
    const denied = await chat(first, key);
    expect(denied.status).toBe(429);
    expect(denied.body.error.code).toBe('insufficient_quota');
    expect((await admin(first, 'GET', `/budgets/${budget.id}/status`)).spentUsd).toBe(nanoToUsd(spent));
  });

  it('two gateways racing on a flushed Redis seed each counter once: no double counting', async () => {
    const h = await createHierarchy(first, 'raced');
    const key = await first.createKey({ name: 'k', organizationId: h.organizationId, team: h.teamId });
    const budget = await admin(first, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'monthly', limitUsd: '50' });
    for (let i = 0; i < 10; i++) expect((await chat(first, key)).status).toBe(200);
    await rowsWritten(h.teamId, 10);
    await flush();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(i % 2 ? second : first, key)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await rowsWritten(h.teamId, 50);
    const status = await settledStatus(first, budget.id);
    expect(status.spentUsd).toBe(nanoToUsd((await teamLedger(h.teamId)).nano));
  });
});
