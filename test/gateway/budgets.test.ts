import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { reservedNano } from '../support/estimate.js';
import { settledStatus } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { gatedBurst } from '../support/gated-burst.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Count to three' }] };

const estimateNano = () => reservedNano(t, BODY);

async function keyFor(h: Hierarchy): Promise<string> {
  return t.createKey({ name: 'budget-test', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
}

/**
 * Fires n requests at once. The upstream holds every admitted one at a gate until all n have
 * been admitted or denied (gatedBurst), so no settle (which releases the unspent part of an
 * estimate) can happen before: the count then shows the reservation alone, however loaded the
 * machine.
 */
async function burst(key: string, n: number) {
  return gatedBurst(t.simulator, n, (hold) =>
    fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...hold },
      body: JSON.stringify(BODY),
    }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any })),
  );
}

// Settles run after each response; wait until nothing is reserved any more.
const settled = (budgetId: string) => settledStatus(t, budgetId, 30_000);

describe('budgets through the gateway (real Redis)', () => {
  it('500 concurrent requests against a budget that affords exactly 100: at most 100 admitted, spend within the limit', { timeout: 240_000 }, async () => {
    // A daily budget whose denials name its reset: the whole test runs in one UTC day (this may
    // wait up to two minutes, hence the timeout).
    await clearOfDayBoundary();
    const h = await createHierarchy(t, 'burst-one');
    const key = await keyFor(h);
    const limit = nanoToUsd(estimateNano() * 100n);
    const budget = await admin(t, 'POST', '/budgets', { level: 'user', entityId: h.userId, period: 'daily', limitUsd: limit });
    t.simulator.clearRequests();
    const sentAt = Date.now();
    const results = await burst(key, 500);
    const answeredAt = Date.now();
    const admitted = results.filter((r) => r.status === 200).length;
    const denied = results.filter((r) => r.status === 429);
    expect(admitted).toBe(100);
    expect(denied).toHaveLength(400);
    // Only the admitted calls reached the provider; not one of the 400 denied ones.
    expect(t.simulator.requests).toHaveLength(100);
    // Every denial came while the 100 admitted calls were held upstream: nothing spent yet, the
    // whole limit reserved, and the reset is the next UTC midnight.
    const midnight = (ms: number) => new Date(Math.floor(ms / 86_400_000 + 1) * 86_400_000).toISOString();
    const reset = midnight(sentAt);
    // A guard: clearOfDayBoundary left more time to midnight than this test takes.
    expect(midnight(answeredAt)).toBe(reset);
    const budgetFields = { id: budget.id, level: 'user', period: 'daily', limit_usd: limit, spent_usd: '0', reserved_usd: limit, resets_at: reset };
    const message = `Budget exceeded: the daily user budget of $${limit} has $0 spent and $${limit} reserved; it resets at ${reset}.`;
    for (const d of denied) {
      expect(d.body).toEqual({ error: { message, type: 'insufficient_quota', param: null, code: 'insufficient_quota', budget: budgetFields } });
      const names = ['level', 'period', 'limit-usd', 'spent-usd', 'reserved-usd', 'reset'];
      expect(Object.fromEntries(names.map((n) => [n, d.headers.get(`x-tollgate-budget-${n}`)]))).toEqual({
        level: 'user', period: 'daily', 'limit-usd': limit, 'spent-usd': '0', 'reserved-usd': limit, reset,
      });
      const retry = Number(d.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(Math.ceil((Date.parse(reset) - answeredAt) / 1000));
      expect(retry).toBeLessThanOrEqual(Math.ceil((Date.parse(reset) - sentAt) / 1000));
    }
    const status = await settled(budget.id);
    expect(Number(status.spentUsd)).toBeLessThanOrEqual(Number(limit));
    expect(Number(status.spentUsd)).toBeGreaterThan(0);
  });

  it('three levels where the team is tightest: the team budget decides and is named', { timeout: 60_000 }, async () => {
    const h = await createHierarchy(t, 'burst-three');
    const key = await keyFor(h);
    const unit = estimateNano();
    await admin(t, 'POST', '/budgets', { level: 'key', entityId: (await admin(t, 'GET', '/keys')).at(-1).id, period: 'total', limitUsd: nanoToUsd(unit * 300n) });
    await admin(t, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'monthly', timezone: 'America/New_York', limitUsd: nanoToUsd(unit * 60n) });
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'weekly', limitUsd: nanoToUsd(unit * 1000n) });
    const results = await burst(key, 300);
    expect(results.filter((r) => r.status === 200)).toHaveLength(60);
    const denial = results.find((r) => r.status === 429)!;
    expect(denial.headers.get('x-tollgate-budget-level')).toBe('team');
    expect(denial.body.error.message).toMatch(/monthly team budget/);
  });

  it('admitted responses carry the tightest remaining budget', async () => {
    const h = await createHierarchy(t, 'remaining');
    const key = await keyFor(h);
    await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, period: 'daily', limitUsd: '5' });
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'daily', limitUsd: '1' });
    const [ok] = await burst(key, 1);
    expect(ok!.status).toBe(200);
    expect(ok!.headers.get('x-tollgate-budget-level')).toBe('organization');
    expect(Number(ok!.headers.get('x-tollgate-budget-remaining-usd'))).toBeLessThan(1);
  });

  it('a soft budget never denies', async () => {
    const h = await createHierarchy(t, 'soft');
    const key = await keyFor(h);
    await admin(t, 'POST', '/budgets', { level: 'user', entityId: h.userId, period: 'daily', limitUsd: '0.000000001', hard: false });
    // A soft budget admits whatever the timing; the gate keeps the five reserved together.
    const results = await burst(key, 5);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('a Gemini client is denied with RESOURCE_EXHAUSTED and nothing reaches the provider', async () => {
    const h = await createHierarchy(t, 'gemini-denied');
    const key = await keyFor(h);
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'total', limitUsd: '0' });
    t.simulator.clearRequests();
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
    });
    expect(response.status).toBe(429);
    expect(((await response.json()) as any).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(t.simulator.requests).toHaveLength(0);
  });
});
