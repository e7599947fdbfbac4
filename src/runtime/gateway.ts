import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { createLogger } from '../logging.js';
import { KeyStore } from '../auth/key-store.js';
import { BudgetDirectory } from '../budgets/directory.js';
import { MemoryBudgetStore } from '../budgets/memory-store.js';
import { RedisBudgetStore } from '../budgets/redis-store.js';
import type { BudgetStore } from '../budgets/types.js';
import { createAccounting } from '../accounting/service.js';
import { Redis } from 'ioredis';
import { ledgerSpendReader } from '../ledger/counter-seed.js';
import { LedgerWriter } from '../ledger/writer.js';
import { RedisDeadLetters, deadLetterKey } from '../ledger/dead-letter.js';
import { recordEventsDirectly } from '../accounting/direct-record.js';
import { PriceCatalog, builtinPricesOf } from '../pricing/index.js';
import { adapters as registeredAdapters } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { ProviderRuntime } from '../proxy/forward.js';
import { UpstreamPools } from '../proxy/upstream.js';
import { buildServer } from '../server.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import type { Database } from '../storage/database.js';
import { createChangeFeed, type ChangeFeed } from './change-feed.js';
import { keepCurrent, reloadBudgets, reloadPrices, reloadTopic } from './reloaders.js';
import { loadSecrets } from './secrets.js';
import { openStorage } from './storage.js';
import { announceStart } from './announce.js';
import { startReconcileJob } from './reconcile-job.js';
import { trackConnections, type ConnectionTracker } from './connections.js';
import { healthRoutes } from './health.js';
import { adminRoutes } from '../admin/routes.js';
import { createMetrics, type GatewayMetrics } from '../metrics/index.js';
import { combineObservers } from '../accounting/observer.js';
import { createAlerts, type Alerts } from '../alerts/service.js';
import { analyticsRoutes } from '../analytics/routes.js';
import { startRollupJob } from '../analytics/rollup.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { sessionKeys } from '../dashboard/session.js';

export interface RunningGateway {
  app: FastifyInstance;
  url: string;
  storage: Database;
  store: BudgetStore;
  feed: ChangeFeed;
  catalog: PriceCatalog;
  ledger: LedgerWriter;
  alerts: Alerts;
  /** Its metrics (tests run a sampler now instead of waiting for its timer). */
  metrics: GatewayMetrics;
  logger: Logger;
  simulator?: Simulator;
  adminToken: string;
  keyHashSecret: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where start-up instructions are printed (the CLI passes stdout). */
  announce?: (text: string) => void;
  logger?: Logger;
  /**
   * The provider adapters served, with their built-in prices. Defaults to the registry
   * (src/providers/registry.ts); an embedding program or a test can serve its own list. The
   * config must have been loaded with the same list (loadConfig's `adapters`).
   */
  adapters?: readonly ProviderAdapter[];
}

/** Wires every part from the frozen config, applies migrations, and starts listening. */
export async function startGateway(config: Readonly<GatewayConfig>, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logging.level);
  const secrets = loadSecrets(config);
  if (secrets.generated && config.storage.databaseUrl) {
    logger.warn('TOLLGATE_KEY_SECRET / TOLLGATE_ADMIN_TOKEN are not set: generated ones in the data folder are used; every instance sharing this database must share them');
  }
  const storage = await openStorage(config, (message) => logger.warn(message));
  const adapters = options.adapters ?? registeredAdapters;
  const { providers, simulator } = await providerRuntimes(config, adapters, logger);

  const catalog = new PriceCatalog({ builtins: builtinPricesOf(adapters), fallback: { rates: { input: config.pricing.fallbackInputPer1M, output: config.pricing.fallbackOutputPer1M } } });
  const directory = new BudgetDirectory();
  const keys = new KeyStore(storage.prisma, secrets.keyHashSecret, config.security.keyCacheSeconds * 1000);
  // Counters the store does not have (a new period, a flushed Redis, a restarted embedded
  // gateway) are seeded from the ledger on first use (src/budgets/keys.ts, "Seeding").
  const seeding = {
    readSpend: ledgerSpendReader(storage.prisma),
    onError: (error: Error) => logger.error({ err: error.message }, 'a budget counter could not be seeded from the ledger; it is retried in a few seconds'),
  };
  const store: BudgetStore = config.storage.redisUrl
    ? new RedisBudgetStore({ url: config.storage.redisUrl, keyPrefix: config.storage.redisKeyPrefix, seeding })
    : new MemoryBudgetStore({ seeding });
  const feed = createChangeFeed(config.storage.redisUrl, config.storage.redisKeyPrefix);
  const parts = { prisma: storage.prisma, catalog, directory, keys, logger };
  await Promise.all([reloadPrices(parts), reloadBudgets(parts)]);
  const stopRefresh = keepCurrent(parts, feed, config.pricing.refreshSeconds * 1000);

  // Entries the database refuses are kept beside the queue, never dropped. The same connection
  // serves the reconciliation job's counter probe.
  const deadLetterRedis = config.storage.redisUrl ? new Redis(config.storage.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true }) : undefined;
  deadLetterRedis?.on('error', () => {});
  const deadLetters = deadLetterRedis ? new RedisDeadLetters(deadLetterRedis, deadLetterKey(config.storage.redisKeyPrefix)) : undefined;
  const alerts = createAlerts({ prisma: storage.prisma, store, directory, logger, config: config.alerts });
  // The writer records the alerts each event's settle raised before acknowledging it, so an
  // alert survives a gateway that died between its settle and its own insert.
  const ledger = new LedgerWriter({ queue: store.usage, prisma: storage.prisma, logger, deadLetters, onWritten: (entries) => alerts.raiseFromUsageEvents(entries) });
  ledger.start();
  const metrics = createMetrics({ catalog, directory, store, storage, ledger, redisConfigured: Boolean(config.storage.redisUrl), budgetGauges: config.metrics.budgetGauges });
  const accounting = metrics.instrument(createAccounting({
    catalog,
    directory,
    store,
    logger,
    failMode: config.budgets.failMode,
    reservationTtlMs: config.budgets.reservationTtlSeconds * 1000,
    defaultMaxOutputTokens: config.budgets.defaultMaxOutputTokens,
    recordDirectly: (event) => recordEventsDirectly(storage.prisma, [event]),
    observer: combineObservers(metrics.observer, alerts.observer),
  }));
  const stopReconcile = startReconcileJob(
    {
      prisma: storage.prisma,
      store,
      directory,
      logger,
      redis: deadLetterRedis ? { client: deadLetterRedis, prefix: config.storage.redisKeyPrefix } : undefined,
      onReport: (report) => metrics.reconciled(report),
    },
    config.budgets.reconcileMinutes * 60_000,
  );
  const pools = new UpstreamPools(config.upstream);
  const app = await buildServer({
    logger,
    providers,
    pools,
    keys,
    accounting,
    bodyLimitBytes: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    onUpstreamTiming: metrics.upstreamTiming,
    plugins: [
      healthRoutes({ readiness: metrics.readiness }),
      metrics.plugin,
      adminRoutes({ prisma: storage.prisma, store, directory, changed: async (topic) => { await reloadTopic(parts, topic); await feed.publish(topic); }, adminToken: secrets.adminToken, keyHashSecret: secrets.keyHashSecret }),
      analyticsRoutes({ prisma: storage.prisma, store, directory, catalog, adminToken: secrets.adminToken, sessions: sessionKeys(secrets.adminToken) }),
      ...(config.dashboard.enabled ? [dashboardRoutes({ adminToken: secrets.adminToken, sessions: sessionKeys(secrets.adminToken), sessionHours: config.dashboard.sessionHours, refreshSeconds: config.dashboard.refreshSeconds })] : []),
    ],
  });
  const connections = trackConnections(app.server);
  const url = await app.listen({ host: config.server.host, port: config.server.port });
  metrics.start();
  alerts.start();
  const stopRollup = startRollupJob(storage.prisma, config.analytics.rollupSeconds * 1000, logger, { batchSize: config.analytics.rollupBatchSize });

  let closed = false;
  const gateway: RunningGateway = {
    app,
    url,
    storage,
    store,
    feed,
    catalog,
    ledger,
    alerts,
    metrics,
    logger,
    simulator,
    adminToken: secrets.adminToken,
    keyHashSecret: secrets.keyHashSecret,
    async close() {
      if (closed) return;
      closed = true;
      stopRefresh();
      stopReconcile();
      metrics.stop();
      const step = async (name: string, work: () => Promise<unknown>) => {
        const started = performance.now();
        await work();
        if (process.env.TOLLGATE_DEBUG_SHUTDOWN) console.error(`shutdown ${name}: ${Math.round(performance.now() - started)} ms`);
      };
      await step('http', () => closeGracefully(app, connections, config.server.shutdownGraceMs));
      // The usage event of a call that just ended is appended by its settle: let those land
      // before the ledger's last flush, or the flush could miss them.
      await step('settle', () => metrics.tracker.drained(2_000));
      // Bounded: what the writer has not written by then stays pending in the queue.
      await step('ledger', () => withDeadline(ledger.stop({ flush: true, timeoutMs: 10_000 }), 15_000));
      // After the last settles: their threshold crossings are recorded before the database closes.
      await step('alerts', () => alerts.stop());
      await step('rollup', () => stopRollup());
      deadLetterRedis?.disconnect();
      await step('pools', () => pools.close());
      await step('feed', () => feed.close());
      await step('store', () => store.close());
      await step('simulator', async () => simulator?.close());
      await step('storage', () => storage.close());
    },
  };
  if (options.announce) await announceStart(gateway, config, providers, options.announce);
  return gateway;
}

/**
 * Each provider's upstream: its configured base URL and key. A provider with no key and no
 * base URL of its own is served by the built-in simulator when `simulateWhenNoKey` is on,
 * so a fresh clone answers requests with nothing configured.
 */
async function providerRuntimes(
  config: Readonly<GatewayConfig>,
  adapters: readonly ProviderAdapter[],
  logger: Logger,
): Promise<{ providers: ProviderRuntime[]; simulator?: Simulator }> {
  let simulator: Simulator | undefined;
  const providers: ProviderRuntime[] = [];
  for (const adapter of adapters) {
    const settings = config.providers[adapter.id];
    if (settings && !settings.enabled) continue;
    const baseUrl = settings?.baseUrl ?? adapter.defaultBaseUrl;
    const providerKey = settings?.apiKey;
    if (!providerKey && config.upstream.simulateWhenNoKey && sameUrl(baseUrl, adapter.defaultBaseUrl)) {
      simulator ??= await startSimulator({ port: 0, host: '127.0.0.1' });
      logger.warn({ provider: adapter.id, simulator: simulator.url }, `no ${adapter.apiKeyEnv}: serving ${adapter.id} from the local simulator`);
      providers.push({ adapter, baseUrl: `${simulator.url}${adapter.simulatorPrefix ?? adapter.routePrefixes[0]}`, simulated: true });
    } else {
      providers.push({ adapter, baseUrl, providerKey });
    }
  }
  return { providers, simulator };
}

/**
 * Stops accepting, lets in-flight requests and streams finish, and closes each keep-alive
 * connection as soon as it falls idle (a connection busy when closing began would otherwise
 * linger until its keep-alive timeout). At the deadline, whatever is left is cut.
 */
async function closeGracefully(app: FastifyInstance, connections: ConnectionTracker, graceMs: number): Promise<void> {
  // Every 100 ms, close the connections with nothing in flight: streams still running keep theirs.
  const sweep = setInterval(() => connections.closeQuiet(), 100);
  const deadline = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

function withDeadline(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

