/**
 * What both stores compute before touching any counter: for each rule, the counter entity,
 * the current period, the key names and the threshold amounts. Shared so the Redis and the
 * in-process store cannot disagree on a key name or a rounding.
 */
import {
  COUNTER_GRACE_MS,
  alertKey,
  counterKey,
  expiryKey,
  heldKey,
  lateSettlesKey,
  seedStateKey,
} from './keys.js';
import { periodWindow, type PeriodWindow } from './periods.js';
import { affords, type BudgetRule, type BudgetStatus, type CounterEntityIds } from './types.js';

/**
 * Counters are integer nano-USD. Redis Lua numbers are doubles, exact for integers below
 * 2^53, so one counter holds at most 2^53 - 1 nano-USD (about $9.007M): limits and amounts
 * above that are refused here rather than silently rounded inside a script.
 */
export const MAX_NANO = BigInt(Number.MAX_SAFE_INTEGER);

export interface ThresholdPlan {
  pct: number;
  /** Spent at or above this fires the threshold: ceil(limit * pct / 100), exact in bigint. */
  atNano: bigint;
  alertKey: string;
}

export interface RulePlan {
  rule: BudgetRule;
  entity: string;
  window: PeriodWindow;
  counterKey: string;
  heldKey: string;
  expiryKey: string;
  seedKey: string;
  lateKey: string;
  /** How long the counter must live from `now`; null for `total` (never expires). */
  counterTtlMs: number | null;
  thresholds: ThresholdPlan[];
}

/** The reset time to hand out: a copy, since windows are cached and shared. */
export function resetAt(plan: RulePlan): Date | null {
  return plan.window.end ? new Date(plan.window.end.getTime()) : null;
}

export function statusOf(plan: RulePlan, spentNano: bigint, reservedNano: bigint): BudgetStatus {
  return {
    rule: plan.rule,
    counterEntityId: plan.entity,
    periodId: plan.window.id,
    limitNano: plan.rule.limitNano,
    spentNano,
    reservedNano,
    remainingNano: plan.rule.limitNano - spentNano - reservedNano,
    resetAt: resetAt(plan),
  };
}

export function checkNano(name: string, value: bigint): void {
  if (value < 0n || value > MAX_NANO) {
    throw new RangeError(`${name} must be between 0 and ${MAX_NANO} nano-USD, got ${value}`);
  }
}

export function checkRequestId(requestId: string): void {
  // The empty string is the hold hash's sum field, and never a real id.
  if (requestId.length === 0) throw new RangeError('requestId must not be empty');
}

/** The entity whose counter a rule uses (the child, for an inherited default). */
export function counterEntity(rule: BudgetRule, ids: CounterEntityIds): string {
  if (!rule.inheritedFrom) return rule.entityId;
  const child = ids[rule.level];
  if (!child) {
    // Without the child id every child would share one counter: refuse, never guess.
    throw new RangeError(`budget ${rule.id} is a ${rule.level} default but the request has no ${rule.level}`);
  }
  return child;
}

export function thresholdNano(limit: bigint, pct: number): bigint {
  const scaled = limit * BigInt(pct);
  return (scaled + 99n) / 100n;
}

/** A plan without `counterTtlMs`, the one part that depends on the moment. */
type FixedPlan = Omit<RulePlan, 'counterTtlMs'>;

interface RuleMemo {
  /** What the plans were made from; a rule changed in place starts a new memo. */
  limitNano: bigint;
  thresholds: readonly number[];
  plans: Map<string, FixedPlan>;
}

/**
 * Plans already made, per rule object: every request plans its rules twice (reserve and
 * settle), and rebuilding 3 counter keys, 4 alert keys and 4 threshold amounts per rule each
 * time showed up in the profile. Rule objects are replaced, never edited, when the budget
 * directory reloads, so a WeakMap lets old rules' plans go with them.
 */
const memo = new WeakMap<BudgetRule, RuleMemo>();
/** Plans kept per rule: one per (shard, entity, period) in use; a default inherited by many children needs several. */
const MAX_PLANS_PER_RULE = 512;

function fixedPlan(base: string, rule: BudgetRule, entity: string, window: PeriodWindow): FixedPlan {
  let m = memo.get(rule);
  if (!m || m.limitNano !== rule.limitNano || m.thresholds !== rule.thresholds) {
    m = { limitNano: rule.limitNano, thresholds: rule.thresholds, plans: new Map() };
    memo.set(rule, m);
  }
  // Length-prefixed, so no choice of base and entity can make two different pairs collide.
  const key = `${base.length}:${base}${entity.length}:${entity}${window.id}`;
  let plan = m.plans.get(key);
  if (!plan) {
    checkNano(`limit of budget ${rule.id}`, rule.limitNano);
    const pcts = [...new Set(rule.thresholds)].filter((p) => Number.isInteger(p) && p > 0).sort((a, b) => a - b);
    plan = {
      rule,
      entity,
      window,
      counterKey: counterKey(base, rule.id, entity, window.id),
      heldKey: heldKey(base, rule.id, entity),
      expiryKey: expiryKey(base, rule.id, entity),
      seedKey: seedStateKey(counterKey(base, rule.id, entity, window.id)),
      lateKey: lateSettlesKey(counterKey(base, rule.id, entity, window.id)),
      thresholds: pcts.map((pct) => ({
        pct,
        atNano: thresholdNano(rule.limitNano, pct),
        alertKey: alertKey(base, rule.id, entity, window.id, pct),
      })),
    };
    if (m.plans.size >= MAX_PLANS_PER_RULE) m.plans.delete(m.plans.keys().next().value!);
    m.plans.set(key, plan);
  }
  return plan;
}

export function planRule(base: string, rule: BudgetRule, entity: string, window: PeriodWindow, now: Date): RulePlan {
  const p = fixedPlan(base, rule, entity, window);
  return {
    rule: p.rule,
    entity: p.entity,
    window: p.window,
    counterKey: p.counterKey,
    heldKey: p.heldKey,
    expiryKey: p.expiryKey,
    seedKey: p.seedKey,
    lateKey: p.lateKey,
    counterTtlMs: window.end ? window.end.getTime() - now.getTime() + COUNTER_GRACE_MS : null,
    // Shared between calls: callers read plans, never change them.
    thresholds: p.thresholds,
  };
}

/** Plans every rule at `now`; a rule listed twice (same counter) is planned once. */
export function planRules(
  base: string,
  rules: readonly BudgetRule[],
  ids: CounterEntityIds,
  now: Date,
): RulePlan[] {
  const seen = new Set<string>();
  const plans: RulePlan[] = [];
  for (const rule of rules) {
    const entity = counterEntity(rule, ids);
    const plan = planRule(base, rule, entity, periodWindow(rule.period, rule.timezone, now), now);
    if (seen.has(plan.counterKey)) continue;
    seen.add(plan.counterKey);
    plans.push(plan);
  }
  return plans;
}

/**
 * Of the hard rules without room, the one with the least room left (the first on a tie):
 * the budget the denial names. Returns -1 when every hard rule has room.
 */
export function tightestDenial(
  plans: readonly RulePlan[],
  spent: readonly bigint[],
  held: readonly bigint[],
  amount: bigint,
): number {
  let deny = -1;
  let denyRoom = 0n;
  plans.forEach((plan, i) => {
    if (!plan.rule.hard || affords(spent[i]!, held[i]!, amount, plan.rule.limitNano)) return;
    const room = plan.rule.limitNano - spent[i]! - held[i]!;
    if (deny < 0 || room < denyRoom) {
      deny = i;
      denyRoom = room;
    }
  });
  return deny;
}
