// A CLI test environment: a fresh migrated PostgreSQL database, a temporary working folder,
// optionally the real Redis under a random key prefix (deleted again by dispose), and run()
// calling main() with that environment and capturing stdout, stderr and the exit code.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { main } from '../../src/cli/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { REDIS_URL, deleteKeysUnder } from '../support/ledger-env.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  database: TestDatabase;
  env: Record<string, string>;
  /** Set with { redis: true }: the key prefix the CLI is configured with, and a connection. */
  prefix?: string;
  redis?: Redis;
  run(...argv: string[]): Promise<CliRun>;
  dispose(): Promise<void>;
}

export async function openCliEnv(opts: { redis?: boolean } = {}): Promise<CliEnv> {
  const cwd = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  const database = await createTestDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    TOLLGATE_KEY_SECRET: randomBytes(24).toString('hex'),
    TOLLGATE_ADMIN_TOKEN: 'admin-token-for-cli-tests',
    TOLLGATE_DATA_DIR: cwd,
  };
  let prefix: string | undefined;
  let redis: Redis | undefined;
  if (opts.redis) {
    prefix = `tgtest:cli:${randomBytes(4).toString('hex')}:`;
    env.REDIS_URL = REDIS_URL;
    env.TOLLGATE_REDIS_KEY_PREFIX = prefix;
    redis = new Redis(REDIS_URL);
  }
  return {
    database,
    env,
    prefix,
    redis,
    async run(...argv) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { env, cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { code, stdout, stderr };
    },
    async dispose() {
      if (redis && prefix) {
        await deleteKeysUnder(redis, prefix);
        await redis.quit();
      }
      await database.drop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
