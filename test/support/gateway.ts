import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { createKey, type CreateKeyInput } from '../../src/admin/keys.js';
import { loadConfig } from '../../src/config/load.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { startGateway, type RunningGateway } from '../../src/runtime/gateway.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase } from './database.js';
import { deleteRedisKeys, gatewayTestEnv } from './gateway-env.js';


export interface TestGateway {
  gateway: RunningGateway;
  /** The environment the gateway was started with (a second instance reuses it). */
  env: Record<string, string>;
  simulator: Simulator;
  url: string;
  databaseUrl: string;
  /** A key created for the test (organization-less unless `key` options say otherwise). */
  key: string;
  createKey(input?: Partial<CreateKeyInput>): Promise<string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Use the real Redis (default) or the in-process store. */
  redis?: boolean;
  /** Extra environment, e.g. TOLLGATE_BUDGET_FAIL_MODE. */
  env?: Record<string, string>;
  simulator?: Simulator;
  /** Start a second instance on the same database, Redis prefix and secrets (many-instance tests). */
  shareWith?: TestGateway;
  /** The gateway's logger (default: silent); e.g. createLogger(level, stream) to read its lines. */
  logger?: Logger;
  /** Serve this adapter list instead of the registry's (the example provider's test). */
  adapters?: readonly ProviderAdapter[];
}

/**
 * A real gateway for integration tests: a fresh migrated PostgreSQL database, the real Redis
 * under a prefix of its own (so parallel test files never share counters or streams), and
 * the real simulator as every provider's upstream. Nothing is mocked.
 */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const shared = options.shareWith;
  const database = shared ? undefined : await createTestDatabase();
  const simulator = options.simulator ?? shared?.simulator ?? (await startSimulator({ port: 0 }));
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const env: Record<string, string> = shared
    ? { ...shared.env, TOLLGATE_DATA_DIR: dataDir, ...options.env }
    : { ...gatewayTestEnv({ databaseUrl: database!.url, simulatorUrl: simulator.url, dataDir, redis: options.redis }), ...options.env };
  if (shared && options.redis === false) delete env.REDIS_URL;
  const config = loadConfig({ env, cwd: dataDir, adapters: options.adapters });
  const gateway = await startGateway(config, { logger: options.logger ?? pino({ level: 'silent' }), adapters: options.adapters });
  const make = async (input: Partial<CreateKeyInput> = {}) =>
    (await createKey(gateway.storage.prisma, gateway.keyHashSecret, { name: 'test', ...input })).secret;
  const key = await make();
  return {
    gateway,
    env,
    simulator,
    url: gateway.url,
    databaseUrl: env.DATABASE_URL!,
    key,
    createKey: make,
    async close() {
      await gateway.close();
      if (!options.simulator && !shared) await simulator.close();
      await database?.drop();
      if (!shared) await deleteRedisKeys(env.REDIS_URL, env.TOLLGATE_REDIS_KEY_PREFIX);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
