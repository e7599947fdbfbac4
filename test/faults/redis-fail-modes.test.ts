// A budget's own failMode against the gateway's global one, with Redis stopped: a budget that
// says `closed` under a global `open` still refuses (503 in the provider's shape, nothing sent),
// a budget that says `open` under a global `closed` still admits, and when several budgets apply
// any `closed` wins. Every store outage is counted in tollgate_budget_store_unavailable_total
// and logged. Redis here is a private redis-server child process, never the shared one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { admin } from '../support/admin.js';
import { budgetedKey, chat, eventually, settledStatus, type BudgetedKey } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

let redis: PrivateRedis;
/** TOLLGATE_BUDGET_FAIL_MODE=open. */
let open: TestGateway;
/** The default global fail mode, closed. */
let closed: TestGateway;
/** Every log line of each gateway, parsed. */
const logs = new Map<TestGateway, Record<string, unknown>[]>();

const keys = {} as Record<'ownClosed' | 'openDefault' | 'ownOpen' | 'closedDefault' | 'openAndDefault', BudgetedKey>;

async function gatewayWithLog(env: Record<string, string>): Promise<TestGateway> {
  const lines: Record<string, unknown>[] = [];
  const t = await startTestGateway({ env, logger: createLogger('error', { write: (line: string) => void lines.push(JSON.parse(line)) }) });
  logs.set(t, lines);
  return t;
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  open = await gatewayWithLog({ REDIS_URL: redis.url, TOLLGATE_BUDGET_FAIL_MODE: 'open' });
  closed = await gatewayWithLog({ REDIS_URL: redis.url });
  // Budgets are created while Redis is up (the change notice goes through it).
  keys.ownClosed = await budgetedKey(open, 'own-closed', '10', 'closed');
  keys.openDefault = await budgetedKey(open, 'open-default', '10');
  keys.ownOpen = await budgetedKey(closed, 'own-open', '10', 'open');
  keys.closedDefault = await budgetedKey(closed, 'closed-default', '10');
  // Two budgets on one key: its own `open`, and a second one without an override (so `closed` here).
  keys.openAndDefault = await budgetedKey(closed, 'open-and-default', '10', 'open');
  await admin(closed, 'POST', '/budgets', { level: 'key', entityId: keys.openAndDefault.id, period: 'total', limitUsd: '10' });
});

afterAll(async () => {
  // Shut down against a live Redis, so the last ledger flush does not wait out its deadline.
  if (redis && !redis.running) await redis.restart().catch(() => {});
  await Promise.allSettled([open?.close(), closed?.close()]);
  await redis?.kill();
});

/** The store-unavailable counter from the gateway's /metrics. */
async function unavailableCount(t: TestGateway): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const match = /^tollgate_budget_store_unavailable_total (\S+)$/m.exec(text);
  if (!match) throw new Error('tollgate_budget_store_unavailable_total is not exported');
  return Number(match[1]);
}

function gemini(t: TestGateway, key: string) {
  return fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
  });
}

/** A refused call: 503 in the OpenAI shape and in the Gemini shape, nothing sent upstream, each counted once and logged. */
async function expectRefused(t: TestGateway, key: string) {
  t.simulator.clearRequests();
  const before = await unavailableCount(t);
  const refused = await chat(t, key);
  expect(refused.status).toBe(503);
  expect(refused.body).toEqual({ error: { message: 'Budgets cannot be checked right now; the request was not sent.', type: 'server_error', param: null, code: 'service_unavailable' } });
  const google = await gemini(t, key);
  expect(google.status).toBe(503);
  expect(await google.json()).toEqual({ error: { code: 503, status: 'UNAVAILABLE', message: 'Budgets cannot be checked right now; the request was not sent.' } });
  expect(t.simulator.requests).toHaveLength(0);
  // A refused call has no settle: exactly one outage each.
  expect((await unavailableCount(t)) - before).toBe(2);
  expect(logs.get(t)).toContainEqual(expect.objectContaining({ msg: 'budget store unavailable', failMode: 'closed', requestId: refused.requestId }));
}

/** An admitted, unchecked call: counted at admission and again when its settle fails. */
async function expectAdmitted(t: TestGateway, key: string): Promise<void> {
  t.simulator.clearRequests();
  const before = await unavailableCount(t);
  const ok = await chat(t, key);
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-tollgate-budget-unchecked')).toBe('true');
  expect(ok.headers.get('x-tollgate-budget-remaining-usd')).toBeNull();
  expect(t.simulator.requests).toHaveLength(1);
  await eventually(async () => ((await unavailableCount(t)) - before === 2 ? true : undefined), 'admission and settle both counted');
  expect(logs.get(t)).toContainEqual(expect.objectContaining({ msg: 'budget store unavailable', failMode: 'open', requestId: ok.requestId }));
}

describe('per-budget fail modes with Redis stopped', () => {
  it('baseline with Redis up: every key is budget-checked and admitted, nothing counted as unavailable', async () => {
    for (const [t, key] of [[open, keys.ownClosed], [open, keys.openDefault], [closed, keys.ownOpen], [closed, keys.closedDefault], [closed, keys.openAndDefault]] as const) {
      const ok = await chat(t, key.secret);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-tollgate-budget-remaining-usd')).toBeTruthy();
      // Settled before Redis goes: a late settle failing would add to the counts measured below.
      await settledStatus(t, key.budgetId);
    }
    expect(await unavailableCount(open)).toBe(0);
    expect(await unavailableCount(closed)).toBe(0);
    await redis.kill();
  });

  it('global open: a budget whose own failMode is closed gets 503 in the provider shape', async () => {
    await expectRefused(open, keys.ownClosed.secret);
  });

  it('global open: a budget without an override passes, unchecked', async () => {
    await expectAdmitted(open, keys.openDefault.secret);
  });

  it('global closed: a budget whose own failMode is open passes, unchecked', async () => {
    await expectAdmitted(closed, keys.ownOpen.secret);
  });

  it('global closed: a budget without an override gets 503 in the provider shape', async () => {
    await expectRefused(closed, keys.closedDefault.secret);
  });

  it('global closed: a key under an `open` budget and a budget without an override is refused (any closed wins)', async () => {
    await expectRefused(closed, keys.openAndDefault.secret);
  });
});
