/**
 * The gateway's metrics, built once per gateway from the parts they watch. Everything here
 * lives in a registry of this gateway's own (tests run several gateways in one process).
 */
import type { Registry } from 'prom-client';
import type { AccountingObserver } from '../accounting/observer.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import type { BudgetStore } from '../budgets/types.js';
import type { LedgerWriter } from '../ledger/writer.js';
import type { PriceCatalog } from '../pricing/index.js';
import type { Accounting, CallContext } from '../proxy/accounting.js';
import type { UpstreamTiming } from '../proxy/forward.js';
import type { Database } from '../storage/database.js';
import { BudgetUtilization } from './budget-utilization.js';
import { CallTracker, instrumentAccounting, metricsObserver, upstreamTimingObserver } from './calls.js';
import { createRegistry, defineMetrics, type Metrics } from './definitions.js';
import type { ReconcileReport } from '../ledger/reconcile.js';
import { metricsRoutes } from './plugin.js';
import { recordReconcile } from './reconcile-metrics.js';
import { DependencyProbe, type Readiness } from './probes.js';
import { ModelLabels, SeriesCache } from './series.js';

export type { Readiness } from './probes.js';

export interface MetricsDeps {
  catalog: PriceCatalog;
  directory: BudgetDirectory;
  store: BudgetStore;
  storage: Database;
  ledger: LedgerWriter;
  redisConfigured: boolean;
  /** Budget ids exported one utilization series each (config `metrics.budgetGauges`). */
  budgetGauges?: readonly string[];
  /** Periods of the background samplers (tests shorten them). */
  probeEveryMs?: number;
  utilizationEveryMs?: number;
  /** How often model labels are re-resolved against the catalog (prices change at run time). */
  labelRefreshMs?: number;
}

export interface GatewayMetrics {
  registry: Registry;
  metrics: Metrics;
  tracker: CallTracker;
  probe: DependencyProbe;
  utilization: BudgetUtilization;
  observer: AccountingObserver;
  instrument(accounting: Accounting): Accounting;
  upstreamTiming(call: CallContext, timing: UpstreamTiming): void;
  /** The Fastify plugin: GET /metrics and the HTTP response counter. */
  plugin: ReturnType<typeof metricsRoutes>;
  readiness(): Promise<Readiness>;
  /** The reconciliation job's hook (ReconcileJobDeps `onReport`). */
  reconciled(report: ReconcileReport): void;
  start(): void;
  stop(): void;
}

export function createMetrics(deps: MetricsDeps): GatewayMetrics {
  const registry = createRegistry();
  const tracker = new CallTracker();
  const metrics = defineMetrics(registry, { ledger: deps.ledger, outstanding: () => tracker.outstanding });
  const models = new ModelLabels(deps.catalog);
  const series = new SeriesCache(metrics, models);
  const budgetGauges = deps.budgetGauges ?? [];
  const optedIn = budgetGauges.length === 0
    ? undefined
    : { ids: budgetGauges, rows: (ids: readonly string[]) => deps.storage.prisma.budget.findMany({ where: { id: { in: [...ids] } } }) };
  const utilization = new BudgetUtilization({ directory: deps.directory, store: deps.store, metrics, optedIn });
  const callDeps = { metrics, series, tracker, touched: (call: CallContext) => utilization.touch(call.key) };
  const probe = new DependencyProbe({ storage: deps.storage, store: deps.store, redisConfigured: deps.redisConfigured, ledger: deps.ledger, metrics });
  let labelTimer: NodeJS.Timeout | undefined;

  return {
    registry,
    metrics,
    tracker,
    probe,
    utilization,
    observer: metricsObserver(callDeps),
    instrument: (accounting) => instrumentAccounting(accounting, callDeps),
    upstreamTiming: upstreamTimingObserver(series),
    plugin: metricsRoutes(registry, metrics.http),
    readiness: () => probe.check(),
    reconciled: (report) => recordReconcile(metrics, report),
    start() {
      probe.start(deps.probeEveryMs ?? 5_000);
      utilization.start(deps.utilizationEveryMs ?? 30_000);
      labelTimer = setInterval(() => models.clear(), deps.labelRefreshMs ?? 60_000);
      labelTimer.unref();
    },
    stop() {
      probe.stop();
      utilization.stop();
      clearInterval(labelTimer);
    },
  };
}
