/**
 * Large batches on the Redis usage queue. XREADGROUP over the 16 shard streams answers with
 * up to `count` entries per stream, so a read at batch 1000 can bring back 16,000 entries.
 * When such reads went through the budget store's fail-fast connection (500 ms command
 * timeout), a busy machine made them time out after Redis had already delivered the entries:
 * they sat pending until `claimStale` took them back 30 s later (bench: 360 rows/s at batch
 * 2000). Here the store's command timeout is 1 ms, so any ledger traffic on that connection
 * fails at once; the writer must still drain the backlog, without errors or stale claims.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openLedgerEnv, REDIS_URL, type LedgerEnv } from '../support/ledger-env.js';
import { makeEvents } from '../support/usage-events.js';

let env: LedgerEnv;
let store: RedisBudgetStore;
beforeEach(async () => {
  env = await openLedgerEnv();
  store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: env.prefix, commandTimeoutMs: 1 });
});
afterEach(async () => {
  await store.close();
  await env.dispose();
});

it('drains a backlog read in large batches even when the budget connection times out after 1 ms', async () => {
  // 64 organizations spread the events over every shard stream, as in production.
  const events = makeEvents(6000).map((e, i) => ({ ...e, organizationId: `org-${i % 64}` }));
  await env.appendMany(events);
  const writer = new LedgerWriter({ prisma: env.db.database.prisma, queue: store.usage, batchSize: 1000, blockMs: 50, claimIdleMs: 60_000 });
  let steps = 0;
  while ((await writer.flushOnce()) > 0) steps += 1;
  expect(writer.queueErrors).toBe(0);
  expect(writer.claimed).toBe(0);
  expect(writer.rowsWritten).toBe(6000);
  expect(steps).toBe(6);
  expect(await env.rowCount()).toBe(6000);
  expect(await env.store.usage.length()).toBe(0);
}, 60_000);
