import type { BudgetLevel, BudgetRule } from '../budgets/types.js';
import type { CallContext, CallOutcome } from '../proxy/accounting.js';
import type { PricedOutcome } from './service.js';

/**
 * What accounting tells the rest of the gateway (metrics, alerts) about each call. Every
 * method is optional to implement and must be cheap: it runs on the request path.
 */
export interface AccountingObserver {
  fallbackPriced(provider: string): void;
  denied(level: BudgetLevel): void;
  storeUnavailable(): void;
  settled(call: CallContext, outcome: CallOutcome, priced: PricedOutcome, crossed: ReadonlyArray<{ rule: BudgetRule; threshold: number }>): void;
}

/**
 * One observer that tells several (metrics, alerts, ...) in turn. Each part may implement only
 * some methods; one part throwing must not keep the others from hearing about the call, and
 * must never reach the request path.
 */
export function combineObservers(...observers: Array<Partial<AccountingObserver> | undefined>): AccountingObserver {
  const parts = observers.filter((o): o is Partial<AccountingObserver> => o !== undefined);
  const each = <K extends keyof AccountingObserver>(method: K) =>
    ((...args: Parameters<AccountingObserver[K]>) => {
      for (const part of parts) {
        const fn = part[method] as ((...a: Parameters<AccountingObserver[K]>) => void) | undefined;
        if (!fn) continue;
        try {
          fn.apply(part, args);
        } catch {
          // An observer is a side channel: its failure is its own to report.
        }
      }
    }) as AccountingObserver[K];
  return { fallbackPriced: each('fallbackPriced'), denied: each('denied'), storeUnavailable: each('storeUnavailable'), settled: each('settled') };
}
