/**
 * Telling a MISSING budget counter from one at zero. `BudgetStore.status` reads both as
 * spent 0, and the store interface has no "exists" call, so reconciliation asks Redis itself,
 * with the key name built by the budgets module's own key functions (keys.ts, plan.ts):
 * the layout is theirs, only the EXISTS is ours.
 *
 * The in-process store keeps its counters private: it has no probe. Reconciliation then
 * relies on `seedSpent` being SET-NX (it only writes a counter that does not exist), which
 * is also what makes reseeding safe when a probe is present.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX, counterKey, shardBase } from '../budgets/keys.js';
import { counterEntity } from '../budgets/plan.js';
import type { BudgetRule } from '../budgets/types.js';

export interface CounterRef {
  shardKey: string;
  rule: BudgetRule;
  /** The counter entity (for an inherited default, the child). */
  counterEntityId: string;
  periodId: string;
}

export type CounterProbe = (ref: CounterRef) => Promise<boolean>;

/** EXISTS on the counter key of a Redis budget store using `prefix`. */
export function redisCounterProbe(redis: Redis, prefix: string = DEFAULT_KEY_PREFIX): CounterProbe {
  return async ({ shardKey, rule, counterEntityId, periodId }) => {
    const entity = counterEntity(rule, { [rule.level]: counterEntityId });
    const key = counterKey(shardBase(prefix, shardKey), rule.id, entity, periodId);
    return (await redis.exists(key)) === 1;
  };
}
