/**
 * Budget periods at their edges: period kinds and ids the code must refuse rather than guess,
 * the first centuries (Intl gives years before 1 CE with an era; Date.UTC reads years 0..99 as
 * 1900..1999), and the window cache staying right when asked for more (period, zone) pairs
 * than it keeps.
 */
import { describe, expect, it } from 'vitest';
import { computePeriodWindow, localParts, periodWindow, windowOfPeriodId } from '../../src/budgets/periods.js';
import type { BudgetPeriod } from '../../src/budgets/types.js';

describe('refused input', () => {
  it('an unknown period kind is a RangeError, not a window', () => {
    expect(() => computePeriodWindow('yearly' as BudgetPeriod, 'UTC', new Date())).toThrow(/unknown budget period: yearly/);
  });

  it('a total budget has exactly one period id, "total"', () => {
    expect(windowOfPeriodId('total', 'UTC', 'total')).toEqual({ id: 'total', start: null, end: null });
    expect(() => windowOfPeriodId('total', 'UTC', 'd:2026-11-22')).toThrow(/not a total period id/);
  });

  it('an id of another period kind is refused', () => {
    expect(() => windowOfPeriodId('daily', 'UTC', 'm:2026-11')).toThrow(/not a daily period id/);
    expect(() => windowOfPeriodId('weekly', 'UTC', 'd:2026-11-22')).toThrow(/not a weekly period id/);
  });
});

describe('early years (Date.UTC would read years 0..99 as 1900..1999)', () => {
  /** An instant in a year of astronomical numbering (1 BCE = 0, 2 BCE = -1). */
  function inYear(year: number, iso: string): Date {
    const d = new Date(iso);
    d.setUTCFullYear(year);
    return d;
  }

  it('local parts use astronomical years: 1 BCE is 0, 2 BCE is -1', () => {
    expect(localParts(inYear(0, '2000-06-15T00:00:00Z').getTime(), 'UTC')).toMatchObject({ year: 0, month: 6, day: 15 });
    expect(localParts(inYear(-1, '2000-12-31T23:59:59Z').getTime(), 'UTC')).toMatchObject({ year: -1, month: 12, day: 31, hour: 23 });
  });

  it.each([
    ['daily', 0, 'd:0000-03-10', 86_400_000],
    ['monthly', 0, 'm:0000-03', 31 * 86_400_000],
    ['daily', 50, 'd:0050-03-10', 86_400_000],
    ['monthly', 99, 'm:0099-03', 31 * 86_400_000],
  ] as const)('a %s window in year %i contains the instant and has the right length and id', (period, year, id, length) => {
    const at = inYear(year, '2000-03-10T12:00:00Z');
    const w = computePeriodWindow(period, 'UTC', at);
    expect(w.id).toBe(id);
    expect(w.start!.getTime()).toBeLessThanOrEqual(at.getTime());
    expect(at.getTime()).toBeLessThan(w.end!.getTime());
    expect(w.end!.getTime() - w.start!.getTime()).toBe(length);
    expect(windowOfPeriodId(period, 'UTC', id)).toEqual(w);
  });

  it('a local day in year 50 in a zone with an offset (LMT in Asia/Tokyo) still contains the instant', () => {
    const at = inYear(50, '2000-03-10T12:00:00Z');
    const w = computePeriodWindow('daily', 'Asia/Tokyo', at);
    expect(w.start!.getTime()).toBeLessThanOrEqual(at.getTime());
    expect(at.getTime()).toBeLessThan(w.end!.getTime());
    expect(w.end!.getTime() - w.start!.getTime()).toBe(86_400_000);
  });
});

describe('the window cache', () => {
  it('stays right when more than 1000 (period, zone) pairs are asked for', () => {
    const zones = Intl.supportedValuesOf('timeZone');
    expect(zones.length * 3).toBeGreaterThan(1000);
    const at = new Date('2026-03-29T01:30:00Z'); // a DST change in Europe, a normal day elsewhere
    for (const period of ['daily', 'weekly', 'monthly'] as const) {
      for (const zone of zones) expect(periodWindow(period, zone, at)).toEqual(computePeriodWindow(period, zone, at));
    }
    // Asked again after the cache was cleared on the way: the same answers.
    for (const zone of zones.slice(0, 50)) expect(periodWindow('daily', zone, at)).toEqual(computePeriodWindow('daily', zone, at));
  });
});
