/**
 * Where a budget is heading: the spend at the end of its period at the current rate, and
 * when, at that rate, it runs out. Linear from the period's start; integer arithmetic on
 * nano-USD and milliseconds, so nothing drifts.
 */
import type { PeriodWindow } from '../budgets/periods.js';

export interface Projection {
  /** Spend at period end at the rate so far; null for a `total` budget or before any time passed. */
  projectedNano: bigint | null;
  /** When spent reaches the limit at this rate; null when it does not within the period. */
  exhaustsAt: Date | null;
  /** Share of the period passed, 0..1. */
  elapsed: number | null;
}

export function project(spentNano: bigint, limitNano: bigint, window: PeriodWindow, now: Date): Projection {
  if (!window.start || !window.end) return { projectedNano: null, exhaustsAt: null, elapsed: null };
  const start = BigInt(window.start.getTime());
  const length = BigInt(window.end.getTime()) - start;
  const passed = BigInt(now.getTime()) - start;
  if (passed <= 0n || length <= 0n) return { projectedNano: null, exhaustsAt: null, elapsed: 0 };
  const elapsed = Number((passed * 1_000_000n) / length) / 1_000_000;
  const projectedNano = passed >= length ? spentNano : (spentNano * length) / passed;
  let exhaustsAt: Date | null = null;
  if (spentNano > 0n && spentNano < limitNano) {
    const at = start + (passed * limitNano) / spentNano;
    if (at < start + length) exhaustsAt = new Date(Number(at));
  }
  return { projectedNano, exhaustsAt, elapsed };
}
