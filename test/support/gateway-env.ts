import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The environment of a test gateway: its database, a Redis key prefix of its own (so parallel
 * test files never share counters or streams), every provider pointed at the simulator with a
 * provider key the tests can look for, and fresh secrets. Used in process and for child processes.
 */
export function gatewayTestEnv(opts: { databaseUrl: string; simulatorUrl: string; dataDir?: string; redis?: boolean; logLevel?: string }): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    TOLLGATE_REDIS_KEY_PREFIX: `tgt${randomBytes(4).toString('hex')}:`,
    TOLLGATE_OPENAI_BASE_URL: `${opts.simulatorUrl}/openai/v1`,
    TOLLGATE_GEMINI_BASE_URL: `${opts.simulatorUrl}/gemini/v1beta`,
    TOLLGATE_XAI_BASE_URL: `${opts.simulatorUrl}/xai/v1`,
    TOLLGATE_SIMULATE_WHEN_NO_KEY: 'false',
    TOLLGATE_KEY_SECRET: randomBytes(24).toString('hex'),
    TOLLGATE_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
    OPENAI_API_KEY: 'sk-upstream-openai-secret',
    GEMINI_API_KEY: 'upstream-gemini-secret',
    XAI_API_KEY: 'xai-upstream-secret',
    LOG_LEVEL: opts.logLevel ?? 'silent',
  };
  if (opts.dataDir) env.TOLLGATE_DATA_DIR = opts.dataDir;
  if (opts.redis !== false) env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  return env;
}

/** Removes every key under a test gateway's own prefix (usage streams never expire). Never flushes. */
export async function deleteRedisKeys(url: string | undefined, prefix: string | undefined): Promise<void> {
  if (!url || !prefix) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
