// Redis dies under a running gateway, then comes back. The Redis here is a private redis-server
// child process (never the shared one): killed with SIGKILL, restarted empty on the same port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { budgetedKey, chat, eventually, ledgerRow, plainUsd, probe, settledStatus, type BudgetedKey } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';

let redis: PrivateRedis;
/** Global fail mode closed (the default). */
let closed: TestGateway;
/** TOLLGATE_BUDGET_FAIL_MODE=open. */
let open: TestGateway;

const keys = {} as { budgeted: BudgetedKey; exhausted: BudgetedKey; ownOpen: BudgetedKey; openMode: BudgetedKey; noBudget: string };

beforeAll(async () => {
  redis = await startPrivateRedis();
  const env = { REDIS_URL: redis.url };
  closed = await startTestGateway({ env });
  open = await startTestGateway({ env: { ...env, TOLLGATE_BUDGET_FAIL_MODE: 'open' } });
  keys.budgeted = await budgetedKey(closed, 'budgeted', '10');
  keys.exhausted = await budgetedKey(closed, 'exhausted', '0');
  keys.ownOpen = await budgetedKey(closed, 'own-fail-open', '10', 'open');
  keys.openMode = await budgetedKey(open, 'global-open', '10');
  keys.noBudget = closed.key;
}, 60_000);

afterAll(async () => {
  // Shut down against a live Redis, so the last ledger flush does not wait out its deadline.
  if (redis && !redis.running) await redis.restart().catch(() => {});
  await Promise.allSettled([closed?.close(), open?.close()]);
  await redis?.kill();
});

/** /readyz of `t` once it answers `status` with a body matching `shape` (one probe may miss its 1 s deadline on a loaded machine). */
function readyzBecomes(t: TestGateway, status: number, shape: Record<string, unknown>, what: string): Promise<unknown> {
  return eventually(async () => {
    const response = await fetch(`${t.url}/readyz`);
    const body = (await response.json()) as Record<string, unknown>;
    return response.status === status && Object.entries(shape).every(([field, value]) => body[field] === value) ? body : undefined;
  }, what, 15_000, 100);
}

describe('Redis goes away and comes back', () => {
  it('baseline with Redis up: budgets are checked, both gateways ready', { timeout: 60_000 }, async () => {
    const ok = await chat(closed, keys.budgeted.secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-tollgate-budget-remaining-usd')).toBeTruthy();
    expect((await chat(closed, keys.exhausted.secret)).status).toBe(429);
    await readyzBecomes(closed, 200, { status: 'ready' }, 'the fail-closed gateway ready');
    await readyzBecomes(open, 200, { status: 'ready' }, 'the fail-open gateway ready');
    // Let the ledger writer take everything out of the stream before the stream dies with Redis.
    await ledgerRow(closed, ok.requestId);
  });

  it('fail-closed (default): a key with a budget gets 503 in the provider shape, nothing reaches the simulator', async () => {
    await redis.kill();
    closed.simulator.clearRequests();
    const refused = await chat(closed, keys.budgeted.secret);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
    expect(refused.body.error.message).toMatch(/Budgets cannot be checked/);
    const gemini = await fetch(`${closed.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': keys.budgeted.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
    });
    expect(gemini.status).toBe(503);
    expect(((await gemini.json()) as any).error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(closed.simulator.requests).toHaveLength(0);
  });

  it('fail-closed: a key with NO budget still works, and its usage row is written directly to PostgreSQL', async () => {
    const ok = await chat(closed, keys.noBudget);
    expect(ok.status).toBe(200);
    expect(ok.body.usage.total_tokens).toBeGreaterThan(0);
    const row = await ledgerRow(closed, ok.requestId);
    expect(row).toMatchObject({ status: 200, provider: 'openai', costSource: 'computed', inputTokens: ok.body.usage.prompt_tokens, outputTokens: ok.body.usage.completion_tokens });
    expect(Number(row.costTotalUsd)).toBeGreaterThan(0);
    expect(await closed.gateway.storage.prisma.usageRecord.count({ where: { requestId: ok.requestId } })).toBe(1);
  });

  it('a budget with its own failMode "open" under a global closed mode is admitted, unchecked, and recorded', async () => {
    const ok = await chat(closed, keys.ownOpen.secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-tollgate-budget-unchecked')).toBe('true');
    expect((await ledgerRow(closed, ok.requestId)).status).toBe(200);
  });

  it('global fail-open: the request is admitted with x-tollgate-budget-unchecked and its row still reaches PostgreSQL', async () => {
    open.simulator.clearRequests();
    const ok = await chat(open, keys.openMode.secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-tollgate-budget-unchecked')).toBe('true');
    expect(open.simulator.requests).toHaveLength(1);
    // Read straight from PostgreSQL through Prisma: settle failed, so the row went there directly.
    const prisma = open.gateway.storage.prisma;
    const row = await eventually(async () => (await prisma.usageRecord.findUnique({ where: { requestId: ok.requestId } })) ?? undefined, 'usage row in PostgreSQL');
    expect(row).toMatchObject({ status: 200, provider: 'openai', costSource: 'computed' });
    expect(row.costTotalUsd.greaterThan(0)).toBe(true);
  });

  it('while Redis is down the process keeps serving: /healthz 200, /readyz 503 naming the budget store', { timeout: 60_000 }, async () => {
    for (const t of [closed, open]) {
      expect(await probe(t, '/healthz')).toBe(200);
      // Redis is dead, so this can only ever show budgets: false; database: true may take a retry.
      await readyzBecomes(t, 503, { status: 'not ready', database: true, budgets: false }, 'not ready, naming the budget store only');
    }
  });

  // Above its own waits: the restart (10 s), 2 × 15 s, 20 s, and 10 s each for the row and the settled status.
  it('Redis restarted: the gateways reconnect by themselves, /readyz is 200 and budgets are checked again', { timeout: 120_000 }, async () => {
    await redis.restart();
    for (const t of [closed, open]) await eventually(async () => ((await probe(t, '/readyz')) === 200 ? true : undefined), 'ready again', 15_000);

    // Checked again: the exhausted budget denies (not 503, not admitted), the others admit with a remaining figure.
    const checked = await eventually(async () => {
      const answer = await chat(closed, keys.budgeted.secret);
      return answer.status === 200 ? answer : undefined;
    }, 'budgeted key admitted again', 20_000);
    expect(checked.headers.get('x-tollgate-budget-unchecked')).toBeNull();
    expect(checked.headers.get('x-tollgate-budget-remaining-usd')).toBeTruthy();
    const denied = await chat(closed, keys.exhausted.secret);
    expect(denied.status).toBe(429);
    expect(denied.body.error.code).toBe('insufficient_quota');
    const openChecked = await chat(open, keys.openMode.secret);
    expect(openChecked.status).toBe(200);
    expect(openChecked.headers.get('x-tollgate-budget-unchecked')).toBeNull();

    // The counters move again, and the restarted (empty) Redis got the key's earlier spend
    // back from the ledger before admitting: the counter holds every row of the key's day.
    const row = await ledgerRow(closed, checked.requestId);
    const status = await settledStatus(closed, keys.budgeted.budgetId);
    const [ledger] = await closed.gateway.storage.prisma.$queryRawUnsafe<{ nano: string; rows: number }[]>(
      `SELECT SUM(CEIL("costTotalUsd" * 1000000000))::text AS nano, COUNT(*)::int AS rows FROM "UsageRecord" WHERE "apiKeyId" = $1`,
      keys.budgeted.id,
    );
    expect(ledger!.rows).toBeGreaterThan(1); // the baseline request's row and this one's
    expect(status.spentUsd).toBe(nanoToUsd(BigInt(ledger!.nano)));
    expect(Number(status.spentUsd)).toBeGreaterThan(Number(plainUsd(row.costTotalUsd)));
    expect(await probe(closed, '/healthz')).toBe(200);
  });
});
