/**
 * The Redis store against the shared Redis at 127.0.0.1:6379. Every test works under its
 * own random key prefix and deletes only the keys under it (never FLUSHDB).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetStoreUnavailableError } from '../../src/budgets/errors.js';
import { SHARD_COUNT, shardOf, usageStreamKeys } from '../../src/budgets/keys.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { closedPort } from '../support/ports.js';
import { NOW, contract, rule } from './store-contract.js';

const REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = new Redis(REDIS_URL);

afterAll(async () => {
  await admin.quit();
});

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function deleteUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  for (let i = 0; i < keys.length; i += 500) await admin.del(...keys.slice(i, i + 500));
}

async function openStores(): Promise<{ prefix: string; store: RedisBudgetStore; peer: RedisBudgetStore; dispose(): Promise<void> }> {
  const prefix = `tgtest:${randomUUID().slice(0, 8)}:`;
  const store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
  const peer = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
  expect(await store.ready()).toBe(true);
  expect(await peer.ready()).toBe(true);
  return {
    prefix,
    store,
    peer,
    async dispose() {
      await Promise.all([store.close(), peer.close()]);
      await deleteUnder(prefix);
    },
  };
}

function parseUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379) };
}

contract('redis', openStores);

describe('redis: key layout', () => {
  it('every key of one organization, and its usage stream, sit in one cluster hash slot', async () => {
    const { prefix, store, dispose } = await openStores();
    try {
      const rules = [
        rule({ thresholds: [50, 100] }),
        rule({ level: 'team', entityId: 't:with:colons', period: 'weekly', thresholds: [50] }),
        rule({ level: 'organization', entityId: 'org-42', period: 'monthly', timezone: 'Asia/Kolkata' }),
        rule({ level: 'organization', entityId: 'org-42', period: 'total' }),
      ];
      const input = {
        shardKey: 'org-42', requestId: randomUUID(), amountNano: 60_000_000n, rules,
        counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
      };
      expect((await store.reserve(input)).admitted).toBe(true);
      await store.settle({ ...input, actualNano: 60_000_000n, event: { a: 'b' } });
      // Leaves live holds behind, so the hold keys exist too.
      expect((await store.reserve({ ...input, requestId: randomUUID(), amountNano: 10_000_000n })).admitted).toBe(true);
      const keys = await keysUnder(prefix);
      const stream = usageStreamKeys(prefix)[shardOf('org-42')]!;
      expect(keys).toContain(stream);
      // 4 counters + 4 seed states + 4 held + 4 exp + 2 alerts (60% passed 50% twice)
      // + settled marker + stream
      expect(keys.length).toBe(20);
      const slots = new Set(keys.map((k) => calculateSlot(k)));
      expect([...slots]).toEqual([calculateSlot(stream)]);
      // Counters expire after their period; `total` does not.
      for (const key of keys.filter((k) => /:b:.*:(d|w|m):/.test(k))) expect(await admin.pttl(key)).toBeGreaterThan(0);
      expect(await admin.pttl(keys.find((k) => k.endsWith(':total'))!)).toBe(-1);
      expect(await admin.pttl(keys.find((k) => k.endsWith(':total:seed'))!)).toBe(-1);
    } finally {
      await dispose();
    }
  });

  it('lists one usage stream per shard, each in its own slot', () => {
    const streams = usageStreamKeys('tg:');
    expect(streams).toHaveLength(SHARD_COUNT);
    expect(streams[7]).toBe('tg:{s07}:usage');
    expect(new Set(streams.map((k) => calculateSlot(k))).size).toBe(SHARD_COUNT);
  });
});

describe('redis: fail fast, recover by itself', () => {
  it('rejects with BudgetStoreUnavailableError at once when Redis is unreachable', async () => {
    const port = await closedPort();
    const store = new RedisBudgetStore({ redis: { host: '127.0.0.1', port } });
    try {
      const started = Date.now();
      const input = {
        shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [rule()],
        counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
      };
      await expect(store.reserve(input)).rejects.toBeInstanceOf(BudgetStoreUnavailableError);
      await expect(store.settle({ ...input, actualNano: 1n, event: {} })).rejects.toBeInstanceOf(BudgetStoreUnavailableError);
      expect(await store.ping()).toBe(false);
      // Generous for a loaded machine, yet far below what ioredis does without the fail-fast
      // options (an offline queue and 20 retries with backoff: about 10 s before a rejection).
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await store.close();
    }
  });

  it('serves again by itself once Redis is reachable again (through a proxy we cut)', async () => {
    const proxy = await startProxy(0);
    const prefix = `tgtest:${randomUUID().slice(0, 8)}:`;
    const store = new RedisBudgetStore({ keyPrefix: prefix, redis: { host: '127.0.0.1', port: proxy.port } });
    const input = () => ({
      shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [rule()],
      counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
    });
    let restarted: Awaited<ReturnType<typeof startProxy>> | undefined;
    try {
      expect(await store.ready()).toBe(true);
      expect((await store.reserve(input())).admitted).toBe(true);
      await proxy.stop();
      const started = Date.now();
      await expect(store.reserve(input())).rejects.toBeInstanceOf(BudgetStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000); // queued for reconnects, it would take about 10 s
      restarted = await startProxy(proxy.port);
      expect(await store.ready(5000)).toBe(true);
      expect((await store.reserve(input())).admitted).toBe(true);
    } finally {
      await store.close();
      await restarted?.stop();
      await deleteUnder(prefix);
    }
  });
});

describe('redis: errors', () => {
  it('a store used right after construction waits for its first connection instead of failing', async () => {
    const prefix = `tgtest:${randomUUID().slice(0, 8)}:`;
    const store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
    try {
      const result = await store.reserve({
        shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [rule()],
        counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
      });
      expect(result.admitted).toBe(true);
    } finally {
      await store.close();
      await deleteUnder(prefix);
    }
  });

  it('a Redis that hangs costs at most the command timeout', async () => {
    const proxy = await startProxy(0);
    const store = new RedisBudgetStore({ commandTimeoutMs: 200, redis: { host: '127.0.0.1', port: proxy.port } });
    try {
      expect(await store.ready()).toBe(true);
      proxy.freeze();
      const started = Date.now();
      const input = {
        shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [rule()],
        counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
      };
      await expect(store.reserve(input)).rejects.toBeInstanceOf(BudgetStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000); // without a command timeout it would wait forever
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it('an error Redis answers for a bad call is not mistaken for unavailability', async () => {
    const { prefix, store, dispose } = await openStores();
    try {
      const r = rule();
      const input = {
        shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [r],
        counterEntityIds: {}, now: NOW, reservationTtlMs: 60_000,
      };
      // Break the counter's type behind the store's back.
      const tag = usageStreamKeys(prefix)[shardOf('org-1')]!.replace(/usage$/, '');
      await admin.hset(`${tag}b:${r.id}:${r.entityId}:d:2026-11-22`, 'x', '1');
      const err = await store.reserve(input).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(BudgetStoreUnavailableError);
      expect(String(err)).toMatch(/WRONGTYPE/);
    } finally {
      await dispose();
    }
  });
});

/** A TCP proxy to the shared Redis that we can cut, so no test ever stops Redis itself. */
async function startProxy(port: number): Promise<{ port: number; freeze(): void; stop(): Promise<void> }> {
  const target = parseUrl(REDIS_URL);
  const sockets = new Set<net.Socket>();
  let frozen = false; // frozen: connections stay open but nothing gets through (a hung Redis)
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => frozen || upstream.write(d));
    upstream.on('data', (d) => frozen || client.write(d));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      frozen = true;
    },
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
