/**
 * Stopping the ledger writer while PostgreSQL is away: stop({ flush }) gives up at its timeout
 * instead of hanging shutdown, leaves every unwritten event pending in the queue (for the next
 * writer), says so in a warning, and leaves no loop running behind it.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MemoryUsageQueue } from '../../src/budgets/usage-queue.js';
import { encodeUsageEvent } from '../../src/ledger/event.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { makeEvents } from '../support/usage-events.js';

let unreachable: Database;
beforeEach(async () => {
  unreachable = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
});
afterEach(async () => {
  await unreachable.close();
});

it('stop({ flush, timeoutMs }) returns after the timeout with the events still pending, and warns', async () => {
  const queue = new MemoryUsageQueue();
  for (const e of makeEvents(3)) queue.append(encodeUsageEvent(e));
  const warnings: object[] = [];
  const noop = (): void => {};
  const w = new LedgerWriter({
    prisma: unreachable.prisma,
    queue,
    blockMs: 20,
    minRetryDelayMs: 10,
    maxRetryDelayMs: 20,
    logger: { info: noop, error: noop, warn: (obj, msg) => msg?.includes('stopped') && warnings.push(obj) },
  });
  w.start();
  w.start(); // already running: still one loop
  while (w.writeErrors === 0) await new Promise((r) => setTimeout(r, 10));

  await w.stop({ flush: true, timeoutMs: 200 });
  expect(w.rowsWritten).toBe(0);
  expect(await queue.length()).toBe(3); // nothing acknowledged, nothing dropped
  expect(warnings).toEqual([{ batch: 3, readAhead: false }]);

  // No loop survives stop(): the error count stays where it is.
  const errors = w.writeErrors;
  await new Promise((r) => setTimeout(r, 150));
  expect(w.writeErrors).toBe(errors);
});
