// Issue 5 fault: the GATEWAY killed with SIGKILL while usage events are in flight, then
// restarted → no row lost, none duplicated. (crash.test.ts kills a standalone writer process;
// here it is `tollgate start` itself, settle, stream, writer and all.)
//
// PostgreSQL is cut first (a TCP proxy in front of it, test/support/tcp-proxy.ts), so every
// completed request's event is still in the Redis stream when the process dies: some of them
// read by its writer and pending for it (that consumer is dead), the rest never delivered. A
// new gateway on the same Redis prefix and database must write every one of them exactly once:
// the undelivered ones at once, the dead consumer's once they have been idle for the writer's
// claimIdleMs (30 s; not configurable, hence the long timeout).
//
// A request still in flight (admitted and reserved, never settled) when the process dies has
// no event at all: it leaves no row, and its hold stops counting once the reservation TTL passes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBudget } from '../../src/admin/budgets.js';
import { createKey } from '../../src/admin/keys.js';
import { budgetRule } from '../../src/budgets/directory.js';
import { usageStreamKeys } from '../../src/budgets/keys.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import type { BudgetRule } from '../../src/budgets/types.js';
import { USAGE_GROUP } from '../../src/budgets/usage-queue-redis.js';
import { attoToNanoCeil, usdToAtto } from '../../src/core/money.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { childEnv, spawnGateway, type ChildGateway } from '../operations/child-gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/faults.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const COMPLETED = 200;
// Long enough that the hold is still counted once the second gateway is up (a cold start of
// node and Prisma on a loaded machine can take many seconds), short enough that it lapses
// soon after the dead consumer's entries are claimed (about 30 s after the kill) instead of
// adding its own wait.
const RESERVATION_TTL_SECONDS = 45;

let database: TestDatabase;
let proxy: TcpProxy;
let simulator: Simulator;
let redis: Redis;
/** Read-only here: the budget counter as both gateways see it (PostgreSQL plays no part). */
let store: RedisBudgetStore;
let rule: BudgetRule;
let keyId: string;
let configDir: string;
let env: Record<string, string>;
let first: ChildGateway | undefined;
let second: ChildGateway | undefined;
let key: string;

beforeAll(async () => {
  // The budget is monthly (UTC) and its counter is compared with the ledger at the end: a
  // month can only turn at a UTC midnight, so keep the test away from one.
  await clearOfDayBoundary();
  [database, simulator] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const target = new URL(database.url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  // A short reservation TTL, so the dead request's hold is seen to lapse within the test.
  configDir = mkdtempSync(join(tmpdir(), 'tollgate-sigkill-'));
  writeFileSync(join(configDir, 'gateway.config.yaml'), `budgets:\n  reservationTtlSeconds: ${RESERVATION_TTL_SECONDS}\n`);
  // Both gateways: the same database (through the proxy), Redis prefix and secrets.
  env = childEnv(proxy.rewrite(database.url), simulator, { TOLLGATE_CONFIG: join(configDir, 'gateway.config.yaml') });
  redis = new Redis(env.REDIS_URL!);
  store = new RedisBudgetStore({ url: env.REDIS_URL, keyPrefix: env.TOLLGATE_REDIS_KEY_PREFIX });
  // Written straight to the database, before the gateway starts, so it loads both at start.
  const created = await createKey(database.database.prisma, env.TOLLGATE_KEY_SECRET!, { name: 'sigkill' });
  key = created.secret;
  keyId = created.id;
  rule = budgetRule(await createBudget(database.database.prisma, { level: 'key', entityId: created.id, period: 'monthly', limitUsd: '100' }));
}, 180_000);

afterAll(async () => {
  // The first one's cleanup deletes the shared Redis prefix: last.
  await second?.cleanup();
  await first?.cleanup();
  redis?.disconnect();
  await store?.close();
  await proxy?.close();
  await simulator?.close();
  await database?.drop();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** A small chat completion with our own request id (the gateway keeps a sane client-sent one). */
function chat(url: string, requestId: string, headers: Record<string, string> = {}, content = 'Say hello') {
  return fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content }] }),
  });
}

/** Unacknowledged events (XLEN sum) and, per consumer, the entries read and not acknowledged. */
async function streamState(): Promise<{ length: number; pendingBy: Map<string, number> }> {
  let length = 0;
  const pendingBy = new Map<string, number>();
  for (const stream of usageStreamKeys(env.TOLLGATE_REDIS_KEY_PREFIX)) {
    length += await redis.xlen(stream);
    if (!(await redis.exists(stream))) continue;
    const summary = (await redis.xpending(stream, USAGE_GROUP).catch(() => [0, null, null, null])) as [number, string | null, string | null, Array<[string, string]> | null];
    for (const [consumer, count] of summary[3] ?? []) pendingBy.set(consumer, (pendingBy.get(consumer) ?? 0) + Number(count));
  }
  return { length, pendingBy };
}

/** The key budget's counter straight from Redis (the admin API would need the database). */
const budgetStatus = () => store.status(rule, keyId, new Date());

describe('the gateway process killed with SIGKILL', () => {
  it(`with ${COMPLETED} completed requests' events still in the stream: after a restart each has exactly one row; the one in flight has none`, { timeout: 180_000 }, async () => {
    const run = randomBytes(4).toString('hex');
    first = spawnGateway(env);
    const url = await first.listening();

    // Warm the key cache (the database is about to go) and see one row land normally.
    const warmId = `warm-${run}`;
    expect((await chat(url, warmId)).status).toBe(200);
    await eventually(() => database.database.prisma.usageRecord.findUnique({ where: { requestId: warmId } }).then((r) => r ?? undefined), 'the warm-up row');

    proxy.cut('reset');
    const ids = Array.from({ length: COMPLETED }, (_, i) => `done-${run}-${i}`);
    for (let i = 0; i < ids.length; i += 20) {
      const statuses = await Promise.all(ids.slice(i, i + 20).map(async (id) => {
        const response = await chat(url, id);
        await response.arrayBuffer(); // completed: the whole answer read, so the call settled
        return response.status;
      }));
      expect(statuses).toEqual(Array(statuses.length).fill(200));
    }

    // One more, held upstream: admitted and reserved, but never answered before the kill.
    const inFlightId = `inflight-${run}`;
    const marker = `held-${run}`;
    const inFlight = chat(url, inFlightId, { 'x-sim-first-byte-delay-ms': '120000' }, marker).then((r) => r.status, () => 'failed' as const);
    await eventually(async () => (simulator.requests.some((r) => r.body.includes(marker)) ? true : undefined), 'the held request upstream');
    await eventually(async () => ((await budgetStatus()).reservedNano > 0n ? true : undefined), 'its hold in the budget');

    // Every completed request's event is in the stream; none reached PostgreSQL.
    await eventually(async () => ((await streamState()).length === COMPLETED ? true : undefined), 'all events appended', 10_000);
    expect(await database.database.prisma.usageRecord.count()).toBe(1);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed, no exit code: nothing ran on the way out
    expect(await inFlight).toBe('failed');

    // Some events were read by the dead gateway's writer (pending for it), the rest never delivered.
    const atKill = await streamState();
    expect(atKill.length).toBe(COMPLETED);
    const deadConsumers = [...atKill.pendingBy.keys()];
    expect(deadConsumers).toHaveLength(1);
    expect(deadConsumers[0]).toContain(`-${first.child.pid}-`);
    expect(atKill.pendingBy.get(deadConsumers[0]!)).toBeGreaterThan(0);
    expect(atKill.pendingBy.get(deadConsumers[0]!)).toBeLessThan(COMPLETED);

    proxy.restore();
    second = spawnGateway(env);
    await second.listening();
    // The dead request's hold is still counted until its TTL passes.
    expect((await budgetStatus()).reservedNano).toBeGreaterThan(0n);

    await eventually(
      async () => ((await streamState()).length === 0 && (await database.database.prisma.usageRecord.count()) >= COMPLETED + 1 ? true : undefined),
      'the stream drained into the ledger',
      90_000,
      500,
    );
    const rows = await database.database.prisma.usageRecord.findMany({ select: { requestId: true, status: true, costTotalUsd: true } });
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.requestId, (counts.get(row.requestId) ?? 0) + 1);
    for (const id of ids) expect(counts.get(id), id).toBe(1);
    expect(counts.get(inFlightId)).toBeUndefined(); // never settled: no event, no row
    expect(rows).toHaveLength(COMPLETED + 1); // the N, the warm-up, nothing else
    expect(rows.every((r) => r.status === 200)).toBe(true);
    expect((await streamState()).pendingBy.size).toBe(0); // the dead consumer's entries were claimed and acknowledged

    // The counter charged each settled call once (its cost rounded up to the nano-USD), and the
    // dead request's hold lapsed with its TTL: nothing of it was spent, nothing stays reserved.
    const spentNano = rows.reduce((sum, r) => sum + attoToNanoCeil(usdToAtto(r.costTotalUsd.toFixed())), 0n);
    const settled = await eventually(async () => {
      const status = await budgetStatus();
      return status.reservedNano === 0n ? status : undefined;
    }, 'the dead hold to lapse', (RESERVATION_TTL_SECONDS + 10) * 1000, 500);
    expect(settled.spentNano).toBe(spentNano);
  });
});
