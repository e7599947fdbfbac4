/**
 * What both budget stores do with the edges of a request's input: ids and TTLs they refuse
 * before touching a counter, a budget that reaches a request twice, several budgets over their
 * limit at once, and threshold lists with junk in them. The in-process store and the Redis
 * store (real Redis, own key prefix) must answer alike.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import type { BudgetRule, BudgetStore, ReserveInput } from '../../src/budgets/types.js';
import { REDIS_URL, deleteKeysUnder } from '../support/ledger-env.js';
import { NOW, rule } from './store-contract.js';

const UNIT = 1_000_000n;
const admin = new Redis(REDIS_URL);
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteKeysUnder(admin, p);
  await admin.quit();
});

const kinds: [string, () => BudgetStore][] = [
  ['memory', () => new MemoryBudgetStore()],
  [
    'redis',
    () => {
      const prefix = `tgtest:inputs:${randomUUID().slice(0, 8)}:`;
      prefixes.push(prefix);
      return new RedisBudgetStore({ url: REDIS_URL, keyPrefix: prefix });
    },
  ],
];

function req(rules: BudgetRule[], over: Partial<ReserveInput> = {}): ReserveInput {
  return {
    shardKey: 'org-1', requestId: randomUUID(), amountNano: UNIT, rules, counterEntityIds: {}, now: NOW,
    reservationTtlMs: 60_000, ...over,
  };
}

async function settle(store: BudgetStore, r: ReserveInput, actualNano = r.amountNano) {
  return store.settle({ ...r, actualNano, event: { v: '1' } });
}

describe.each(kinds)('%s store', (_name, open) => {
  async function withStore(test: (store: BudgetStore) => Promise<void>): Promise<void> {
    const store = open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  }

  it('refuses an empty request id, on reserve and on settle, and holds or counts nothing', () =>
    withStore(async (store) => {
      const r = rule();
      await expect(store.reserve(req([r], { requestId: '' }))).rejects.toThrow(/requestId must not be empty/);
      await expect(settle(store, req([r], { requestId: '' }))).rejects.toThrow(RangeError);
      expect(await store.status(r, r.entityId, NOW, 'org-1')).toMatchObject({ spentNano: 0n, reservedNano: 0n });
    }));

  it.each([0, -1, Number.NaN])('refuses a reservation TTL of %s (a hold that could never expire, or already has)', (ttl) =>
    withStore(async (store) => {
      const r = rule();
      await expect(store.reserve(req([r], { reservationTtlMs: ttl }))).rejects.toThrow(/reservationTtlMs must be positive/);
      expect((await store.status(r, r.entityId, NOW, 'org-1')).reservedNano).toBe(0n);
    }));

  it('a budget that reaches a request twice is held once and charged once', () =>
    withStore(async (store) => {
      const r = rule({ limitNano: 3n * UNIT });
      const first = req([r, r], { amountNano: 2n * UNIT });
      const admitted = await store.reserve(first);
      expect(admitted.admitted && admitted.remaining).toEqual([{ rule: r, remainingNano: UNIT }]);
      expect((await store.status(r, r.entityId, NOW, 'org-1')).reservedNano).toBe(2n * UNIT);
      await settle(store, first);
      expect((await store.status(r, r.entityId, NOW, 'org-1')).spentNano).toBe(2n * UNIT);
      // Had it been held or charged twice, 2 + 2 would already exceed 3 here.
      expect((await store.reserve(req([r, r], { amountNano: UNIT }))).admitted).toBe(true);
    }));

  it('several budgets over their limit: the denial names the one with the least room, whatever the order', () =>
    withStore(async (store) => {
      const roomy = rule({ limitNano: 5n * UNIT });
      const tight = rule({ limitNano: 2n * UNIT });
      const soft = rule({ limitNano: UNIT, hard: false }); // least room, but never denies
      await settle(store, req([roomy, tight, soft], { amountNano: UNIT }));
      for (const order of [[tight, roomy, soft], [soft, roomy, tight], [roomy, soft, tight]]) {
        const result = await store.reserve(req(order, { amountNano: 10n * UNIT }));
        expect(result.admitted).toBe(false);
        if (!result.admitted) expect(result.denied).toMatchObject({ rule: tight, spentNano: UNIT, limitNano: 2n * UNIT });
      }
    }));

  it('thresholds: duplicates fire once, and zero, negative and fractional percents never fire', () =>
    withStore(async (store) => {
      const r = rule({ limitNano: 100n * UNIT, thresholds: [50, 50, 0, -10, 12.5, 100] });
      const crossed: number[] = [];
      for (const amount of [10n, 45n, 50n]) {
        const s = await settle(store, req([r], { amountNano: amount * UNIT }));
        crossed.push(...s.crossed.map((c) => c.threshold));
      }
      expect(crossed).toEqual([50, 100]);
    }));
});
