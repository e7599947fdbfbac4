// A ledger test environment: a fresh migrated PostgreSQL database, a Redis budget store
// under its own random key prefix (its usage queue is the real Redis-stream queue), a Redis
// dead-letter stream under the same prefix, and cleanup that deletes only those keys.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { shardBase, streamKey } from '../../src/budgets/keys.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { RedisDeadLetters, deadLetterKey } from '../../src/ledger/dead-letter.js';
import { encodeUsageEvent, type UsageEvent } from '../../src/ledger/event.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface LedgerEnv {
  prefix: string;
  db: TestDatabase;
  store: RedisBudgetStore;
  /** A plain connection for appends and inspection. */
  redis: Redis;
  deadLetters: RedisDeadLetters;
  /** XADD straight onto the shard stream, as settle's script does (no settle marker). */
  append(event: UsageEvent | Record<string, string>, shardKey?: string): Promise<string>;
  appendMany(events: readonly UsageEvent[], shardKey?: (e: UsageEvent) => string): Promise<void>;
  /** Rows in the test database. */
  rowCount(): Promise<number>;
  dispose(): Promise<void>;
}

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

function fieldsOf(event: UsageEvent | Record<string, string>): Record<string, string> {
  return event.createdAt instanceof Date ? encodeUsageEvent(event as UsageEvent) : (event as Record<string, string>);
}

export async function openLedgerEnv(opts: { withDatabase?: boolean } = {}): Promise<LedgerEnv> {
  const prefix = `tgtest:ledger:${randomUUID().slice(0, 8)}:`;
  const redis = new Redis(REDIS_URL);
  const store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
  const db = opts.withDatabase === false ? (undefined as unknown as TestDatabase) : await createTestDatabase();
  const stream = (shardKey: string): string => streamKey(shardBase(prefix, shardKey));
  return {
    prefix,
    db,
    store,
    redis,
    deadLetters: new RedisDeadLetters(redis, deadLetterKey(prefix)),
    append: (event, shardKey = 'org-test') =>
      redis.xadd(stream(shardKey), '*', ...Object.entries(fieldsOf(event)).flat()) as Promise<string>,
    async appendMany(events, shardKey = (e) => e.organizationId ?? e.apiKeyId ?? 'none') {
      for (let i = 0; i < events.length; i += 1000) {
        const pipeline = redis.pipeline();
        for (const e of events.slice(i, i + 1000)) {
          pipeline.xadd(stream(shardKey(e)), '*', ...Object.entries(encodeUsageEvent(e)).flat());
        }
        for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
      }
    },
    rowCount: () => db.database.prisma.usageRecord.count(),
    async dispose() {
      await store.close();
      await deleteKeysUnder(redis, prefix);
      await redis.quit();
      await db?.drop();
    },
  };
}
