// PostgreSQL becomes unreachable under a running gateway: its DATABASE_URL goes through a TCP
// proxy that the test cuts (the shared server itself is never touched). Keys come from the
// in-memory cache and budgets from Redis, so requests keep being served; usage events wait in
// the Redis stream and reach the ledger, each exactly once, when the database is back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attoToNanoCeil, nanoToUsd, usdToAtto } from '../../src/core/money.js';
import { budgetedKey, chat, eventually, ledgerRow, probe, settledStatus, type BudgetedKey } from '../support/faults.js';
import { startProxiedGateway, type ProxiedTestGateway } from '../support/proxied-gateway.js';

let t: ProxiedTestGateway;
let key: BudgetedKey;
let client: OpenAI;
let configDir: string | undefined;

beforeAll(async () => {
  // A warm key cache must outlast each outage below, however slowly the calls made during it
  // run: an entry is kept keyCacheSeconds from its lookup (30 s by default) and a hit does not
  // extend it, so an expiry in mid-outage would send lookups to the cut database.
  configDir = mkdtempSync(join(tmpdir(), 'tollgate-pg-down-'));
  const config = join(configDir, 'gateway.config.yaml');
  writeFileSync(config, 'security:\n  keyCacheSeconds: 600\n');
  t = await startProxiedGateway({ env: { TOLLGATE_CONFIG: config } });
  key = await budgetedKey(t, 'pg-down', '1000');
  client = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.secret, maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await t?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** /readyz once it answers `status` with a body matching `shape` (one probe may miss its 1 s deadline on a loaded machine). */
function readyzBecomes(status: number, shape: Record<string, unknown>, what: string): Promise<unknown> {
  return eventually(async () => {
    const response = await fetch(`${t.url}/readyz`);
    const body = (await response.json()) as Record<string, unknown>;
    return response.status === status && Object.entries(shape).every(([field, value]) => body[field] === value) ? body : undefined;
  }, what, 15_000, 100);
}

/** One small chat completion through the SDK; resolves with the gateway's request id. */
async function call(): Promise<string> {
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'Say hello' }] })
    .withResponse();
  return response.headers.get('x-request-id')!;
}

/** `total` calls, `concurrency` at a time; every failure is collected, not thrown. */
async function fire(total: number, concurrency: number): Promise<{ ids: string[]; failures: unknown[] }> {
  const ids: string[] = [];
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      await call().then((id) => ids.push(id), (error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ids, failures };
}

/** Ledger rows (read directly, not through the proxy) among `ids`, and how often each id occurs. */
async function rowsFor(ids: string[]) {
  const rows = await t.direct.prisma.usageRecord.findMany({ where: { requestId: { in: ids } }, select: { requestId: true, status: true, costTotalUsd: true } });
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.requestId, (counts.get(row.requestId) ?? 0) + 1);
  return { rows, counts };
}

describe('PostgreSQL unreachable', () => {
  const all: string[] = [];

  it('with the key cache warm, 1,000 requests (50 at a time) all succeed while the database is cut; once it is back every row lands exactly once', { timeout: 120_000 }, async () => {
    await readyzBecomes(200, { status: 'ready' }, 'ready before the cut');
    const warm = await call(); // caches the key (security.keyCacheSeconds, 600 s here)
    await ledgerRow(t, warm);
    all.push(warm);

    t.dbProxy.cut('reset');
    // The database is cut, so this can only ever show database: false; budgets: true may take a retry.
    await readyzBecomes(503, { status: 'not ready', database: false, budgets: true }, 'not ready, naming the database only');

    const { ids, failures } = await fire(1000, 50);
    expect(failures).toEqual([]);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
    all.push(...ids);
    // Nothing could be written while the database was away.
    expect((await rowsFor(ids)).rows).toHaveLength(0);
    expect(await probe(t, '/healthz')).toBe(200);
    expect(await probe(t, '/readyz')).toBe(503);

    t.dbProxy.restore();
    await eventually(async () => ((await probe(t, '/readyz')) === 200 ? true : undefined), 'ready again', 15_000);
    const { rows, counts } = await eventually(
      async () => {
        const found = await rowsFor(ids);
        return found.rows.length === ids.length ? found : undefined;
      },
      'all 1,000 rows in the ledger',
      60_000,
      250,
    );
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(rows.every((row) => row.status === 200)).toBe(true);
    expect(await t.direct.prisma.usageRecord.count()).toBe(all.length); // and no row besides them

    // The budget counter (in Redis all along) agrees with the ledger: settle charged each call
    // its cost rounded up to the nano-USD, the same rows the ledger now holds.
    const every = await rowsFor(all);
    const expectedNano = every.rows.reduce((sum, row) => sum + attoToNanoCeil(usdToAtto(row.costTotalUsd.toFixed())), 0n);
    const status = await settledStatus(t, key.budgetId);
    expect(status.spentUsd).toBe(nanoToUsd(expectedNano));
  });

  it('a key not in the cache while PostgreSQL is unreachable → 503 in the provider shape within a bounded time, never a hang', { timeout: 60_000 }, async () => {
    const [refusedKey, partitionedKey] = [await t.createKey({ name: 'cold-1' }), await t.createKey({ name: 'cold-2' })];
    t.simulator.clearRequests();

    t.dbProxy.cut('reset'); // connections refused: the lookup fails at once
    let started = Date.now();
    const refused = await chat(t, refusedKey);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
    expect(Date.now() - started).toBeLessThan(3_000);

    t.dbProxy.cut('blackhole'); // accepted and never answered: only a deadline ends the lookup
    started = Date.now();
    const gemini = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': partitionedKey, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
      signal: AbortSignal.timeout(20_000),
    });
    expect(gemini.status).toBe(503);
    expect(((await gemini.json()) as any).error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(t.simulator.requests).toHaveLength(0);

    // The failed lookups were not cached as "invalid": with the database back, both keys work.
    t.dbProxy.restore();
    await eventually(async () => ((await probe(t, '/readyz')) === 200 ? true : undefined), 'ready again', 15_000);
    expect((await chat(t, refusedKey)).status).toBe(200);
    expect((await chat(t, partitionedKey)).status).toBe(200);
  });

  it('a partition (connections held open, nothing forwarded): requests still served, /readyz 503, rows land after it heals', { timeout: 60_000 }, async () => {
    await call(); // the key cache again (warm already when the tests before ran)
    t.dbProxy.cut('blackhole');
    const started = Date.now();
    const down = await fetch(`${t.url}/readyz`);
    expect(down.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000); // the readiness ping has its own deadline
    const { ids, failures } = await fire(50, 10);
    expect(failures).toEqual([]);
    expect(await probe(t, '/healthz')).toBe(200);

    t.dbProxy.restore();
    await eventually(async () => ((await probe(t, '/readyz')) === 200 ? true : undefined), 'ready again', 15_000);
    const { counts } = await eventually(
      async () => {
        const found = await rowsFor(ids);
        return found.rows.length === ids.length ? found : undefined;
      },
      'all 50 rows in the ledger',
      60_000,
      250,
    );
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
