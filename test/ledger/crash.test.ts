/**
 * A writer that dies mid-batch: its entries were read (pending for it) and maybe even
 * committed, but never acknowledged. Another writer must take them over after claimIdleMs
 * and the ledger must end with every request exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryUsageQueue, type UsageQueue } from '../../src/budgets/usage-queue.js';
import { MemoryDeadLetters } from '../../src/ledger/dead-letter.js';
import { decodeUsageEvent, encodeUsageEvent, type UsageEvent } from '../../src/ledger/event.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { REDIS_URL, openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { makeEvents } from '../support/usage-events.js';

let env: LedgerEnv;
beforeEach(async () => {
  env = await openLedgerEnv();
});
afterEach(async () => {
  await env.dispose();
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every expected request id is in the table exactly once, and nothing else is. */
async function expectExactlyOnce(events: readonly UsageEvent[]): Promise<void> {
  const rows = await env.db.database.prisma.usageRecord.findMany({ select: { requestId: true } });
  const ids = rows.map((r) => r.requestId);
  expect(ids.length).toBe(events.length);
  expect(new Set(ids).size).toBe(events.length);
  expect(new Set(ids)).toEqual(new Set(events.map((e) => e.requestId)));
}

/**
 * The dead writer: reads a batch, commits the first `committed` rows of it, and "crashes"
 * (never acknowledges anything).
 */
async function dieMidBatch(queue: UsageQueue, count: number, committed: number): Promise<void> {
  const entries = await queue.read('dead-writer', count, 0);
  expect(entries).toHaveLength(count);
  const events = entries.slice(0, committed).map((e) => {
    const d = decodeUsageEvent(e.event);
    if (!d.ok) throw new Error(d.error);
    return d.event;
  });
  await insertWithRecordset(env.db.database.prisma, events);
}

describe.each(['redis', 'memory'] as const)('a writer killed mid-batch (%s queue)', (kind) => {
  it('loses no row and duplicates none: a second writer claims the stale entries', { timeout: 60_000 }, async () => {
    const events = makeEvents(300);
    let queue: UsageQueue;
    if (kind === 'redis') {
      queue = env.store.usage;
      await env.appendMany(events);
    } else {
      const memory = new MemoryUsageQueue();
      for (const e of events) memory.append(encodeUsageEvent(e));
      queue = memory;
    }
    const deliveredAt = Date.now();
    await dieMidBatch(queue, 100, 40);

    const survivor = new LedgerWriter({
      prisma: env.db.database.prisma,
      queue,
      deadLetters: kind === 'redis' ? env.deadLetters : new MemoryDeadLetters(),
      consumerName: 'survivor',
      blockMs: 50,
      // Long enough for the survivor to write the 200 fresh entries and for the test to see
      // it before the dead writer's 100 become claimable, even on a loaded machine.
      claimIdleMs: 5000,
      claimEveryMs: 100,
    });
    survivor.start();
    // The 200 never-delivered events go at once; the dead writer's 100 only once idle.
    // Rows commit before their ack, so wait for both: 240 rows in and the 200 acknowledged.
    await waitFor(async () => (await env.rowCount()) >= 240 && (await queue.length()) === 100, 10_000);
    expect(survivor.claimed).toBe(0); // the dead writer's entries are still too fresh to take
    await waitFor(async () => (await queue.length()) === 0, 20_000);
    expect(Date.now() - deliveredAt).toBeGreaterThanOrEqual(5000); // not claimed while fresh
    await survivor.stop();

    expect(survivor.claimed).toBe(100);
    expect(survivor.rowsWritten).toBe(260);
    expect(survivor.duplicates).toBe(40); // the rows the dead writer had committed
    await expectExactlyOnce(events);
  });
});

/** A writer process. Detached, so killing its process group also kills tsx's node child. */
function startChild(consumer: string, ackDelayMs: number): { child: ChildProcess; lines: string[]; ready: Promise<void> } {
  const child = spawn(resolve('node_modules/.bin/tsx'), [resolve('test/support/ledger-writer-child.ts')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LEDGER_DATABASE_URL: env.db.url,
      LEDGER_REDIS_URL: REDIS_URL,
      LEDGER_PREFIX: env.prefix,
      LEDGER_CONSUMER: consumer,
      LEDGER_BATCH: '100',
      LEDGER_CLAIM_IDLE_MS: '500',
      LEDGER_ACK_DELAY_MS: String(ackDelayMs),
    },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ready = new Promise<void>((ok, fail) => {
    const timer = setInterval(() => {
      if (lines.includes('ready')) {
        clearInterval(timer);
        ok();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      fail(new Error(`writer ${consumer} exited (${code}) before it was ready: ${stderr}`));
    });
  });
  return { child, lines, ready };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => child.once('exit', () => ok()));
}

describe('a writer process killed with SIGKILL', () => {
  it('leaves no gap and no duplicate once a second writer process has run', async () => {
    const events = makeEvents(4000);
    await env.appendMany(events.slice(0, 2000));
    // 200 ms between a commit and its ack: the 40 batches would take at least 8 s, so the
    // kill after the fifth surely lands mid-stream however slowly this process gets to it.
    const first = startChild('child-a', 200);
    await first.ready;
    const appending = env.appendMany(events.slice(2000)); // more traffic while it writes
    await waitFor(() => first.lines.filter((l) => l.startsWith('wrote')).length >= 5, 30_000);
    process.kill(-first.child.pid!, 'SIGKILL');
    await exited(first.child);
    await appending;

    const rowsAtKill = await env.rowCount();
    expect(rowsAtKill).toBeGreaterThan(0);
    expect(rowsAtKill).toBeLessThan(4000); // it died mid-stream
    expect(await env.store.usage.length()).toBeGreaterThan(0);

    const second = startChild('child-b', 30);
    try {
      await second.ready;
      await waitFor(async () => (await env.store.usage.length()) === 0, 60_000);
    } finally {
      process.kill(-second.child.pid!, 'SIGTERM');
      await exited(second.child);
    }
    await expectExactlyOnce(events);
  }, 120_000);
});
