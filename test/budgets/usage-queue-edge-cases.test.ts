/**
 * The usage queues at their edges. In process: claimStale hands out at most `count`, and
 * close() releases a reader blocked on an empty queue. On Redis (real Redis, own prefix):
 * ids that are not the queue's are refused, an empty ack costs nothing, claimStale stops at
 * `count` across shard streams, and a stream key clobbered by another type fails the call
 * loudly, then works again once the key is fixed (the groups are created afresh).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shardBase, streamKey, usageStreamKeys } from '../../src/budgets/keys.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { MemoryUsageQueue } from '../../src/budgets/usage-queue.js';
import { REDIS_URL, deleteKeysUnder } from '../support/ledger-env.js';

describe('in-process queue', () => {
  it('claimStale hands out at most `count` stale entries per call', async () => {
    const q = new MemoryUsageQueue();
    for (let i = 0; i < 5; i++) q.append({ n: String(i) });
    expect(await q.read('dead-writer', 10, 0)).toHaveLength(5);
    const first = await q.claimStale('new-writer', 0, 2);
    expect(first.map((e) => e.event.n)).toEqual(['0', '1']);
    expect(await q.length()).toBe(5); // claimed is still pending, not acknowledged
  });

  it('close() releases a reader blocked on an empty queue, with nothing', async () => {
    const q = new MemoryUsageQueue();
    const started = Date.now();
    const blocked = q.read('writer', 10, 60_000);
    q.close();
    expect(await blocked).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000); // released by close, not by its minute
  });
});

describe('Redis queue', () => {
  const admin = new Redis(REDIS_URL);
  let prefix: string;
  let store: RedisBudgetStore;
  const open = (): RedisBudgetStore => {
    prefix = `tgtest:queue:${randomUUID().slice(0, 8)}:`;
    store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
    return store;
  };
  const append = (shardKey: string, n: number) => admin.xadd(streamKey(shardBase(prefix, shardKey)), '*', 'n', String(n));
  afterEach(async () => {
    await store.close();
    await deleteKeysUnder(admin, prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('an empty ack is a no-op; an id that is not one of the queue\'s is refused before anything is sent', async () => {
    const { usage } = open();
    await append('org-a', 1);
    const [entry] = await usage.read('writer', 10, 0);
    await usage.ack([]);
    expect(await usage.length()).toBe(1);
    for (const bad of ['1700000000000-0', '99/1700000000000-0', `x${entry!.id}`]) {
      await expect(usage.ack([entry!.id, bad])).rejects.toThrow(`not a usage event id: ${bad}`);
    }
    expect(await usage.length()).toBe(1); // the good id in the same call was not acknowledged
    await usage.ack([entry!.id]);
    expect(await usage.length()).toBe(0);
  });

  it('claimStale stops at `count`, across shard streams', async () => {
    const { usage } = open();
    // Different organizations land on different shard streams.
    const orgs = ['org-a', 'org-b', 'org-c', 'org-d', 'org-e', 'org-f'];
    expect(new Set(orgs.map((o) => streamKey(shardBase(prefix, o)))).size).toBeGreaterThan(2);
    for (const [i, org] of orgs.entries()) await append(org, i);
    expect(await usage.read('dead-writer', 100, 0)).toHaveLength(orgs.length);
    const claimed = await usage.claimStale('new-writer', 0, 3);
    expect(claimed).toHaveLength(3);
    const rest = await usage.claimStale('new-writer', 0, 100);
    expect(rest).toHaveLength(orgs.length); // all still pending (claimed again, not acked)
  });

  it('a stream key holding another type fails reads; once it is fixed the groups are made again', async () => {
    const { usage } = open();
    const clobbered = usageStreamKeys(prefix)[0]!;
    await admin.set(clobbered, 'not a stream');
    await expect(usage.read('writer', 10, 0)).rejects.toThrow(/WRONGTYPE|key holding the wrong kind/);
    await admin.del(clobbered);
    await append('org-a', 7);
    expect((await usage.read('writer', 10, 0)).map((e) => e.event)).toEqual([{ n: '7' }]);
  });

  it('an ack whose stream was replaced by another type fails, and the entry stays unacknowledged', async () => {
    const { usage } = open();
    await append('org-a', 1);
    const [entry] = await usage.read('writer', 10, 0);
    const stream = streamKey(shardBase(prefix, 'org-a'));
    const aside = `${stream}:aside`;
    await admin.rename(stream, aside);
    await admin.set(stream, 'not a stream');
    await expect(usage.ack([entry!.id])).rejects.toThrow(/WRONGTYPE/);
    await admin.del(stream);
    await admin.rename(aside, stream);
    expect(await usage.length()).toBe(1);
    await usage.ack([entry!.id]);
    expect(await usage.length()).toBe(0);
  });
});
