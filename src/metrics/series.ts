/**
 * Label values for a call, resolved once per distinct combination and kept, so the request
 * path does Map lookups on strings it already holds and never builds a label string.
 */
import type { Usage } from '../core/usage.js';
import type { PriceCatalog } from '../pricing/index.js';
import type { EndpointKind } from '../providers/types.js';
import type { Metrics } from './definitions.js';
import type { CounterSeries, HistogramSeries } from './fast.js';

/** `gen_ai_operation_name`: the OpenTelemetry names where one exists. */
export const OPERATION: Readonly<Record<EndpointKind, string>> = {
  chat: 'chat',
  responses: 'responses',
  embeddings: 'embeddings',
  generate: 'generate_content',
  'count-tokens': 'count_tokens',
  models: 'list_models',
  other: 'other',
};

/** `gen_ai_token_type` for each Usage field exported (subsets of input/output included). */
const TOKEN_TYPES = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cachedInputTokens', 'cached_input'],
  ['cacheWriteTokens', 'cache_write'],
  ['reasoningTokens', 'reasoning'],
] as const satisfies ReadonlyArray<readonly [keyof Usage, string]>;

/**
 * `gen_ai_request_model`: the catalog's model id when the catalog prices the model (built-in
 * or database), else `other`, so a client inventing model names cannot grow the series. The
 * answer is remembered per (provider, model) up to a bound, and forgotten by `clear()` when
 * prices may have changed (a model added to the database gets its own label).
 */
export class ModelLabels {
  private byProvider = new Map<string, Map<string, string>>();

  constructor(
    private readonly catalog: PriceCatalog,
    private readonly maxPerProvider = 2000,
  ) {}

  label(provider: string, model: string | undefined): string {
    if (model === undefined) return 'none';
    let models = this.byProvider.get(provider);
    if (!models) {
      models = new Map();
      this.byProvider.set(provider, models);
    }
    let label = models.get(model);
    if (label === undefined) {
      const lookup = this.catalog.lookup(provider, model);
      label = lookup.source === 'fallback' ? 'other' : lookup.resolvedModel;
      if (models.size < this.maxPerProvider) models.set(model, label);
    }
    return label;
  }

  clear(): void {
    this.byProvider = new Map();
  }
}

/** The series one (provider, model, operation) writes to. */
export class CallSeries {
  readonly duration: HistogramSeries;
  readonly ttft: HistogramSeries;
  private readonly byStatus = new Map<number, CounterSeries>();
  /** Per TOKEN_TYPES index; created on first use so unused types export nothing. */
  private readonly tokens: Array<HistogramSeries | undefined> = [];
  private readonly byCostSource = new Map<string, CounterSeries>();

  constructor(
    private readonly metrics: Metrics,
    private readonly labels: readonly [system: string, model: string, operation: string],
  ) {
    this.duration = metrics.operationDuration.series(...labels);
    this.ttft = metrics.timeToFirstToken.series(...labels);
  }

  requests(status: number): CounterSeries {
    let series = this.byStatus.get(status);
    if (!series) {
      series = this.metrics.requests.series(...this.labels, String(status));
      this.byStatus.set(status, series);
    }
    return series;
  }

  /** Input and output whenever reported; the subsets only when non-zero. */
  observeTokens(usage: Usage): void {
    for (let i = 0; i < TOKEN_TYPES.length; i++) {
      const count = usage[TOKEN_TYPES[i]![0]];
      if (count === undefined || (i >= 2 && count === 0)) continue;
      const series = (this.tokens[i] ??= this.metrics.tokenUsage.series(...this.labels, TOKEN_TYPES[i]![1]));
      series.observe(count);
    }
  }

  cost(source: string): CounterSeries {
    let series = this.byCostSource.get(source);
    if (!series) {
      series = this.metrics.cost.series(this.labels[0], this.labels[1], source);
      this.byCostSource.set(source, series);
    }
    return series;
  }
}

/** The series one (provider, operation) writes to: where the time went. */
export interface TimingSeries {
  overhead: HistogramSeries;
  upstreamDuration: HistogramSeries;
  upstreamFirstByte: HistogramSeries;
}

/** Nested maps keyed by label values: provider → model → operation. */
export class SeriesCache {
  private readonly calls = new Map<string, Map<string, Map<string, CallSeries>>>();
  private readonly timings = new Map<string, Map<string, TimingSeries>>();
  private readonly checks = new Map<string, HistogramSeries>();

  constructor(
    private readonly metrics: Metrics,
    readonly models: ModelLabels,
  ) {}

  call(provider: string, model: string | undefined, kind: EndpointKind): CallSeries {
    const label = this.models.label(provider, model);
    const operation = OPERATION[kind];
    let byModel = this.calls.get(provider);
    if (!byModel) this.calls.set(provider, (byModel = new Map()));
    let byOperation = byModel.get(label);
    if (!byOperation) byModel.set(label, (byOperation = new Map()));
    let series = byOperation.get(operation);
    if (!series) byOperation.set(operation, (series = new CallSeries(this.metrics, [provider, label, operation])));
    return series;
  }

  timing(provider: string, kind: EndpointKind): TimingSeries {
    const operation = OPERATION[kind];
    let byOperation = this.timings.get(provider);
    if (!byOperation) this.timings.set(provider, (byOperation = new Map()));
    let series = byOperation.get(operation);
    if (!series) {
      series = {
        overhead: this.metrics.overhead.series(provider, operation),
        upstreamDuration: this.metrics.upstreamDuration.series(provider, operation),
        upstreamFirstByte: this.metrics.upstreamFirstByte.series(provider, operation),
      };
      byOperation.set(operation, series);
    }
    return series;
  }

  budgetCheck(provider: string): HistogramSeries {
    let series = this.checks.get(provider);
    if (!series) this.checks.set(provider, (series = this.metrics.budgetCheck.series(provider)));
    return series;
  }
}
