/**
 * The ledger writer against real PostgreSQL (a fresh database per test), on the real
 * Redis-stream usage queue (its own key prefix per test) and on the in-process queue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { DeadLetter } from '../../src/ledger/dead-letter.js';
import { encodeUsageEvent } from '../../src/ledger/event.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { LedgerWriter, type LedgerWriterOptions } from '../../src/ledger/writer.js';
import { openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { QUEUE_KINDS, queueHarness, type QueueHarness } from '../support/ledger-queues.js';
import { makeEvent, makeEvents } from '../support/usage-events.js';

let env: LedgerEnv;
let q: QueueHarness;
afterEach(async () => {
  await env.dispose();
});

function writer(over: Partial<LedgerWriterOptions> = {}): LedgerWriter {
  return new LedgerWriter({
    prisma: env.db.database.prisma,
    queue: q.queue,
    deadLetters: q.deadLetters,
    blockMs: 50,
    ...over,
  });
}

/** flushOnce until a step acknowledges nothing. */
async function drain(w: LedgerWriter): Promise<void> {
  while ((await w.flushOnce()) > 0);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(QUEUE_KINDS)('LedgerWriter on the %s queue', (kind) => {
  beforeEach(async () => {
    env = await openLedgerEnv();
    q = queueHarness(kind, env);
  });

  it('writes every appended event once, exactly, and acknowledges it', async () => {
    const events = makeEvents(300, { organizationId: undefined }).map((e, i) => ({ ...e, organizationId: `org-${i % 7}` }));
    await q.appendMany(events);
    const w = writer({ batchSize: 100 });
    await drain(w);
    expect(w.rowsWritten).toBe(300);
    expect(w.batches).toBeGreaterThanOrEqual(3);
    expect(await q.queue.length()).toBe(0);
    expect(await w.pending()).toBe(0);
    expect(w.lastLagMs).toBeGreaterThanOrEqual(0);
    const rows = await env.db.database.prisma.usageRecord.findMany();
    expect(rows).toHaveLength(300);
    const byId = new Map(rows.map((r) => [r.requestId, r]));
    for (const e of events) {
      const r = byId.get(e.requestId)!;
      expect(r.costTotalUsd.toFixed()).toBe(e.costTotalUsd);
      expect(r.costOutputUsd.toFixed()).toBe(e.costOutputUsd);
      expect(r.createdAt.getTime()).toBe(e.createdAt.getTime());
      expect(r.organizationId).toBe(e.organizationId);
      expect(r.cachedInputTokens ?? undefined).toBe(e.cachedInputTokens);
      expect(r.computedCostUsd?.toFixed()).toBe(e.computedCostUsd);
      expect(r.otherTokens ?? undefined).toEqual(e.otherTokens);
      expect(r.stream).toBe(e.stream);
      expect(r.ttftMs ?? undefined).toBe(e.ttftMs);
    }
  });

  it('writes one row for an event appended twice, in one batch or in two', async () => {
    const [a, b] = makeEvents(2);
    await q.append(a!);
    await q.append(a!);
    await q.append(b!);
    const w = writer();
    await drain(w);
    await q.append(b!); // again, after its row exists
    await drain(w);
    expect(await env.rowCount()).toBe(2);
    expect(w.rowsWritten).toBe(2);
    expect(w.duplicates).toBe(2);
    expect(await q.queue.length()).toBe(0);
  });

  it('dead-letters a malformed entry and writes the rest of its batch', async () => {
    const events = makeEvents(10);
    const broken = { ...encodeUsageEvent(makeEvent(99)), costTotalUsd: 'lots' };
    const noId = encodeUsageEvent(makeEvent(98));
    delete noId.requestId;
    await q.appendMany(events.slice(0, 5));
    const brokenId = await q.append(broken);
    await q.append(noId);
    await q.appendMany(events.slice(5));
    const w = writer();
    expect(await w.flushOnce()).toBe(12); // one batch: 10 rows, 2 dead letters, 12 acks
    expect(await env.rowCount()).toBe(10);
    expect(w.deadLettered).toBe(2);
    expect(await q.queue.length()).toBe(0);
    const dead = await q.deadList();
    expect(dead).toHaveLength(2);
    const costly = dead.find((d) => d.fields.costTotalUsd === 'lots')!;
    expect(costly.error).toMatch(/^costTotalUsd/);
    expect(costly.id.endsWith(brokenId)).toBe(true);
    expect(costly.fields).toEqual(broken);
    expect(dead.find((d) => d !== costly)!.error).toBe('requestId: missing');
  });

  it('isolates a row PostgreSQL refuses (by bisecting) and writes the others', async () => {
    // A real refusal from the server: a CHECK constraint in this test's own database.
    await env.db.database.prisma.$executeRawUnsafe(
      `ALTER TABLE "UsageRecord" ADD CONSTRAINT no_poison CHECK ("provider" <> 'poison')`,
    );
    const events = makeEvents(40);
    events[17] = { ...events[17]!, provider: 'poison' };
    await q.appendMany(events);
    const w = writer();
    expect(await w.flushOnce()).toBe(40);
    expect(await env.rowCount()).toBe(39);
    expect(w.deadLettered).toBe(1);
    expect(w.writeErrors).toBe(0); // a refused row is not a failed write
    const [dead] = await q.deadList();
    expect(dead!.fields.requestId).toBe(events[17]!.requestId);
    expect(dead!.fields.provider).toBe('poison');
    expect(dead!.error).toMatch(/no_poison/);
    expect(await q.queue.length()).toBe(0);
  });

  it('runs as a loop: start, write as events arrive, stop', async () => {
    const w = writer({ batchSize: 200 });
    w.start();
    const events = makeEvents(1200);
    await q.appendMany(events.slice(0, 600));
    await waitFor(async () => (await env.rowCount()) === 600);
    await q.appendMany(events.slice(600));
    await waitFor(async () => (await env.rowCount()) === 1200);
    await w.stop();
    expect(await q.queue.length()).toBe(0);
    expect(w.rowsWritten).toBe(1200);
  });

  it('stop({ flush: true }) writes what is still queued before returning', async () => {
    const w = writer({ batchSize: 100, blockMs: 1000 });
    w.start();
    await q.appendMany(makeEvents(1000));
    await w.stop({ flush: true, timeoutMs: 20_000 });
    expect(await env.rowCount()).toBe(1000);
    expect(await q.queue.length()).toBe(0);
  });

  it('takes events appended through settle itself', async () => {
    const event = makeEvent(1);
    const settled = await q.store.settle({
      shardKey: 'org-x',
      requestId: event.requestId,
      actualNano: 1n,
      rules: [],
      counterEntityIds: {},
      now: new Date(),
      event: encodeUsageEvent(event),
    });
    expect(settled.settled).toBe(true);
    const w = writer();
    await drain(w);
    const row = await env.db.database.prisma.usageRecord.findUnique({ where: { requestId: event.requestId } });
    expect(row?.costTotalUsd.toFixed()).toBe(event.costTotalUsd);
  });
});

describe('LedgerWriter failure handling (in-process queue, real PostgreSQL)', () => {
  beforeEach(async () => {
    env = await openLedgerEnv({ withDatabase: true });
    q = queueHarness('memory', env);
  });

  it('retries a failed ack without writing again, and a failed dead-letter put before acking', async () => {
    let ackFailures = 1;
    let putFailures = 1;
    const acked: string[] = [];
    const queue = {
      read: q.queue.read.bind(q.queue),
      claimStale: q.queue.claimStale.bind(q.queue),
      length: q.queue.length.bind(q.queue),
      async ack(ids: readonly string[]) {
        if (ackFailures-- > 0) throw new Error('redis went away');
        acked.push(...ids);
        await q.queue.ack(ids);
      },
    };
    const deadLetters = {
      async put(entries: readonly DeadLetter[]) {
        if (entries.length > 0 && putFailures-- > 0) throw new Error('redis went away');
        await q.deadLetters.put(entries);
      },
    };
    let inserts = 0;
    const w = writer({ queue, deadLetters, insert: async (p, e) => (inserts++, insertWithRecordset(p, e)) });
    await q.appendMany(makeEvents(5));
    await q.append({ requestId: 'broken' });
    await expect(w.flushOnce()).rejects.toThrow('redis went away'); // the dead-letter put
    expect(acked).toEqual([]);
    await expect(w.flushOnce()).rejects.toThrow('redis went away'); // the ack
    expect(await w.flushOnce()).toBe(6);
    expect(inserts).toBe(1); // committed once, never written again
    expect(acked).toHaveLength(6);
    expect(await q.deadList()).toHaveLength(1);
    expect(await env.rowCount()).toBe(5);
    expect(w.queueErrors).toBe(1);
  });

  it('logs through a pino logger', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const w = writer({ logger });
    await q.append({ requestId: 'broken' });
    await w.flushOnce();
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; error?: string });
    expect(logged.find((l) => l.msg === 'usage event dead-lettered')?.error).toMatch(/^createdAt: missing/);
  });
});
