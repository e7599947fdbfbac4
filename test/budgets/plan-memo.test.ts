/**
 * planRule remembers the parts of a plan that do not depend on the moment. A remembered plan
 * must equal a fresh one, follow `now` for the counter TTL, and never outlive a change to the
 * rule's limit or thresholds, even one made in place.
 */
import { describe, expect, it } from 'vitest';
import { planRule, planRules, thresholdNano } from '../../src/budgets/plan.js';
import { periodWindow } from '../../src/budgets/periods.js';
import type { BudgetRule } from '../../src/budgets/types.js';

const rule = (over: Partial<BudgetRule> = {}): BudgetRule => ({
  id: 'b1', level: 'key', entityId: 'k1', period: 'daily', timezone: 'UTC', limitNano: 1_000_000_000n, hard: true, thresholds: [50, 100], ...over,
});
const now = new Date('2026-11-22T12:00:00Z');

describe('planRule memo', () => {
  it('gives the same plan on every call, with the TTL of the moment', () => {
    const r = rule();
    const w = periodWindow('daily', 'UTC', now);
    const first = planRule('tg:{s01}:', r, 'k1', w, now);
    const later = new Date(now.getTime() + 60_000);
    const second = planRule('tg:{s01}:', r, 'k1', periodWindow('daily', 'UTC', later), later);
    expect(second.counterKey).toBe(first.counterKey);
    expect(second.thresholds).toEqual(first.thresholds);
    expect(second.counterTtlMs).toBe(first.counterTtlMs! - 60_000);
    expect(first.thresholds.map((t) => t.atNano)).toEqual([thresholdNano(r.limitNano, 50), thresholdNano(r.limitNano, 100)]);
  });

  it('keeps shards, entities and periods apart', () => {
    const r = rule();
    const w = periodWindow('daily', 'UTC', now);
    const next = new Date('2026-11-23T00:00:01Z');
    const keys = new Set([
      planRule('tg:{s01}:', r, 'k1', w, now).counterKey,
      planRule('tg:{s02}:', r, 'k1', w, now).counterKey,
      planRule('tg:{s01}:', r, 'k2', w, now).counterKey,
      planRule('tg:{s01}:', r, 'k1', periodWindow('daily', 'UTC', next), next).counterKey,
    ]);
    expect(keys.size).toBe(4);
  });

  it('follows a limit or thresholds changed in place', () => {
    const r = rule();
    const w = periodWindow('daily', 'UTC', now);
    planRule('tg:{s01}:', r, 'k1', w, now);
    r.limitNano = 2_000_000_000n;
    expect(planRule('tg:{s01}:', r, 'k1', w, now).thresholds[0]!.atNano).toBe(1_000_000_000n);
    r.thresholds = [90];
    expect(planRule('tg:{s01}:', r, 'k1', w, now).thresholds.map((t) => t.pct)).toEqual([90]);
  });

  it('still refuses a limit above the counter range, every time', () => {
    const r = rule({ limitNano: 2n ** 60n });
    for (let i = 0; i < 2; i++) expect(() => planRules('tg:{s01}:', [r], { key: 'k1' }, now)).toThrow(RangeError);
  });
});
