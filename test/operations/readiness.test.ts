// Acceptance: /readyz flips to 503 when PostgreSQL or Redis goes away, naming the part that
// failed, and back to 200 when it returns; /healthz stays 200 throughout. PostgreSQL is reached
// through a cuttable TCP proxy and Redis is a private redis-server: the shared ones are untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { startProxiedGateway, type ProxiedTestGateway } from '../support/proxied-gateway.js';

let redis: PrivateRedis;
let t: ProxiedTestGateway;

beforeAll(async () => {
  redis = await startPrivateRedis();
  t = await startProxiedGateway({ env: { REDIS_URL: redis.url } });
});

afterAll(async () => {
  // Shut down against live dependencies, so the last ledger flush does not wait out its deadline.
  if (redis && !redis.running) await redis.restart().catch(() => {});
  await t?.close();
  await redis?.kill();
});

async function ready(): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${t.url}/readyz`);
  return { status: response.status, body: await response.json(), ms: Date.now() - started };
}

async function healthz(): Promise<number> {
  const response = await fetch(`${t.url}/healthz`);
  await response.arrayBuffer();
  return response.status;
}

type Answer = { status: number; body: any; ms: number };

/**
 * Polls /readyz until it answers `status`, or until `accept` holds (a reconnecting client may
 * need a moment, and on a loaded machine one check of a dependency that is up can miss its 1 s
 * bound). The last answer either way: the caller's assertions show what it really said.
 */
async function until(wanted: number | ((answer: Answer) => boolean), timeoutMs = 10_000): Promise<Answer> {
  const accept = typeof wanted === 'number' ? (answer: Answer) => answer.status === wanted : wanted;
  const deadline = Date.now() + timeoutMs;
  let last = await ready();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await ready();
  }
  return last;
}

/** Until /readyz names exactly `failing` (the parts really down, and no other that missed a check). */
function untilFailing(failing: string[], timeoutMs = 10_000): Promise<Answer> {
  return until((answer) => answer.status === 503 && JSON.stringify(answer.body?.failing) === JSON.stringify(failing), timeoutMs);
}

async function dependencyUp(name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(new RegExp(`^tollgate_dependency_up\\{dependency="${name}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
}

/**
 * The gauge once it reads `value`, else the last reading. It is also set by a periodic check in
 * the background, which on a loaded machine can miss once against a dependency that is up.
 */
async function dependencyUpUntil(name: string, value: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await dependencyUp(name);
  while (last !== value && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await dependencyUp(name);
  }
  return last;
}

describe('readiness follows PostgreSQL and Redis', () => {
  it('starts ready: database reachable and migrated, Redis reachable', async () => {
    const { status, body } = await until(200);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      failing: [],
      database: true,
      budgets: true,
      checks: { database: { reachable: true, migrated: true, pendingMigrations: [] }, redis: { configured: true, reachable: true } },
    });
  });

  it('PostgreSQL cut: 503 naming the database, while /healthz stays 200; back to 200 once restored', { timeout: 60_000 }, async () => {
    t.dbProxy.cut('reset');
    const down = await untilFailing(['database']);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'not ready', failing: ['database'], database: false, budgets: true, checks: { database: { reachable: false } } });
    expect(typeof down.body.checks.database.error).toBe('string');
    expect(await healthz()).toBe(200);
    expect(await dependencyUp('postgresql')).toBe(0);

    t.dbProxy.restore();
    const up = await until(200);
    expect(up.body).toMatchObject({ status: 'ready', failing: [], database: true });
    expect(await dependencyUpUntil('postgresql', 1)).toBe(1);
  });

  it('PostgreSQL partitioned (packets vanish): /readyz still answers within its timeout, then recovers', { timeout: 60_000 }, async () => {
    t.dbProxy.cut('blackhole');
    const down = await untilFailing(['database']);
    expect(down.body.failing).toEqual(['database']);
    expect(down.ms).toBeLessThan(3_000);
    t.dbProxy.restore();
    expect((await until(200, 15_000)).status).toBe(200);
  });

  it('Redis killed: 503 naming redis; restarted: 200 again', { timeout: 90_000 }, async () => {
    await redis.kill();
    const down = await untilFailing(['redis']);
    expect(down.body).toMatchObject({ status: 'not ready', failing: ['redis'], database: true, budgets: false, checks: { redis: { configured: true, reachable: false } } });
    expect(await healthz()).toBe(200);
    expect(await dependencyUp('redis')).toBe(0);

    await redis.restart();
    const up = await until(200, 15_000);
    expect(up.body).toMatchObject({ status: 'ready', failing: [], budgets: true });
    expect(await dependencyUpUntil('redis', 1)).toBe(1);
  });

  it('both away at once: both named', { timeout: 90_000 }, async () => {
    t.dbProxy.cut('reset');
    await redis.kill();
    // Each failure shows on the first check that sees it: wait for one that sees both.
    const down = await untilFailing(['database', 'redis']);
    expect(down.status).toBe(503);
    expect(down.body.failing).toEqual(['database', 'redis']);
    t.dbProxy.restore();
    await redis.restart();
    expect((await until(200, 15_000)).status).toBe(200);
  });
});
