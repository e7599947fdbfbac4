// Ledger writer throughput: Redis Streams usage queue -> PostgreSQL, end to end.
//
//   npx tsx bench/ledger-throughput.ts [events=100000] [batchSize=500] [liveRate=5000] [liveSeconds=10]
//   LEDGER_READ_AHEAD=0 turns the writer's read-ahead off (to measure what it brings).
//
// Creates its own database and Redis key prefix and removes both at the end.
// Phase 1 (backlog): appends `events` events spread over 64 organizations (so over every
//   shard stream), then starts the writer and measures how fast it drains them.
// Phase 2 (live): appends `liveRate` events/s for `liveSeconds` while the writer runs, and
//   reports the consumer lag (now - createdAt of the oldest event in the last batch).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { shardBase, streamKey } from '../src/budgets/keys.js';
import { RedisBudgetStore } from '../src/budgets/redis-store.js';
import { encodeUsageEvent, type UsageEvent } from '../src/ledger/event.js';
import { LedgerWriter } from '../src/ledger/writer.js';
import { createTestDatabase } from '../test/support/database.js';
import { deleteKeysUnder, REDIS_URL } from '../test/support/ledger-env.js';
import { makeEvent } from '../test/support/usage-events.js';

const [total = 100_000, batchSize = 500, liveRate = 5000, liveSeconds = 10] = process.argv.slice(2).map(Number);
const prefix = `tgbench:ledger:${randomUUID().slice(0, 8)}:`;
const runId = randomUUID().slice(0, 8);
let seq = 0;

function nextEvent(): UsageEvent {
  const i = seq++;
  return makeEvent(i, { prefix: runId, organizationId: `org-${i % 64}`, createdAt: new Date() });
}

async function append(redis: Redis, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1000) {
    const pipeline = redis.pipeline();
    for (let i = 0; i < Math.min(1000, count - done); i++) {
      const e = nextEvent();
      pipeline.xadd(streamKey(shardBase(prefix, e.organizationId!)), '*', ...Object.entries(encodeUsageEvent(e)).flat());
    }
    await pipeline.exec();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const db = await createTestDatabase();
const redis = new Redis(REDIS_URL);
const store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
const readAhead = process.env.LEDGER_READ_AHEAD !== '0';
const writer = new LedgerWriter({ prisma: db.database.prisma, queue: store.usage, batchSize, blockMs: 200, readAhead });

/** One line per second until `until()` is true; returns the per-second row counts. */
async function monitor(until: () => Promise<boolean>, label: string): Promise<number[]> {
  const perSecond: number[] = [];
  let last = writer.rowsWritten;
  let t = 0;
  while (!(await until())) {
    await sleep(1000);
    t += 1;
    const now = writer.rowsWritten;
    perSecond.push(now - last);
    last = now;
    console.log(`${label} t=${String(t).padStart(3)}s  rows/s=${fmt(perSecond.at(-1)!).padStart(7)}  written=${fmt(now).padStart(7)}  queue=${fmt(await writer.pending()).padStart(7)}  lag=${fmt(writer.lastLagMs)} ms`);
  }
  return perSecond;
}

try {
  console.log(`appending ${fmt(total)} events ...`);
  const t0 = performance.now();
  await append(redis, total);
  console.log(`appended in ${((performance.now() - t0) / 1000).toFixed(1)} s; batchSize=${batchSize} readAhead=${readAhead}`);

  const start = performance.now();
  writer.start();
  await monitor(async () => writer.rowsWritten >= total, 'backlog');
  const seconds = (performance.now() - start) / 1000;
  const rows = await db.database.prisma.usageRecord.count();
  console.log(`backlog: ${fmt(rows)} rows in ${seconds.toFixed(2)} s = ${fmt(rows / seconds)} rows/s sustained (batches=${writer.batches}, writeErrors=${writer.writeErrors}, queueErrors=${writer.queueErrors}, claimed=${writer.claimed})`);

  if (liveSeconds > 0) {
    console.log(`live: appending ${fmt(liveRate)} events/s for ${liveSeconds} s while the writer runs`);
    const target = writer.rowsWritten + liveRate * liveSeconds;
    const producer = (async () => {
      for (let s = 0; s < liveSeconds * 10; s++) {
        const tick = performance.now();
        await append(redis, liveRate / 10);
        await sleep(Math.max(0, 100 - (performance.now() - tick)));
      }
    })();
    const lags: number[] = [];
    const batchesBefore = writer.batches; // lastLagMs is the backlog's until a live batch is written
    const perSecond = await monitor(async () => {
      if (writer.batches > batchesBefore) lags.push(writer.lastLagMs);
      return writer.rowsWritten >= target;
    }, 'live   ');
    await producer;
    const steady = perSecond.slice(1, -1);
    console.log(`live: mean ${fmt(steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length))} rows/s, max lag ${fmt(Math.max(...lags))} ms`);
  }
  await writer.stop({ flush: true });
  const check = await db.database.prisma.$queryRawUnsafe<{ n: bigint; d: bigint }[]>(
    `SELECT count(*) AS n, count(DISTINCT "requestId") AS d FROM "UsageRecord"`,
  );
  console.log(`rows=${check[0]!.n} distinct=${check[0]!.d} appended=${seq} queue=${await writer.pending()}`);
} finally {
  await writer.stop();
  await store.close();
  // bench/ has its own node_modules (Portkey's dependencies) with a second ioredis copy; the
  // client is the same at run time, only the two copies' types differ.
  await deleteKeysUnder(redis as unknown as Parameters<typeof deleteKeysUnder>[0], prefix);
  await redis.quit();
  await db.drop();
}
