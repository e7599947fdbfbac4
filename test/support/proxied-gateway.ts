// A test gateway whose PostgreSQL connection goes through a TcpProxy, so a test can make the
// database unreachable (cut) and bring it back (restore) without touching the shared server.
// Same wiring as startTestGateway (gateway.ts), except the DATABASE_URL the gateway sees.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createKey, type CreateKeyInput } from '../../src/admin/keys.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway } from '../../src/runtime/gateway.js';
import type { Database } from '../../src/storage/database.js';
import { startSimulator } from '../../src/simulator/index.js';
import { createTestDatabase } from './database.js';
import type { TestGateway, TestGatewayOptions } from './gateway.js';
import { TcpProxy } from './tcp-proxy.js';
import { deleteRedisKeys, gatewayTestEnv } from './gateway-env.js';

export interface ProxiedTestGateway extends TestGateway {
  /** Between the gateway and PostgreSQL: cut() makes the database unreachable for the gateway only. */
  dbProxy: TcpProxy;
  /** A direct connection to the same test database, for reading rows whatever the proxy does. */
  direct: Database;
}

export async function startProxiedGateway(options: Omit<TestGatewayOptions, 'shareWith'> = {}): Promise<ProxiedTestGateway> {
  const database = await createTestDatabase();
  const target = new URL(database.url);
  const dbProxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const simulator = options.simulator ?? (await startSimulator({ port: 0 }));
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const cleanup = async () => {
    await dbProxy.close();
    if (!options.simulator) await simulator.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    await deleteRedisKeys(env.REDIS_URL, env.TOLLGATE_REDIS_KEY_PREFIX);
  };
  const env: Record<string, string> = {
    ...gatewayTestEnv({ databaseUrl: dbProxy.rewrite(database.url), simulatorUrl: simulator.url, dataDir, redis: options.redis }),
    ...options.env,
  };
  let gateway;
  try {
    gateway = await startGateway(loadConfig({ env, cwd: dataDir }), { logger: pino({ level: 'silent' }) });
  } catch (error) {
    await cleanup();
    throw error;
  }
  const running = gateway;
  // Keys are written directly, so creating one works even while the proxy is cut.
  const make = async (input: Partial<CreateKeyInput> = {}) =>
    (await createKey(database.database.prisma, running.keyHashSecret, { name: 'test', ...input })).secret;
  const key = await make();
  return {
    gateway: running,
    simulator,
    url: running.url,
    databaseUrl: database.url,
    env,
    key,
    createKey: make,
    dbProxy,
    direct: database.database,
    async close() {
      // The gateway's last ledger flush needs its database back.
      dbProxy.restore();
      try {
        await running.close();
      } finally {
        await cleanup();
      }
    },
  };
}
