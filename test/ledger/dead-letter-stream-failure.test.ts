/**
 * The Redis dead-letter stream refusing a write (here: its key holds another type, so XADD
 * answers WRONGTYPE): the refused entry is not lost and its batch is not acknowledged, the
 * good rows are written once, and everything completes once the stream accepts writes again.
 * Real Redis queue, real Redis dead-letter stream, real PostgreSQL.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { makeEvents } from '../support/usage-events.js';

let env: LedgerEnv;
beforeEach(async () => {
  env = await openLedgerEnv();
});
afterEach(async () => {
  await env.dispose();
});

it('keeps the batch pending while dead letters cannot be stored, then stores each once and acknowledges', async () => {
  const deadKey = env.deadLetters.key;
  await env.redis.set(deadKey, 'not a stream');
  await env.appendMany(makeEvents(4));
  await env.append({ requestId: 'malformed' });
  const w = new LedgerWriter({ prisma: env.db.database.prisma, queue: env.store.usage, deadLetters: env.deadLetters });

  await expect(w.flushOnce()).rejects.toThrow(/WRONGTYPE/);
  await expect(w.flushOnce()).rejects.toThrow(/WRONGTYPE/); // retried, still refused
  expect(await env.rowCount()).toBe(4); // the good rows are committed once, not again
  expect(await env.store.usage.length()).toBe(5); // nothing acknowledged
  expect(w.deadLettered).toBe(0);

  await env.redis.del(deadKey);
  expect(await w.flushOnce()).toBe(5);
  expect(await env.store.usage.length()).toBe(0);
  expect(await env.rowCount()).toBe(4);
  const dead = await env.deadLetters.list();
  expect(dead).toHaveLength(1);
  expect(dead[0]).toMatchObject({ fields: { requestId: 'malformed' } });
  expect(dead[0]!.error).toMatch(/missing/);
  expect(w).toMatchObject({ rowsWritten: 4, deadLettered: 1, duplicates: 0 });
});
