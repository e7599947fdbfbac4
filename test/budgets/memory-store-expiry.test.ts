/**
 * The in-process budget store expires what Redis would expire, on the callers' clock: a
 * settle marker lasts SETTLED_TTL_MS like Redis's `SET NX PX`, and a periodic sweep drops
 * expired counters, markers and holds, so a long-running embedded gateway's memory stays
 * bounded by what is live.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SETTLED_TTL_MS } from '../../src/budgets/keys.js';
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import type { BudgetRule, SettleInput } from '../../src/budgets/types.js';
import { NOW, rule } from './store-contract.js';

const DAY = 86_400_000;

function settleInput(r: BudgetRule, now: Date, requestId = randomUUID()): SettleInput {
  return { shardKey: 'org-1', requestId, actualNano: 1000n, rules: [r], counterEntityIds: {}, now, event: { v: '1' } };
}

/** The store's own maps, to check what it still holds (no public API exposes memory use). */
function held(store: MemoryBudgetStore): { counters: number; markers: number; holds: number } {
  const inside = store as unknown as Record<'counters' | 'markers' | 'holds', Map<string, unknown>>;
  return { counters: inside.counters.size, markers: inside.markers.size, holds: inside.holds.size };
}

describe('memory store expiry', () => {
  it('a repeated settle is ignored while its marker lives, and counts again once it has expired', async () => {
    const store = new MemoryBudgetStore();
    const r = rule({ period: 'total' });
    const id = randomUUID();
    expect((await store.settle(settleInput(r, NOW, id))).settled).toBe(true);
    const justBefore = new Date(NOW.getTime() + SETTLED_TTL_MS - 1);
    expect((await store.settle(settleInput(r, justBefore, id))).settled).toBe(false);
    expect((await store.status(r, r.entityId, justBefore, 'org-1')).spentNano).toBe(1000n);
    const expired = new Date(NOW.getTime() + SETTLED_TTL_MS);
    expect((await store.settle(settleInput(r, expired, id))).settled).toBe(true);
    expect((await store.status(r, r.entityId, expired, 'org-1')).spentNano).toBe(2000n);
  });

  it('the periodic sweep drops expired counters, markers and holds and keeps live ones', async () => {
    const store = new MemoryBudgetStore();
    const daily = rule({ period: 'daily', thresholds: [1], limitNano: 1000n });
    const total = rule({ period: 'total', thresholds: [1], limitNano: 1000n });
    for (let i = 0; i < 20; i++) await store.settle(settleInput(daily, NOW));
    await store.settle(settleInput(total, NOW));
    // Holds of requests whose settle never comes: one that expires soon, one far later.
    const holding = rule({ period: 'total' });
    const reserve = async (ttl: number) => {
      const result = await store.reserve({
        shardKey: 'org-1', requestId: randomUUID(), amountNano: 1n, rules: [holding], counterEntityIds: {}, now: NOW, reservationTtlMs: ttl,
      });
      expect(result.admitted).toBe(true);
    };
    await reserve(60_000);
    await reserve(10 * DAY);
    const before = held(store);
    expect(before.counters).toBe(2);
    expect(before.markers).toBe(21 + 2); // settle markers, and one alert marker per counter

    // Days later (past the daily counter's period and grace, and every settle marker), the
    // sweep runs within 4096 operations; status calls are operations too.
    const later = new Date(NOW.getTime() + 4 * DAY);
    for (let i = 0; i < 4096; i++) await store.status(total, total.entityId, later, 'org-1');
    expect(held(store)).toEqual({
      counters: 1, // the total budget's counter never expires
      markers: 1, // its alert marker neither; the daily ones and every settle marker are gone
      holds: 1, // the far hold is still live
    });
    expect((await store.status(total, total.entityId, later, 'org-1')).spentNano).toBe(1000n);
    expect((await store.status(holding, holding.entityId, later, 'org-1')).reservedNano).toBe(1n);

    // Once the far hold has expired too, its hold set goes entirely.
    const muchLater = new Date(NOW.getTime() + 11 * DAY);
    for (let i = 0; i < 4096; i++) await store.status(total, total.entityId, muchLater, 'org-1');
    expect(held(store).holds).toBe(0);
    expect((await store.status(holding, holding.entityId, muchLater, 'org-1')).reservedNano).toBe(0n);
  });
});
