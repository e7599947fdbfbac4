/**
 * Seeding counters from the ledger (src/budgets/keys.ts, "Seeding"), on both stores. The
 * ledger reader is the store's boundary here: each test hands the store a reader that answers
 * a known ledger sum and records what the store told it. The real reader against PostgreSQL
 * is tested in test/gateway/counter-rebuild.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import type { CounterSeeding, UnseededCounter } from '../../src/budgets/seed-counter.js';
import type { BudgetRule, BudgetStore, ReserveInput } from '../../src/budgets/types.js';
import { NOW, rule } from './store-contract.js';

const REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const admin = new Redis(REDIS_URL);
afterAll(async () => {
  await admin.quit();
});

const UNIT = 1_000_000n; // $0.001

/** A ledger that holds `sum` for every counter, minus the rows listed in `rows` that the store says it already counted. */
class FakeLedger {
  calls: { counter: UnseededCounter; counted: readonly string[] }[] = [];
  errors: Error[] = [];
  constructor(
    public sum: bigint,
    public rows: Map<string, bigint> = new Map(),
    public delayMs = 0,
    public fail = false,
  ) {}
  seeding(): CounterSeeding {
    return {
      readSpend: async (counter, alreadyCounted) => {
        if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
        if (this.fail) throw new Error('ledger unreachable');
        const counted = await alreadyCounted();
        this.calls.push({ counter, counted });
        let total = this.sum;
        for (const [id, nano] of this.rows) if (!counted.includes(id)) total += nano;
        return total;
      },
      onError: (error) => this.errors.push(error),
    };
  }
}

interface Opened {
  store: BudgetStore;
  peer: BudgetStore;
  /** Loses every counter, as a flushed Redis or a restarted embedded gateway does. */
  lose(): Promise<BudgetStore>;
  dispose(): Promise<void>;
}

type Open = (ledger: FakeLedger) => Promise<Opened>;

async function deleteUnder(prefix: string): Promise<void> {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
}

const openRedis: Open = async (ledger) => {
  const prefix = `tgtest:seed:${randomUUID()}:`;
  const open = () => new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix, seeding: ledger.seeding() });
  const all = [open(), open()];
  return {
    store: all[0]!,
    peer: all[1]!,
    lose: async () => {
      await deleteUnder(prefix);
      return all[0]!;
    },
    dispose: async () => {
      await Promise.all(all.map((s) => s.close()));
      await deleteUnder(prefix);
    },
  };
};

const openMemory: Open = async (ledger) => {
  const all = [new MemoryBudgetStore({ seeding: ledger.seeding() })];
  return {
    store: all[0]!,
    peer: all[0]!,
    lose: async () => {
      all.push(new MemoryBudgetStore({ seeding: ledger.seeding() }));
      return all.at(-1)!;
    },
    dispose: async () => {
      await Promise.all(all.map((s) => s.close()));
    },
  };
};

function req(rules: BudgetRule[], over: Partial<ReserveInput> = {}): ReserveInput {
  return {
    shardKey: 'org-1',
    requestId: randomUUID(),
    amountNano: UNIT,
    rules,
    counterEntityIds: { organization: 'org-1' },
    now: NOW,
    reservationTtlMs: 60_000,
    ...over,
  };
}

async function spend(store: BudgetStore, r: ReserveInput, actual = r.amountNano): Promise<void> {
  await store.settle({ ...r, actualNano: actual, event: { model: 'gpt-x' } });
}

describe.each([
  ['redis', openRedis],
  ['memory', openMemory],
] as const)('%s: counters are seeded from the ledger', (_name, open) => {
  it('a counter the store does not have starts from the ledger spend of its period', async () => {
    const ledger = new FakeLedger(70n * UNIT);
    const { store, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 100n * UNIT });
      expect((await store.reserve(req([budget], { amountNano: 40n * UNIT }))).admitted).toBe(false);
      expect((await store.reserve(req([budget], { amountNano: 30n * UNIT }))).admitted).toBe(true);
      expect((await store.status(budget, budget.entityId, NOW, 'org-1')).spentNano).toBe(70n * UNIT);
      expect(ledger.calls).toHaveLength(1);
      expect(ledger.calls[0]!.counter).toMatchObject({ counterEntityId: budget.entityId, organizationId: 'org-1' });
      expect(ledger.calls[0]!.counter.window.id).toBe('d:2026-11-22');
    } finally {
      await dispose();
    }
  });

  it('settles charged while the counter waited for its seed are left out of the seed (counted once)', async () => {
    // The ledger already holds request A (10) and older rows (50); A was settled after the loss.
    const ledger = new FakeLedger(50n * UNIT);
    const { store, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 1000n * UNIT });
      const a = req([budget], { amountNano: 10n * UNIT });
      await spend(store, a); // the settle comes first: its counter did not exist
      ledger.rows.set(a.requestId, 10n * UNIT);
      expect((await store.reserve(req([budget]))).admitted).toBe(true);
      expect(ledger.calls[0]!.counted).toEqual([a.requestId]);
      expect((await store.status(budget, budget.entityId, NOW, 'org-1')).spentNano).toBe(60n * UNIT);
      // Seeded now: later requests read no ledger.
      await store.reserve(req([budget]));
      expect(ledger.calls).toHaveLength(1);
    } finally {
      await dispose();
    }
  });

  it('concurrent first requests seed a counter once and never pass its limit', async () => {
    const ledger = new FakeLedger(60n * UNIT, new Map(), 20);
    const { store, peer, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 100n * UNIT });
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? peer : store).reserve(req([budget], { amountNano: 10n * UNIT }))),
      );
      // 60 seeded + 4 holds of 10 = 100: exactly four fit.
      expect(results.filter((r) => r.admitted)).toHaveLength(4);
      const status = await store.status(budget, budget.entityId, NOW, 'org-1');
      expect(status.spentNano).toBe(60n * UNIT);
      expect(status.reservedNano).toBe(40n * UNIT);
    } finally {
      await dispose();
    }
  });

  it('a lost store is rebuilt on first use, and spend after the loss is counted once', async () => {
    const ledger = new FakeLedger(0n);
    const { store, lose, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 100n * UNIT });
      for (let i = 0; i < 3; i++) {
        const r = req([budget], { amountNano: 20n * UNIT });
        expect((await store.reserve(r)).admitted).toBe(true);
        await spend(store, r);
        ledger.rows.set(r.requestId, 20n * UNIT); // the ledger writer caught up
      }
      const again = await lose();
      // A request in flight across the loss settles into the new counter before any reserve.
      const inFlight = req([budget], { amountNano: 5n * UNIT });
      await spend(again, inFlight);
      ledger.rows.set(inFlight.requestId, 5n * UNIT);
      // 60 before the loss + 5 after = 65; 40 more would pass the limit, 35 fits.
      expect((await again.reserve(req([budget], { amountNano: 36n * UNIT }))).admitted).toBe(false);
      expect((await again.reserve(req([budget], { amountNano: 35n * UNIT }))).admitted).toBe(true);
      expect((await again.status(budget, budget.entityId, NOW, 'org-1')).spentNano).toBe(65n * UNIT);
    } finally {
      await dispose();
    }
  });

  it('an unreachable ledger does not stop traffic: the request is checked on the counter as it is, and the error reported', async () => {
    const ledger = new FakeLedger(90n * UNIT, new Map(), 0, true);
    const { store, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 100n * UNIT });
      expect((await store.reserve(req([budget], { amountNano: 50n * UNIT }))).admitted).toBe(true);
      expect(ledger.errors.map((e) => e.message)).toEqual(['ledger unreachable']);
      // Within the retry pause no new attempt is made.
      expect((await store.reserve(req([budget]))).admitted).toBe(true);
      expect(ledger.errors).toHaveLength(1);
    } finally {
      await dispose();
    }
  });

  it('seedSpent marks the counter seeded: no ledger read follows', async () => {
    const ledger = new FakeLedger(999n * UNIT);
    const { store, dispose } = await open(ledger);
    try {
      const budget = rule({ limitNano: 100n * UNIT });
      expect(await store.seedSpent(budget, budget.entityId, 'd:2026-11-22', 30n * UNIT, 'org-1', NOW)).toBe(true);
      expect((await store.reserve(req([budget], { amountNano: 70n * UNIT }))).admitted).toBe(true);
      expect(ledger.calls).toHaveLength(0);
    } finally {
      await dispose();
    }
  });

  it('without a ledger reader, new counters start at zero', async () => {
    const stores = [new MemoryBudgetStore(), new RedisBudgetStore({ url: REDIS_URL, keyPrefix: `tgtest:seed:${randomUUID()}:` })];
    try {
      for (const store of stores) {
        const budget = rule({ limitNano: 100n * UNIT });
        expect((await store.reserve(req([budget], { amountNano: 100n * UNIT }))).admitted).toBe(true);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
