/**
 * Call metrics from the two places that see every call: the accounting seam (wrapped here, so
 * admissions, denials and outcomes are counted without the proxy knowing about metrics) and the
 * AccountingObserver (tokens and cost once the call is priced and settled).
 */
import type { AccountingObserver } from '../accounting/observer.js';
import { BUDGET_LEVELS, type BudgetLevel } from '../budgets/types.js';
import type { Accounting, CallContext } from '../proxy/accounting.js';
import type { UpstreamTiming } from '../proxy/forward.js';
import type { Counter } from 'prom-client';
import type { Metrics } from './definitions.js';
import type { SeriesCache } from './series.js';

const ATTO_PER_USD = 1e18;

/**
 * Calls admitted and not finished, and calls finished but not yet settled. Shutdown waits on
 * both (`drained`) before flushing the ledger: a usage event is appended by the settle, which
 * runs just after the response ends, and a flush that started before it would miss the row.
 */
export class CallTracker {
  outstanding = 0;
  finished = 0;
  settled = 0;
  /**
   * Store failures, admission or settle (the observer does not say which). A failed settle is
   * never followed by settled(), so counting them keeps `drained` from waiting out its
   * deadline after a Redis outage; during one, it may stop waiting early, when settles fail anyway.
   */
  storeFailures = 0;

  /** Resolves when every admitted call finished and settled, or at the deadline. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.outstanding > 0 || this.settled + this.storeFailures < this.finished) {
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }
}

export interface CallMetricsDeps {
  metrics: Metrics;
  series: SeriesCache;
  tracker: CallTracker;
  /** Told of each settled call's key, for budget utilization sampling. */
  touched?: (call: CallContext) => void;
}

function modelOf(call: CallContext): string | undefined {
  return call.facts.model ?? call.route.pathModel;
}

/** Counts admissions, denials and outcomes around an Accounting, without changing what it does. */
export function instrumentAccounting(inner: Accounting, deps: CallMetricsDeps): Accounting {
  const { series, tracker } = deps;
  return {
    async admit(call) {
      const started = performance.now();
      const result = await inner.admit(call);
      series.budgetCheck(call.adapter.id).observe((performance.now() - started) / 1000);
      if (result.ok) tracker.outstanding += 1;
      else series.call(call.adapter.id, modelOf(call), call.route.kind).requests(result.error.status).inc();
      return result;
    },
    finish(call, admission, outcome) {
      tracker.outstanding -= 1;
      tracker.finished += 1;
      const answer = inner.finish(call, admission, outcome);
      const s = series.call(call.adapter.id, modelOf(call), call.route.kind);
      s.requests(outcome.status).inc();
      s.duration.observe(outcome.latencyMs / 1000);
      if (outcome.streamed && outcome.ttftMs !== undefined) s.ttft.observe(outcome.ttftMs / 1000);
      return answer;
    },
  };
}

/** Tokens, cost, denials and the rest, as accounting reports them. */
export function metricsObserver(deps: CallMetricsDeps): AccountingObserver {
  const { metrics, series, tracker } = deps;
  const fallback = childCache((provider: string) => metrics.fallbackPriced.labels(provider));
  const denials = childCache((level: BudgetLevel) => metrics.denials.labels(level));
  const crossings = childCache((level: BudgetLevel) => metrics.thresholdCrossings.labels(level));
  // Every level exported from the start (at 0), so rate() and dashboards see the series before the first event.
  for (const level of BUDGET_LEVELS) {
    metrics.denials.inc({ budget_level: level }, 0);
    metrics.thresholdCrossings.inc({ budget_level: level }, 0);
  }
  return {
    fallbackPriced: (provider) => fallback(provider).inc(),
    denied: (level) => denials(level).inc(),
    storeUnavailable() {
      tracker.storeFailures += 1;
      metrics.storeUnavailable.inc();
    },
    settled(call, _outcome, priced, crossed) {
      tracker.settled += 1;
      const s = series.call(call.adapter.id, modelOf(call), call.route.kind);
      if (priced.usage) s.observeTokens(priced.usage);
      if (priced.total > 0n) s.cost(priced.costSource).inc(Number(priced.total) / ATTO_PER_USD);
      for (const { rule } of crossed) crossings(rule.level).inc();
      deps.touched?.(call);
    },
  };
}

/** Time split between the gateway and the provider, reported by the forward handler. */
export function upstreamTimingObserver(series: SeriesCache): (call: CallContext, timing: UpstreamTiming) => void {
  return (call, timing) => {
    const done = performance.now();
    const s = series.timing(call.adapter.id, call.route.kind);
    s.upstreamFirstByte.observe((timing.headersAt - timing.sentAt) / 1000);
    s.upstreamDuration.observe((timing.endedAt - timing.sentAt) / 1000);
    // Before the request left (auth, body, estimate, budget check) plus after the answer ended
    // (usage, pricing, headers); the upstream exchange in between is the provider's time.
    s.overhead.observe((timing.sentAt - call.receivedAt + (done - timing.endedAt)) / 1000);
  };
}

/** prom-client children by one bounded label value, for the rare events kept on its own types. */
function childCache<K extends string>(make: (key: K) => Counter.Internal): (key: K) => Counter.Internal {
  const children = new Map<K, Counter.Internal>();
  return (key) => {
    let child = children.get(key);
    if (!child) children.set(key, (child = make(key)));
    return child;
  };
}
