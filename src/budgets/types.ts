/**
 * The budget store contract: one atomic reserve before a request goes upstream, one atomic
 * settle after it returns. Served by Redis (`redis-store.ts`) or, in the embedded default,
 * in process (`memory-store.ts`), with the same semantics; the code above does not know which.
 *
 * Money here is integer nano-USD (bigint), see `core/money.ts` (`attoToNanoCeil`).
 */
import type { UsageQueue } from './usage-queue.js';

export type BudgetLevel = 'organization' | 'project' | 'team' | 'user' | 'key';
export type BudgetPeriod = 'daily' | 'weekly' | 'monthly' | 'total';
export type FailMode = 'open' | 'closed';

export const BUDGET_LEVELS: readonly BudgetLevel[] = ['key', 'user', 'team', 'project', 'organization'];

/** A budget resolved for one request (from the `Budget` table, possibly a default). */
export interface BudgetRule {
  /** The Budget row id; part of the counter key. */
  id: string;
  /** The level whose entity owns the counter (for a default: the `appliesTo` level). */
  level: BudgetLevel;
  entityId: string;
  period: BudgetPeriod;
  /** IANA time zone in which the period starts. */
  timezone: string;
  limitNano: bigint;
  /** Hard budgets deny; soft ones only count and alert. */
  hard: boolean;
  /** Percent thresholds that each fire once per period (e.g. [50, 75, 90, 100]). */
  thresholds: readonly number[];
  modelScope?: string;
  providerScope?: string;
  failMode?: FailMode;
  /**
   * Set for a default inherited from a parent (`Budget.appliesTo`): the parent it was set on.
   * Each child then counts on its own counter: the entity in `counterEntityIds[level]`.
   */
  inheritedFrom?: { level: BudgetLevel; entityId: string };
}

/**
 * The entity of each level for this request (key id, user id, ...). A rule counts on
 * `rule.entityId` when it binds that entity itself, and on `counterEntityIds[rule.level]`
 * when it is an inherited default, so each child of the parent has its own counter.
 */
export type CounterEntityIds = Partial<Record<BudgetLevel, string | undefined>>;

export interface ReserveInput {
  /**
   * The organization id, or the key id when the key has no organization. It picks the Redis
   * hash slot, so it must be the same for every request touching the same counters.
   */
  shardKey: string;
  requestId: string;
  /** The estimate to hold, nano-USD, >= 0. */
  amountNano: bigint;
  /** Every rule that applies to this request (see `ruleAppliesTo` for model/provider scope). */
  rules: readonly BudgetRule[];
  counterEntityIds: CounterEntityIds;
  /** The clock all period and expiry decisions use; tests move it. */
  now: Date;
  /** How long the reservation holds if no settle comes. */
  reservationTtlMs: number;
}

export interface RuleRemaining {
  rule: BudgetRule;
  /** limit - spent - reserved (this reservation included). Negative when overspent. */
  remainingNano: bigint;
}

export interface Denial {
  rule: BudgetRule;
  spentNano: bigint;
  reservedNano: bigint;
  limitNano: bigint;
  /** When the period resets; null for a `total` budget. */
  resetAt: Date | null;
}

export type ReserveResult =
  | { admitted: true; remaining: RuleRemaining[] }
  | { admitted: false; denied: Denial };

export interface SettleInput {
  shardKey: string;
  requestId: string;
  /** The actual cost, nano-USD, >= 0 (round up with `attoToNanoCeil`). */
  actualNano: bigint;
  rules: readonly BudgetRule[];
  counterEntityIds: CounterEntityIds;
  /** The cost is counted in the periods current at this instant. */
  now: Date;
  /** The usage event appended to the durable queue, in the same atomic step. */
  event: Record<string, string>;
}

export interface SettleResult {
  /** False when this request id was already settled (nothing counted, nothing appended). */
  settled: boolean;
  /** Thresholds this settle crossed first, across every gateway instance. */
  crossed: { rule: BudgetRule; threshold: number }[];
}

export interface BudgetStatus {
  rule: BudgetRule;
  counterEntityId: string;
  periodId: string;
  limitNano: bigint;
  spentNano: bigint;
  /** Money held by live (unexpired, unsettled) reservations. */
  reservedNano: bigint;
  remainingNano: bigint;
  resetAt: Date | null;
}

export interface BudgetStore {
  /**
   * Checks every rule and reserves `amountNano` in all of them, or in none. Admits when, for
   * every hard rule, spent + reserved + max(amount, 1) <= limit (see `affords`).
   * Rejects with `BudgetStoreUnavailableError` when the store cannot be reached.
   */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /**
   * Replaces the reservation with the actual cost and appends the usage event; idempotent
   * per request id for SETTLED_TTL_MS (10 min). Rejects with `BudgetStoreUnavailableError`
   * when the store cannot be reached: the caller must then keep the event some other way.
   */
  settle(input: SettleInput): Promise<SettleResult>;
  /**
   * One counter's current period (`counterEntityId`: for an inherited default, the child).
   * Purges expired holds first. Counters live in their organization's shard (keys.ts): pass
   * `shardKey` (the organization id, or the key id without one) to read just that shard;
   * without it every shard is read (16 small reads, for admin pages that do not know the
   * organization) and the results summed, which is exact since a counter lives in one shard.
   */
  status(rule: BudgetRule, counterEntityId: string, now: Date, shardKey?: string): Promise<BudgetStatus>;
  /**
   * Sets a period's spent counter only when it does not exist (rebuilding a lost Redis from
   * the ledger without double counting). Returns whether it was set. `periodId` is
   * `d:2026-11-22`, `w:2026-W47`, `m:2026-11` or `total`. Unlike `status`, the shard key is
   * required: a counter cannot be created without knowing its shard. `now` (default: the
   * clock) only decides the expiry; a period that ended more than COUNTER_GRACE_MS before
   * it is not seeded (its counter would expire at once).
   */
  seedSpent(
    rule: BudgetRule,
    entityId: string,
    periodId: string,
    spentNano: bigint,
    shardKey: string,
    now?: Date,
  ): Promise<boolean>;
  /** The durable queue settle appends usage events to (consumed by the ledger writer). */
  readonly usage: UsageQueue;
  /** True when the store answers; never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Whether a hard rule has room for `amount` on top of what is spent and held. A zero
 * estimate still needs one nano of room: an exhausted budget must stop traffic even when
 * the estimate is unknown or rounds to nothing.
 */
export function affords(spent: bigint, reserved: bigint, amount: bigint, limit: bigint): boolean {
  return spent + reserved + (amount > 0n ? amount : 1n) <= limit;
}

/** Whether a rule's model/provider scope matches a request (unscoped rules match all). */
export function ruleAppliesTo(rule: BudgetRule, model: string | undefined, provider: string): boolean {
  if (rule.providerScope !== undefined && rule.providerScope !== provider) return false;
  if (rule.modelScope !== undefined && rule.modelScope !== model) return false;
  return true;
}
