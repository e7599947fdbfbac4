import type { Logger } from 'pino';
import { attoToNanoCeil, attoToUsd } from '../core/money.js';
import { hasUsage, type Usage } from '../core/usage.js';
import { BudgetStoreUnavailableError } from '../budgets/errors.js';
import type { BudgetDirectory, AppliedRules } from '../budgets/directory.js';
import type { BudgetStore, FailMode } from '../budgets/types.js';
import { estimateUsage } from '../estimate/estimate.js';
import { computeCost, type CostBreakdown, type LookupResult, type PriceCatalog } from '../pricing/index.js';
import type { Accounting, Admission, AdmitResult, CallContext, CallOutcome } from '../proxy/accounting.js';
import { denialError, remainingHeaders } from './budget-headers.js';
import type { CostSource } from '../ledger/event.js';
import { buildUsageEvent } from './usage-event.js';
import type { AccountingObserver } from './observer.js';

export interface AccountingOptions {
  catalog: PriceCatalog;
  directory: BudgetDirectory;
  store: BudgetStore;
  logger: Logger;
  failMode: FailMode;
  reservationTtlMs: number;
  defaultMaxOutputTokens: number;
  /** Last resort when the store cannot take a usage event: write it another way. */
  recordDirectly: (event: Record<string, string>) => Promise<void>;
  observer?: AccountingObserver;
}

/** What admit() learned, handed to finish(). */
interface AdmitState {
  lookup?: LookupResult;
  estimate?: CostBreakdown;
  applied?: AppliedRules;
  model?: string;
}

const NO_RULES: AppliedRules['rules'] = [];

/**
 * Pricing, budgets and the ledger behind the proxy's seam. admit(): estimate the tokens,
 * price the estimate, and reserve it in every budget that applies with ONE store call.
 * finish(): price the real usage, then settle + append the usage event in ONE store call,
 * off the response path.
 */
export function createAccounting(options: AccountingOptions): Accounting {
  const { catalog, directory, store, logger, observer } = options;
  const warnedFallback = new Set<string>();

  function lookupPrice(provider: string, model: string, at: Date): LookupResult {
    const lookup = catalog.lookup(provider, model, at);
    if (lookup.source === 'fallback') {
      observer?.fallbackPriced(provider);
      const key = `${provider}/${model}`;
      if (!warnedFallback.has(key) && warnedFallback.size < 1000) {
        warnedFallback.add(key);
        logger.warn({ provider, model }, 'no price known for this model: priced by the fallback price');
      }
    }
    return lookup;
  }

  async function admit(call: CallContext): Promise<AdmitResult> {
    const { route, facts, adapter, key } = call;
    const model = facts.model ?? route.pathModel;
    if (!route.billable || !model) return { ok: true, admission: { headers: {}, state: { model } satisfies AdmitState } };
    const lookup = lookupPrice(adapter.id, model, call.receivedAtDate);
    const estimated = estimateUsage(facts, options.defaultMaxOutputTokens, route.kind !== 'embeddings');
    const estimate = computeCost(estimated.usage, lookup.price, { serviceTier: facts.serviceTier });
    const applied = directory.rulesFor(key, adapter.id, model);
    const state: AdmitState = { lookup, estimate, applied, model };
    if (applied.rules.length === 0) return { ok: true, admission: { headers: {}, state } };

    try {
      const result = await store.reserve({
        shardKey: applied.shardKey,
        requestId: call.requestId,
        amountNano: attoToNanoCeil(estimate.total),
        rules: applied.rules,
        counterEntityIds: applied.counterEntityIds,
        now: call.receivedAtDate,
        reservationTtlMs: options.reservationTtlMs,
      });
      if (!result.admitted) {
        observer?.denied(result.denied.rule.level);
        return { ok: false, ...denialError(result.denied, call.receivedAtDate) };
      }
      return { ok: true, admission: { headers: remainingHeaders(result.remaining), state } };
    } catch (error) {
      if (!(error instanceof BudgetStoreUnavailableError)) throw error;
      observer?.storeUnavailable();
      // Any budget that asks for fail-closed (itself, or by the global default) wins.
      const closed = applied.rules.some((rule) => (rule.failMode ?? options.failMode) === 'closed');
      logger.error({ requestId: call.requestId, failMode: closed ? 'closed' : 'open' }, 'budget store unavailable');
      if (closed) {
        return { ok: false, error: { kind: 'service_unavailable', status: 503, message: 'Budgets cannot be checked right now; the request was not sent.' } };
      }
      return { ok: true, admission: { headers: { 'x-tollgate-budget-unchecked': 'true' }, state } };
    }
  }

  function finish(call: CallContext, admission: Admission, outcome: CallOutcome): { costUsd?: string } {
    const state = (admission.state ?? {}) as AdmitState;
    const priced = priceOutcome(call, state, outcome);
    const event = buildUsageEvent(call, state.model, outcome, priced);
    const applied = state.applied;
    const settle = store.settle({
      shardKey: applied?.shardKey ?? call.key.organizationId ?? call.key.keyId,
      requestId: call.requestId,
      actualNano: attoToNanoCeil(priced.total),
      rules: applied?.rules ?? NO_RULES,
      counterEntityIds: applied?.counterEntityIds ?? {},
      // The period the request started in, the same instant as the row's createdAt, so the
      // counters and the ledger agree even for a call that ran across midnight.
      now: call.receivedAtDate,
      event,
    });
    settle.then(
      (result) => observer?.settled(call, outcome, priced, result.crossed),
      (error: unknown) => {
        logger.error({ requestId: call.requestId, err: (error as Error).message }, 'settle failed; recording the usage row directly');
        observer?.storeUnavailable();
        options.recordDirectly(event).catch((inner: unknown) =>
          logger.error({ requestId: call.requestId, err: (inner as Error).message }, 'usage row could not be recorded'),
        );
      },
    );
    return { costUsd: state.lookup ? attoToUsd(priced.total) : undefined };
  }

  return { admit, finish };
}

export interface PricedOutcome {
  usage?: Usage;
  breakdown?: CostBreakdown;
  total: bigint;
  costSource: CostSource;
  lookup?: LookupResult;
}

/**
 * The actual cost: from the provider's usage when it arrived; from the estimate when a
 * billable call returned success (or was cut off) without usage — never $0 by omission;
 * nothing for a call the provider refused (an error status and no usage).
 */
function priceOutcome(call: CallContext, state: AdmitState, outcome: CallOutcome): PricedOutcome {
  const { lookup, estimate } = state;
  if (!lookup || !estimate) return { usage: outcome.usage, total: 0n, costSource: 'none' };
  if (hasUsage(outcome.usage)) {
    const breakdown = computeCost(outcome.usage, lookup.price, { serviceTier: call.facts.serviceTier });
    return { usage: outcome.usage, breakdown, total: breakdown.total, costSource: breakdown.costSource, lookup };
  }
  // The provider answered with an error, or the connection failed before any answer: not billed.
  // A timeout is different: the provider may still have run (and billed) the request.
  const refused = outcome.status >= 400 && outcome.errorCode === undefined;
  if (refused || outcome.errorCode === 'upstream_unavailable') return { usage: outcome.usage, total: 0n, costSource: 'none', lookup };
  return { usage: outcome.usage, breakdown: estimate, total: estimate.total, costSource: 'estimated', lookup };
}
