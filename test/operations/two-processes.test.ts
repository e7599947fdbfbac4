/**
 * Two gateway processes on one Redis and one PostgreSQL under concurrent load: a hard budget
 * holds across both (the reservation is one atomic script on the shared counter, whichever
 * process runs it), and the ledger ends with each admitted request exactly once (requestId is unique in the table, so
 * "once" here means: none missing, none recorded as something else).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { spawnGateway, type ChildGateway } from '../alerts/receivers.js';
import { admin, createHierarchy } from '../support/admin.js';
import { reservedNano } from '../support/estimate.js';
import { eventually } from '../support/faults.js';
import { gatedBurst } from '../support/gated-burst.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Count to three' }] };
const AFFORDED = 40;
const REQUESTS = 160;

let t: TestGateway;
let child: ChildGateway;
let key: string;
let budgetId: string;
let limitUsd: string;

beforeAll(async () => {
  t = await startTestGateway();
  const h = await createHierarchy(t, 'two-processes');
  key = await t.createKey({ name: 'two-processes', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  limitUsd = nanoToUsd(reservedNano(t, BODY) * BigInt(AFFORDED));
  budgetId = (await admin(t, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'monthly', limitUsd })).id;
  // Started after the budget exists, so it loads it at start: no wait on the change feed.
  child = await spawnGateway(t.env);
}, 120_000);

afterAll(async () => {
  await child?.stop();
  await t?.close();
});

/** One call through `url`; `hold` names the simulator gate (both processes use the test's simulator). */
function call(url: string, hold: Record<string, string>) {
  return fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...hold },
    body: JSON.stringify(BODY),
  }).then(async (r) => ({ status: r.status, requestId: r.headers.get('x-request-id')!, body: await r.text() }));
}

describe('two gateway processes, one Redis, one PostgreSQL', () => {
  it('a hard budget affording 40 admits exactly 40 of 160 concurrent calls split across both; each is in the ledger once', async () => {
    const urls = [t.url, child.url];
    // Every admitted call is held upstream until both processes decided all of theirs, so none
    // settles (and frees room) before the last decision.
    let sent = 0;
    const results = await gatedBurst(t.simulator, REQUESTS, (hold) => call(urls[sent++ % 2]!, hold));
    const admitted = results.filter((r) => r.status === 200);
    const denied = results.filter((r) => r.status === 429);
    expect(admitted.length + denied.length).toBe(REQUESTS);
    expect(admitted).toHaveLength(AFFORDED);
    // Each process got 80 calls: were the counter its own, each would admit 40 (80 in all).
    expect(JSON.parse(denied[0]!.body).error.code).toBe('insufficient_quota');

    const status = await eventually(async () => {
      const s = await admin(t, 'GET', `/budgets/${budgetId}/status`);
      return s.reservedUsd === '0' ? s : undefined;
    }, 'every admitted call settled', 30_000);
    expect(Number(status.spentUsd)).toBeGreaterThan(0);
    expect(Number(status.spentUsd)).toBeLessThanOrEqual(Number(limitUsd));

    // The ledger: each admitted request exactly once, whichever process served it.
    const prisma = t.gateway.storage.prisma;
    const ids = admitted.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(AFFORDED);
    const rows = await eventually(async () => {
      const found = await prisma.usageRecord.findMany({ where: { requestId: { in: ids } }, select: { requestId: true, status: true } });
      return found.length === AFFORDED ? found : undefined;
    }, 'a ledger row for every admitted call', 30_000);
    expect(new Set(rows.map((r) => r.requestId))).toEqual(new Set(ids));
    expect(rows.every((r) => r.status === 200)).toBe(true);
    // A denied call is never billed: if recorded at all, it is a 429 costing nothing.
    const deniedRows = await prisma.usageRecord.findMany({ where: { requestId: { in: denied.map((r) => r.requestId) } } });
    for (const row of deniedRows) {
      expect(row.status).toBe(429);
      expect(row.costTotalUsd.isZero()).toBe(true);
    }
  }, 120_000);
});
