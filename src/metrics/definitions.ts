/**
 * Every metric the gateway exports, in one place, so the names and label sets a dashboard may
 * rely on are reviewed together (test/metrics checks the Grafana dashboard against a live scrape).
 *
 * Names follow the OpenTelemetry GenAI conventions where one exists (`gen_ai_*`, with the
 * attribute names `gen_ai_system`, `gen_ai_request_model`, `gen_ai_operation_name`,
 * `gen_ai_token_type`), and `tollgate_*` for what is the gateway's own. Every label is
 * bounded (DESIGN principle 9): providers, models the price catalog knows (else `other`),
 * operations, HTTP statuses, budget levels. Never a key, user or team id; a budget id only
 * for the budgets an operator lists in `metrics.budgetGauges`.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast.js';

export const GEN_AI = ['gen_ai_system', 'gen_ai_request_model', 'gen_ai_operation_name'] as const;
const PROVIDER_OP = ['gen_ai_system', 'gen_ai_operation_name'] as const;

// Bucket boundaries recommended by the OpenTelemetry GenAI semantic conventions.
const OPERATION_SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TTFT_SECONDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
// The gateway's own time is expected in the sub-millisecond to few-millisecond range.
const OVERHEAD_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Plain numbers other parts keep, read when scraped (no work per event, no I/O). */
export interface MetricSources {
  ledger: { rowsWritten: number; writeErrors: number; queueErrors: number; deadLettered: number; lagMs(): number };
  /** Admitted, unfinished calls in this process. */
  outstanding(): number;
}

/** The metric objects, registered in the gateway's own registry (never prom-client's global one). */
export function defineMetrics(registry: Registry, sources: MetricSources) {
  const registers = [registry];
  const { ledger } = sources;
  return {
    // The request path: updated on every call, so the fast series (fast.ts).
    requests: new FastCounter(
      registry,
      'tollgate_requests_total',
      'Calls routed to a provider (after key and request checks), by provider, model, operation and HTTP status; budget denials included.',
      [...GEN_AI, 'http_response_status_code'],
    ),
    operationDuration: new FastHistogram(
      registry,
      'gen_ai_client_operation_duration_seconds',
      'Time from the request reaching the gateway to the end of the answer (streams: the last byte).',
      GEN_AI,
      OPERATION_SECONDS,
    ),
    timeToFirstToken: new FastHistogram(
      registry,
      'gen_ai_server_time_to_first_token_seconds',
      'Streams: time from the request reaching the gateway to the first body byte from the provider.',
      GEN_AI,
      TTFT_SECONDS,
    ),
    tokenUsage: new FastHistogram(
      registry,
      'gen_ai_client_token_usage',
      'Tokens per call as the provider reported them, by type (input, output, cached_input, cache_write, reasoning).',
      [...GEN_AI, 'gen_ai_token_type'],
      TOKENS,
    ),
    cost: new FastCounter(
      registry,
      'tollgate_cost_usd_total',
      'Cost of the calls in USD (a float sum for dashboards; the exact amounts are in the ledger), by how it was priced.',
      ['gen_ai_system', 'gen_ai_request_model', 'cost_source'],
    ),
    overhead: new FastHistogram(
      registry,
      'tollgate_gateway_overhead_seconds',
      'Time spent in the gateway itself (auth, estimate and budget check before the request goes upstream, usage and pricing after the answer ended); the upstream exchange, streamed relaying included, is excluded.',
      PROVIDER_OP,
      OVERHEAD_SECONDS,
    ),
    upstreamDuration: new FastHistogram(
      registry,
      'tollgate_upstream_duration_seconds',
      "Time from sending the request upstream to the end of the provider's answer.",
      PROVIDER_OP,
      OPERATION_SECONDS,
    ),
    upstreamFirstByte: new FastHistogram(
      registry,
      'tollgate_upstream_time_to_first_byte_seconds',
      "Time from sending the request upstream to the provider's response headers.",
      PROVIDER_OP,
      TTFT_SECONDS,
    ),
    budgetCheck: new FastHistogram(
      registry,
      'tollgate_budget_check_duration_seconds',
      'Admission time: estimate, price and the one budget reserve call.',
      ['gen_ai_system'],
      OVERHEAD_SECONDS,
    ),
    http: new FastCounter(
      registry,
      'tollgate_http_requests_total',
      'Every HTTP response, by route pattern and status (key and request errors included).',
      ['http_route', 'http_response_status_code'],
    ),
    // Rare events and sampled values: prom-client's own types.
    denials: new Counter({ name: 'tollgate_budget_denials_total', help: 'Calls refused because a budget was exhausted, by the level of that budget.', labelNames: ['budget_level'], registers }),
    thresholdCrossings: new Counter({ name: 'tollgate_budget_threshold_crossings_total', help: 'Budget alert thresholds crossed (each fires once per period across all instances).', labelNames: ['budget_level'], registers }),
    storeUnavailable: new Counter({ name: 'tollgate_budget_store_unavailable_total', help: 'Times the budget store could not be reached (admission or settle).', registers }),
    fallbackPriced: new Counter({ name: 'tollgate_fallback_priced_requests_total', help: 'Calls priced by the fallback price because the catalog does not know the model.', labelNames: ['gen_ai_system'], registers }),
    outstanding: new Gauge({
      name: 'tollgate_reservations_outstanding',
      help: 'Calls admitted in this process (their estimate reserved where budgets apply) and not finished yet.',
      registers,
      collect() {
        this.set(sources.outstanding());
      },
    }),
    budgetUtilization: new Gauge({ name: 'tollgate_budget_utilization_max_ratio', help: 'Highest spent/limit among the budgets of each level that applied to recent calls of this process.', labelNames: ['budget_level'], registers }),
    // Per budget, for the budgets an operator names in metrics.budgetGauges only: the id of a
    // budget (never of a key, user or team) is the one label value that is not a fixed set.
    budgetUtilizationOptedIn: new Gauge({
      name: 'tollgate_budget_utilization_ratio',
      help: 'spent/limit in the current period of each budget listed in metrics.budgetGauges (a default budget: the highest among the children that applied to recent calls of this process).',
      labelNames: ['budget_id', 'budget_level'],
      registers,
    }),
    budgetsExhausted: new Gauge({ name: 'tollgate_budgets_exhausted', help: 'Budgets of each level (among those tracked) whose current period is spent.', labelNames: ['budget_level'], registers }),
    budgetsTracked: new Gauge({ name: 'tollgate_budgets_tracked', help: 'Budgets of each level whose utilization this process samples (those that applied to its recent calls).', labelNames: ['budget_level'], registers }),
    ledgerLag: new Gauge({
      name: 'tollgate_ledger_lag_seconds',
      help: 'Age of the oldest usage event the ledger writer holds uncommitted (it grows while PostgreSQL is away), else of the last batch it committed (0 before the first).',
      registers,
      collect() {
        this.set(Math.max(0, ledger.lagMs()) / 1000);
      },
    }),
    ledgerRows: mirrorCounter(registry, 'tollgate_ledger_rows_written_total', 'Usage rows the ledger writer committed to PostgreSQL.', () => ledger.rowsWritten),
    ledgerWriteErrors: mirrorCounter(registry, 'tollgate_ledger_write_errors_total', 'Ledger batch writes that failed (each batch is retried; nothing is dropped).', () => ledger.writeErrors),
    ledgerQueueErrors: mirrorCounter(registry, 'tollgate_ledger_queue_errors_total', 'Failed reads or acknowledgements on the usage queue.', () => ledger.queueErrors),
    ledgerDeadLettered: mirrorCounter(registry, 'tollgate_ledger_dead_lettered_total', 'Usage events PostgreSQL refused as data, kept aside in the dead-letter list.', () => ledger.deadLettered),
    ledgerPending: new Gauge({ name: 'tollgate_ledger_pending_events', help: 'Usage events in the durable queue not yet written to PostgreSQL (sampled).', registers }),
    dependencyUp: new Gauge({ name: 'tollgate_dependency_up', help: '1 when the dependency answered its last periodic ping (postgresql, redis), else 0.', labelNames: ['dependency'], registers }),
    reconcileDrifted: new Gauge({ name: 'tollgate_reconcile_drifted_counters', help: 'Budget counters whose live value differed from the ledger at the last reconciliation, by budget level (queued events count until written).', labelNames: ['budget_level'], registers }),
    reconcileDriftUsd: new Gauge({ name: 'tollgate_reconcile_drift_usd', help: 'Sum of |counter - ledger| in USD over the counters of each budget level at the last reconciliation.', labelNames: ['budget_level'], registers }),
    reconcileLastSuccess: new Gauge({ name: 'tollgate_reconcile_last_success_timestamp_seconds', help: 'When this process last completed a reconciliation pass (Unix time).', registers }),
    migrationsPending: new Gauge({ name: 'tollgate_database_migrations_pending', help: 'Migrations in prisma/migrations the database has not applied (sampled).', registers }),
  };
}

export type Metrics = ReturnType<typeof defineMetrics>;

/**
 * Counters the ledger writer already keeps as plain numbers, exported as Prometheus counters:
 * at each scrape the increase since the last one is added, so nothing is done per event.
 */
function mirrorCounter(registry: Registry, name: string, help: string, read: () => number): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

/** A fresh registry with the default Node.js process metrics (CPU, memory, event loop, GC). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
