/**
 * PostgreSQL unreachable while events keep arriving: the writer's Prisma client talks to the
 * shared server through a TCP proxy this test cuts and restores (a real network boundary;
 * the shared server is never touched). Nothing may be lost or written twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { QUEUE_KINDS, queueHarness, type QueueKind } from '../support/ledger-queues.js';
import { TcpProxy, type CutMode } from '../support/tcp-proxy.js';
import { makeEvents } from '../support/usage-events.js';

let env: LedgerEnv;
let proxy: TcpProxy;
let viaProxy: Database;

beforeEach(async () => {
  env = await openLedgerEnv();
  const target = new URL(env.db.url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  viaProxy = await openDatabase({ databaseUrl: proxy.rewrite(env.db.url) });
});
afterEach(async () => {
  await viaProxy.close();
  await proxy.close();
  await env.dispose();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Distinct request ids and total rows, read directly (not through the proxy). */
async function counts(): Promise<{ rows: number; distinct: number }> {
  const [row] = await env.db.database.prisma.$queryRawUnsafe<{ rows: bigint; distinct: bigint }[]>(
    `SELECT count(*) AS rows, count(DISTINCT "requestId") AS distinct FROM "UsageRecord"`,
  );
  return { rows: Number(row!.rows), distinct: Number(row!.distinct) };
}

const cases = QUEUE_KINDS.flatMap((kind) => (['reset', 'blackhole'] as const).map((mode): [QueueKind, CutMode] => [kind, mode]));

describe.each(cases)('PostgreSQL unreachable (%s queue, connections %s)', (kind, mode) => {
  it('keeps all 1,000 events appended meanwhile and writes each once when it is back', async () => {
    const q = queueHarness(kind, env);
    const writer = new LedgerWriter({
      prisma: viaProxy.prisma,
      queue: q.queue,
      deadLetters: q.deadLetters,
      batchSize: 200,
      blockMs: 50,
      minRetryDelayMs: 20,
      maxRetryDelayMs: 300,
      writeTimeoutMs: 1000, // a blackholed connection never answers
    });
    writer.start();
    const events = makeEvents(1000);
    await q.appendMany(events.slice(0, 100)); // some traffic before the outage
    await waitFor(async () => (await counts()).rows === 100, 10_000);

    proxy.cut(mode);
    await q.appendMany(events.slice(100, 600));
    await waitFor(async () => writer.writeErrors >= 2, 10_000); // it tried, and failed, twice
    await q.appendMany(events.slice(600));
    await new Promise((r) => setTimeout(r, 500));
    expect((await counts()).rows).toBe(100);
    // Read but not acknowledged: every event is still in the queue.
    expect(await q.queue.length()).toBe(900);

    proxy.restore();
    await waitFor(async () => (await counts()).rows === 1000, 30_000);
    await waitFor(async () => (await q.queue.length()) === 0, 10_000);
    await writer.stop({ flush: true });

    expect(await counts()).toEqual({ rows: 1000, distinct: 1000 });
    const ids = await env.db.database.prisma.usageRecord.findMany({ select: { requestId: true } });
    expect(new Set(ids.map((r) => r.requestId))).toEqual(new Set(events.map((e) => e.requestId)));
    expect(writer.deadLettered).toBe(0);
    expect(writer.writeErrors).toBeGreaterThanOrEqual(2);
  });
});
