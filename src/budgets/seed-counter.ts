/**
 * Seeding counters from the ledger (keys.ts, "Seeding"): what both stores do when a reserve
 * finds a counter that waits for its seed. The store answers "seed first"; this module reads
 * the ledger's spend for that counter and hands it to the store's guarded apply step; the
 * store then retries its reserve.
 *
 * Without a ledger reader (a store used on its own) new counters are seeded as they are.
 * When the ledger cannot be read (PostgreSQL down), the reserve goes on with the counter as it
 * is rather than failing every request, and the seed is tried again a few seconds later:
 * settles keep listing what they charge meanwhile, so the late seed is still exact.
 */
import type { PeriodWindow } from './periods.js';
import type { RulePlan } from './plan.js';
import type { BudgetRule } from './types.js';

/** A counter that waits for its seed from the ledger. */
export interface UnseededCounter {
  rule: BudgetRule;
  counterEntityId: string;
  window: PeriodWindow;
  /** The request's organization, when it has one: the ledger query can use its index. */
  organizationId?: string;
}

/**
 * The ledger's spend for one counter's period, in nano-USD with each row rounded up as settle
 * rounds it, read in ONE snapshot and leaving out the request ids `alreadyCounted()` returns.
 * It must be called after the snapshot is taken: a row reaches the ledger only after its
 * settle, so every row of the snapshot that the counter already holds is then in its answer.
 */
export type LedgerSpendReader = (counter: UnseededCounter, alreadyCounted: () => Promise<readonly string[]>) => Promise<bigint>;

export interface CounterSeeding {
  readSpend: LedgerSpendReader;
  /** Told when the ledger could not be read; the request goes on meanwhile. */
  onError?: (error: Error, counter: UnseededCounter) => void;
}

export type SeedMode = 'lazy' | 'skip' | 'none';

/** After this many "seed first" answers in one reserve, admit on the counters as they are. */
const MAX_SEED_ROUNDS = 3;
/** A counter whose seed failed is not tried again before this. */
const RETRY_AFTER_MS = 5_000;
const MAX_REMEMBERED_FAILURES = 10_000;

export class CounterSeeder {
  private readonly failedUntil = new Map<string, number>();

  constructor(private readonly seeding: CounterSeeding | undefined) {}

  /** The mode settles run in: counters created by a settle wait for a seed when one can come. */
  get settleMode(): 'lazy' | 'none' {
    return this.seeding ? 'lazy' : 'none';
  }

  /** The mode of a reserve's `round`-th attempt (0 first). */
  reserveMode(plans: readonly RulePlan[], round: number): SeedMode {
    if (!this.seeding) return 'none';
    if (round >= MAX_SEED_ROUNDS) return 'skip';
    if (this.failedUntil.size === 0) return 'lazy'; // the usual case: nothing to look up per request
    const now = Date.now();
    for (const plan of plans) {
      const until = this.failedUntil.get(plan.counterKey);
      if (until === undefined) continue;
      if (until > now) return 'skip';
      this.failedUntil.delete(plan.counterKey);
    }
    return 'lazy';
  }

  /**
   * Reads the ledger for `plan`'s counter and applies it with `apply` (the store's guarded
   * step, which refuses if the counter's seed token changed meanwhile). Never throws.
   */
  async seed(
    plan: RulePlan,
    organizationId: string | undefined,
    lateSettles: () => Promise<readonly string[]>,
    apply: (amountNano: bigint) => Promise<unknown>,
  ): Promise<void> {
    const counter: UnseededCounter = { rule: plan.rule, counterEntityId: plan.entity, window: plan.window, organizationId };
    try {
      await apply(await this.seeding!.readSpend(counter, lateSettles));
    } catch (error) {
      if (this.failedUntil.size >= MAX_REMEMBERED_FAILURES) this.failedUntil.clear();
      this.failedUntil.set(plan.counterKey, Date.now() + RETRY_AFTER_MS);
      this.seeding!.onError?.(error as Error, counter);
    }
  }
}
