/**
 * The in-process budget store of the embedded default (no Redis configured): the same
 * semantics as the Redis store, on Maps keyed by the same key names (keys.ts).
 *
 * Atomic because each call runs synchronously from start to end: the methods are `async`
 * only to fit the interface and contain no `await`, so no other call interleaves.
 *
 * Time is the caller's `now`, as in the Redis scripts: holds expire when `now` passes their
 * expiry, counters and markers when `now` passes theirs (instead of Redis's own clock; tests
 * move `now` to roll periods and expire holds). Expired entries are dropped when touched
 * and by a periodic sweep, so memory stays bounded without a timer.
 *
 * Seeding (keys.ts) is the one step that awaits: a reserve that finds counters waiting for
 * their seed reads the ledger, applies the seed in a synchronous step guarded by the token,
 * and runs again; each of those steps is atomic on its own, as each Redis script is.
 */
import { HOLD_KEY_SLACK_MS, SETTLED_TTL_MS, allShardBases, settledKey, shardBase } from './keys.js';
import { windowOfPeriodId } from './periods.js';
import { CounterSeeder, type CounterSeeding, type SeedMode } from './seed-counter.js';
import {
  type RulePlan,
  checkNano,
  checkRequestId,
  counterEntity,
  planRule,
  planRules,
  resetAt,
  statusOf,
  tightestDenial,
} from './plan.js';
import type {
  BudgetStatus,
  BudgetStore,
  ReserveInput,
  ReserveResult,
  BudgetRule,
  SettleInput,
  SettleResult,
} from './types.js';
import { MemoryUsageQueue } from './usage-queue.js';

interface Expiring<T> {
  value: T;
  /** ms on the callers' clock; null: never. */
  expiresAt: number | null;
}

interface Holds {
  sum: bigint;
  byId: Map<string, { amount: bigint; expiresAt: number }>;
  /** Mirrors the Redis hold keys' own expiry: gone once idle past the newest hold. */
  expiresAt: number;
}

const SWEEP_EVERY = 4096;

export class MemoryBudgetStore implements BudgetStore {
  readonly usage = new MemoryUsageQueue();
  private readonly counters = new Map<string, Expiring<bigint>>();
  private readonly markers = new Map<string, Expiring<true>>();
  private readonly holds = new Map<string, Holds>();
  /** Seed state per counter: 's' or the token of its first touch (keys.ts, "Seeding"). */
  private readonly seedStates = new Map<string, Expiring<string>>();
  private readonly lateSettles = new Map<string, Expiring<Set<string>>>();
  private readonly seeder: CounterSeeder;
  private tokens = 0;
  private readonly base = (shardKey: string): string => shardBase('', shardKey);
  private ops = 0;
  private closed = false;

  constructor(options: { seeding?: CounterSeeding } = {}) {
    this.seeder = new CounterSeeder(options.seeding);
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    checkRequestId(input.requestId);
    checkNano('amountNano', input.amountNano);
    if (!(input.reservationTtlMs > 0)) throw new RangeError('reservationTtlMs must be positive');
    const now = this.tick(input.now);
    const plans = planRules(this.base(input.shardKey), input.rules, input.counterEntityIds, input.now);
    for (let round = 0; ; round++) {
      const unseeded = this.unseeded(plans, now, this.seeder.reserveMode(plans, round));
      if (unseeded.length === 0) break;
      for (const [plan, token] of unseeded) {
        await this.seeder.seed(
          plan,
          input.counterEntityIds.organization,
          async () => [...(this.get(this.lateSettles, plan.lateKey, now) ?? [])],
          async (amount) => this.applySeed(plan, token, amount, now),
        );
      }
    }
    const spent: bigint[] = [];
    const held: bigint[] = [];
    for (const plan of plans) {
      this.release(plan.heldKey, input.requestId); // a retried reserve replaces its hold
      held.push(this.purge(plan.heldKey, now));
      spent.push(this.get(this.counters, plan.counterKey, now) ?? 0n);
    }
    const deny = tightestDenial(plans, spent, held, input.amountNano);
    if (deny >= 0) {
      const plan = plans[deny]!;
      return {
        admitted: false,
        denied: {
          rule: plan.rule,
          spentNano: spent[deny]!,
          reservedNano: held[deny]!,
          limitNano: plan.rule.limitNano,
          resetAt: resetAt(plan),
        },
      };
    }
    const expiresAt = now + Math.ceil(input.reservationTtlMs);
    return {
      admitted: true,
      remaining: plans.map((plan, i) => {
        let holds = this.holds.get(plan.heldKey);
        if (!holds) {
          holds = { sum: 0n, byId: new Map(), expiresAt: 0 };
          this.holds.set(plan.heldKey, holds);
        }
        holds.byId.set(input.requestId, { amount: input.amountNano, expiresAt });
        holds.sum += input.amountNano;
        holds.expiresAt = Math.max(holds.expiresAt, expiresAt + HOLD_KEY_SLACK_MS);
        return { rule: plan.rule, remainingNano: plan.rule.limitNano - spent[i]! - holds.sum };
      }),
    };
  }

  async settle(input: SettleInput): Promise<SettleResult> {
    checkRequestId(input.requestId);
    checkNano('actualNano', input.actualNano);
    const now = this.tick(input.now);
    const base = this.base(input.shardKey);
    const plans = planRules(base, input.rules, input.counterEntityIds, input.now);
    if (!this.setNx(settledKey(base, input.requestId), now, now + SETTLED_TTL_MS)) {
      return { settled: false, crossed: [] };
    }
    const crossed: SettleResult['crossed'] = [];
    const markers: string[] = [];
    for (const plan of plans) {
      this.release(plan.heldKey, input.requestId);
      this.purge(plan.heldKey, now);
      if (this.seedState(plan, now, this.seeder.settleMode !== 'none') !== 's') {
        // Waiting for its seed: the seed must leave out what this settle charges.
        let late = this.get(this.lateSettles, plan.lateKey, now);
        if (!late) {
          late = new Set();
          this.lateSettles.set(plan.lateKey, { value: late, expiresAt: this.counterExpiry(plan, now) });
        }
        late.add(input.requestId);
      }
      // Charged even when the hold already expired: the money was really spent.
      const before = this.get(this.counters, plan.counterKey, now);
      const spent = (before ?? 0n) + input.actualNano;
      const expiresAt = plan.counterTtlMs === null ? null : now + plan.counterTtlMs;
      this.counters.set(plan.counterKey, {
        value: spent,
        expiresAt: before === undefined ? expiresAt : this.counters.get(plan.counterKey)!.expiresAt,
      });
      for (const t of plan.thresholds) {
        if (spent > 0n && spent >= t.atNano && this.setNx(t.alertKey, now, expiresAt)) {
          crossed.push({ rule: plan.rule, threshold: t.pct });
          markers.push(t.alertKey);
        }
      }
    }
    // As the settle script does: the crossings travel with the usage event (keys.ts).
    this.usage.append({ ...input.event, requestId: input.requestId, ...(markers.length > 0 ? { crossed: markers.join(' ') } : {}) });
    return { settled: true, crossed };
  }

  async status(rule: BudgetRule, counterEntityId: string, now: Date, shardKey?: string): Promise<BudgetStatus> {
    const ms = this.tick(now);
    const bases = shardKey === undefined ? allShardBases('') : [this.base(shardKey)];
    const ids = { [rule.level]: counterEntityId };
    const plans = bases.map((base) => planRules(base, [rule], ids, now)[0]!);
    let spent = 0n;
    let held = 0n;
    for (const plan of plans) {
      held += this.purge(plan.heldKey, ms);
      spent += this.get(this.counters, plan.counterKey, ms) ?? 0n;
    }
    return statusOf(plans[0]!, spent, held);
  }

  async seedSpent(
    rule: BudgetRule,
    entityId: string,
    periodId: string,
    spentNano: bigint,
    shardKey: string,
    nowDate: Date = new Date(),
  ): Promise<boolean> {
    checkNano('spentNano', spentNano);
    const now = this.tick(nowDate);
    const window = windowOfPeriodId(rule.period, rule.timezone, periodId);
    const entity = counterEntity(rule, { [rule.level]: entityId });
    const plan = planRule(this.base(shardKey), rule, entity, window, nowDate);
    if (plan.counterTtlMs !== null && plan.counterTtlMs <= 0) return false; // long over
    if (this.get(this.counters, plan.counterKey, now) !== undefined) return false;
    const expiresAt = plan.counterTtlMs === null ? null : now + plan.counterTtlMs;
    this.counters.set(plan.counterKey, { value: spentNano, expiresAt });
    this.seedStates.set(plan.seedKey, { value: 's', expiresAt });
    return true;
  }

  /** Gives first-touched counters their seed state; returns those waiting for a seed. */
  private unseeded(plans: readonly RulePlan[], now: number, mode: SeedMode): [RulePlan, string][] {
    const waiting: [RulePlan, string][] = [];
    for (const plan of plans) {
      const state = this.seedState(plan, now, mode !== 'none');
      if (state !== 's' && mode === 'lazy') waiting.push([plan, state]);
    }
    return waiting;
  }

  private seedState(plan: RulePlan, now: number, lazy: boolean): string {
    const state = this.get(this.seedStates, plan.seedKey, now);
    if (state !== undefined) return state;
    const fresh = lazy ? `b${++this.tokens}` : 's';
    this.seedStates.set(plan.seedKey, { value: fresh, expiresAt: this.counterExpiry(plan, now) });
    return fresh;
  }

  /** The seed script's step: add the ledger's spend once, while the token still stands. */
  private applySeed(plan: RulePlan, token: string, amount: bigint, now: number): boolean {
    if (this.get(this.seedStates, plan.seedKey, now) !== token) return false;
    const before = this.get(this.counters, plan.counterKey, now);
    const expiresAt = this.counterExpiry(plan, now);
    this.counters.set(plan.counterKey, {
      value: (before ?? 0n) + amount,
      expiresAt: before === undefined ? expiresAt : this.counters.get(plan.counterKey)!.expiresAt,
    });
    this.seedStates.set(plan.seedKey, { value: 's', expiresAt });
    this.lateSettles.delete(plan.lateKey);
    return true;
  }

  private counterExpiry(plan: RulePlan, now: number): number | null {
    return plan.counterTtlMs === null ? null : now + plan.counterTtlMs;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.usage.close();
  }

  /** Counts an operation, sweeps now and then, and returns `now` in ms. */
  private tick(nowDate: Date): number {
    const now = nowDate.getTime();
    if (++this.ops % SWEEP_EVERY === 0) this.sweep(now);
    return now;
  }

  private get<T>(map: Map<string, Expiring<T>>, key: string, now: number): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      map.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** SET NX: true when the marker was absent (or expired) and is now set. */
  private setNx(key: string, now: number, expiresAt: number | null): boolean {
    if (this.get(this.markers, key, now) !== undefined) return false;
    this.markers.set(key, { value: true, expiresAt });
    return true;
  }

  /** Drops expired holds; returns what is still held. */
  private purge(heldKey: string, now: number): bigint {
    const holds = this.holds.get(heldKey);
    if (!holds) return 0n;
    for (const [id, hold] of holds.byId) {
      if (hold.expiresAt <= now) {
        holds.byId.delete(id);
        holds.sum -= hold.amount;
      }
    }
    if (holds.byId.size === 0) this.holds.delete(heldKey);
    return holds.sum;
  }

  private release(heldKey: string, requestId: string): void {
    const holds = this.holds.get(heldKey);
    const hold = holds?.byId.get(requestId);
    if (!holds || !hold) return;
    holds.byId.delete(requestId);
    holds.sum -= hold.amount;
  }

  private sweep(now: number): void {
    for (const map of [this.counters, this.markers, this.seedStates, this.lateSettles] as Map<string, Expiring<unknown>>[]) {
      for (const [key, entry] of map) {
        if (entry.expiresAt !== null && entry.expiresAt <= now) map.delete(key);
      }
    }
    for (const [key, holds] of this.holds) {
      if (holds.expiresAt <= now) this.holds.delete(key);
      else this.purge(key, now);
    }
  }
}
