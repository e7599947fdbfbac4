// A ledger writer in its own process, for the process-kill test. Started with
// node_modules/.bin/tsx and configured by environment variables:
//   LEDGER_DATABASE_URL, LEDGER_REDIS_URL, LEDGER_PREFIX (the Redis key prefix),
//   LEDGER_CONSUMER, LEDGER_BATCH, LEDGER_CLAIM_IDLE_MS,
//   LEDGER_ACK_DELAY_MS (a pause after each commit, before the ack: widens the window in
//   which a kill leaves rows committed but their entries unacknowledged).
// Prints "ready" once started, then one "wrote <n>" line per written batch.
import { Redis } from 'ioredis';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { RedisDeadLetters, deadLetterKey } from '../../src/ledger/dead-letter.js';
import { insertWithRecordset, type InsertRows } from '../../src/ledger/rows.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openDatabase } from '../../src/storage/database.js';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const prefix = env('LEDGER_PREFIX');
const ackDelayMs = Number(env('LEDGER_ACK_DELAY_MS', '0'));
const database = await openDatabase({ databaseUrl: env('LEDGER_DATABASE_URL') });
const store = new RedisBudgetStore({ url: env('LEDGER_REDIS_URL'), keyPrefix: prefix });
const redis = new Redis(env('LEDGER_REDIS_URL'));

const insert: InsertRows = async (prisma, events) => {
  const n = await insertWithRecordset(prisma, events);
  process.stdout.write(`wrote ${n}\n`);
  if (ackDelayMs > 0) await new Promise((r) => setTimeout(r, ackDelayMs));
  return n;
};

const writer = new LedgerWriter({
  prisma: database.prisma,
  queue: store.usage,
  deadLetters: new RedisDeadLetters(redis, deadLetterKey(prefix)),
  consumerName: env('LEDGER_CONSUMER'),
  batchSize: Number(env('LEDGER_BATCH', '100')),
  blockMs: 100,
  claimIdleMs: Number(env('LEDGER_CLAIM_IDLE_MS', '30000')),
  claimEveryMs: 200,
  insert,
});
writer.start();
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void writer.stop({ flush: true }).then(async () => {
    await store.close();
    await redis.quit();
    await database.close();
    process.exit(0);
  });
});
