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

/** Polls /readyz until it answers `status` (a reconnecting client may need a moment). */
async function until(status: number, timeoutMs = 10_000): Promise<{ status: number; body: any; ms: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = await ready();
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await ready();
  }
  return last;
}

async function dependencyUp(name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return Number(new RegExp(`^tollgate_dependency_up\\{dependency="${name}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
}

describe('readiness follows PostgreSQL and Redis', () => {
  it('starts ready: database reachable and migrated, Redis reachable', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      failing: [],
      database: true,
      budgets: true,
      checks: { database: { reachable: true, migrated: true, pendingMigrations: [] }, redis: { configured: true, reachable: true } },
    });
  });

  it('PostgreSQL cut: 503 naming the database, while /healthz stays 200; back to 200 once restored', async () => {
    t.dbProxy.cut('reset');
    const down = await until(503);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'not ready', failing: ['database'], database: false, budgets: true, checks: { database: { reachable: false } } });
    expect(typeof down.body.checks.database.error).toBe('string');
    expect(await healthz()).toBe(200);
    expect(await dependencyUp('postgresql')).toBe(0);

    t.dbProxy.restore();
    const up = await until(200);
    expect(up.body).toMatchObject({ status: 'ready', failing: [], database: true });
    expect(await dependencyUp('postgresql')).toBe(1);
  });

  it('PostgreSQL partitioned (packets vanish): /readyz still answers within its timeout, then recovers', async () => {
    t.dbProxy.cut('blackhole');
    const down = await until(503);
    expect(down.body.failing).toEqual(['database']);
    expect(down.ms).toBeLessThan(3_000);
    t.dbProxy.restore();
    expect((await until(200, 15_000)).status).toBe(200);
  });

  it('Redis killed: 503 naming redis; restarted: 200 again', async () => {
    await redis.kill();
    const down = await until(503);
    expect(down.body).toMatchObject({ status: 'not ready', failing: ['redis'], database: true, budgets: false, checks: { redis: { configured: true, reachable: false } } });
    expect(await healthz()).toBe(200);
    expect(await dependencyUp('redis')).toBe(0);

    await redis.restart();
    const up = await until(200, 15_000);
    expect(up.body).toMatchObject({ status: 'ready', failing: [], budgets: true });
    expect(await dependencyUp('redis')).toBe(1);
  });

  it('both away at once: both named', async () => {
    t.dbProxy.cut('reset');
    await redis.kill();
    const down = await until(503);
    await new Promise((r) => setTimeout(r, 200));
    expect((await ready()).body.failing).toEqual(['database', 'redis']);
    t.dbProxy.restore();
    await redis.restart();
    expect((await until(200, 15_000)).status).toBe(200);
    expect(down.status).toBe(503);
  });
});
