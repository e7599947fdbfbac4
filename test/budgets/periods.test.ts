import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computePeriodWindow,
  localParts,
  periodWindow,
  windowOfPeriodId,
} from '../../src/budgets/periods.js';
import type { BudgetPeriod } from '../../src/budgets/types.js';

function win(period: BudgetPeriod, tz: string, iso: string): { id: string; start?: string; end?: string } {
  const w = computePeriodWindow(period, tz, new Date(iso));
  return { id: w.id, start: w.start?.toISOString(), end: w.end?.toISOString() };
}

describe('daily periods', () => {
  it('UTC midnight to midnight', () => {
    expect(win('daily', 'UTC', '2026-11-22T12:00:00Z')).toEqual({
      id: 'd:2026-11-22', start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z',
    });
  });

  it('Asia/Kolkata (+05:30): the local date, not the UTC one', () => {
    expect(win('daily', 'Asia/Kolkata', '2026-11-22T20:00:00Z')).toEqual({
      id: 'd:2026-11-23', start: '2026-11-22T18:30:00.000Z', end: '2026-11-23T18:30:00.000Z',
    });
  });

  it('America/New_York: late evening local is still the previous day', () => {
    expect(win('daily', 'America/New_York', '2026-11-22T03:00:00Z')).toEqual({
      id: 'd:2026-11-21', start: '2026-11-21T05:00:00.000Z', end: '2026-11-22T05:00:00.000Z',
    });
  });

  it('a spring-forward day is 23 hours long (New York, 2026-03-08)', () => {
    const w = win('daily', 'America/New_York', '2026-03-08T12:00:00Z');
    expect(w).toEqual({ id: 'd:2026-03-08', start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' });
  });

  it('a fall-back day is 25 hours long (New York, 2026-11-01)', () => {
    const w = win('daily', 'America/New_York', '2026-11-01T12:00:00Z');
    expect(w).toEqual({ id: 'd:2026-11-01', start: '2026-11-01T04:00:00.000Z', end: '2026-11-02T05:00:00.000Z' });
  });

  it('the instant of the DST jump itself belongs to the right day', () => {
    // 2026-03-08 07:00Z is 03:00 EDT, one instant after 01:59:59 EST.
    expect(win('daily', 'America/New_York', '2026-03-08T07:00:00Z').id).toBe('d:2026-03-08');
    expect(win('daily', 'America/New_York', '2026-03-08T04:59:59.999Z').id).toBe('d:2026-03-07');
  });

  it('when midnight does not exist (Santiago jumps 00:00 -> 01:00) the day starts at the jump', () => {
    const w = computePeriodWindow('daily', 'America/Santiago', new Date('2026-09-06T12:00:00Z'));
    expect(w.id).toBe('d:2026-09-06');
    const start = w.start!.getTime();
    expect(localParts(start, 'America/Santiago')).toMatchObject({ day: 6, hour: 1, minute: 0 });
    expect(localParts(start - 1000, 'America/Santiago')).toMatchObject({ day: 5, hour: 23 });
    // And the previous day ends exactly there.
    const prev = computePeriodWindow('daily', 'America/Santiago', new Date(start - 1));
    expect(prev.end!.getTime()).toBe(start);
  });

  it('a day that never happened (Apia skipped 2011-12-30) has no window; its neighbours touch', () => {
    const before = computePeriodWindow('daily', 'Pacific/Apia', new Date('2011-12-29T12:00:00Z'));
    expect(before.id).toBe('d:2011-12-29');
    expect(computePeriodWindow('daily', 'Pacific/Apia', before.end!).id).toBe('d:2011-12-31');
    expect(() => windowOfPeriodId('daily', 'Pacific/Apia', 'd:2011-12-30')).toThrow(RangeError);
  });

  it('rejects an unknown zone', () => {
    expect(() => computePeriodWindow('daily', 'Mars/Olympus_Mons', new Date())).toThrow(RangeError);
  });
});

describe('weekly periods (ISO weeks, Monday 00:00 local)', () => {
  it('a Sunday belongs to the week that started the Monday before', () => {
    expect(win('weekly', 'UTC', '2026-11-22T23:59:59Z')).toEqual({
      id: 'w:2026-W47', start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z',
    });
  });

  it('in New York, Sunday evening local (Monday UTC) is still the old week', () => {
    expect(win('weekly', 'America/New_York', '2026-11-23T03:00:00Z')).toEqual({
      id: 'w:2026-W47', start: '2026-11-16T05:00:00.000Z', end: '2026-11-23T05:00:00.000Z',
    });
  });

  it('ISO week 53 spans the new year (2026 has 53 weeks)', () => {
    for (const iso of ['2026-12-28T00:00:00Z', '2026-12-31T12:00:00Z', '2027-01-01T12:00:00Z', '2027-01-03T23:59:59Z']) {
      expect(win('weekly', 'UTC', iso)).toEqual({
        id: 'w:2026-W53', start: '2026-12-28T00:00:00.000Z', end: '2027-01-04T00:00:00.000Z',
      });
    }
    expect(win('weekly', 'UTC', '2027-01-04T00:00:00Z').id).toBe('w:2027-W01');
  });

  it('late December can belong to week 1 of the next ISO year', () => {
    expect(win('weekly', 'UTC', '2024-12-30T12:00:00Z').id).toBe('w:2025-W01');
  });

  it('a week holding a DST change is 167 or 169 hours long', () => {
    const spring = computePeriodWindow('weekly', 'America/New_York', new Date('2026-03-08T12:00:00Z'));
    expect(spring.end!.getTime() - spring.start!.getTime()).toBe(167 * 3_600_000);
    const fall = computePeriodWindow('weekly', 'America/New_York', new Date('2026-11-01T12:00:00Z'));
    expect(fall.end!.getTime() - fall.start!.getTime()).toBe(169 * 3_600_000);
  });
});

describe('monthly periods', () => {
  it('month and year rollover in UTC', () => {
    expect(win('monthly', 'UTC', '2026-12-31T23:30:00Z')).toEqual({
      id: 'm:2026-12', start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z',
    });
  });

  it('the same instant is already January in Kolkata', () => {
    expect(win('monthly', 'Asia/Kolkata', '2026-12-31T23:30:00Z')).toEqual({
      id: 'm:2027-01', start: '2026-12-31T18:30:00.000Z', end: '2027-01-31T18:30:00.000Z',
    });
  });

  it('February of a leap year, and a month with a DST change', () => {
    expect(win('monthly', 'UTC', '2028-02-29T12:00:00Z').end).toBe('2028-03-01T00:00:00.000Z');
    expect(win('monthly', 'America/New_York', '2026-03-15T12:00:00Z')).toEqual({
      id: 'm:2026-03', start: '2026-03-01T05:00:00.000Z', end: '2026-04-01T04:00:00.000Z',
    });
  });
});

describe('total and period ids', () => {
  it('total never resets', () => {
    expect(computePeriodWindow('total', 'UTC', new Date())).toEqual({ id: 'total', start: null, end: null });
  });

  it('windowOfPeriodId finds the window of an id', () => {
    const w = windowOfPeriodId('weekly', 'Asia/Kolkata', 'w:2026-W53');
    expect(w.start!.toISOString()).toBe('2026-12-27T18:30:00.000Z');
    expect(windowOfPeriodId('daily', 'America/New_York', 'd:2026-11-01').end!.toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(windowOfPeriodId('monthly', 'UTC', 'm:2026-02').end!.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('windowOfPeriodId rejects ids that do not exist', () => {
    expect(() => windowOfPeriodId('daily', 'UTC', 'd:2026-02-30')).toThrow(RangeError);
    expect(() => windowOfPeriodId('weekly', 'UTC', 'w:2027-W53')).toThrow(RangeError);
    expect(() => windowOfPeriodId('monthly', 'UTC', 'd:2026-02-01')).toThrow(RangeError);
  });
});

describe('properties over random instants and zones', () => {
  const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Lord_Howe',
    'America/Santiago', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Apia'];
  const periods: BudgetPeriod[] = ['daily', 'weekly', 'monthly'];

  it('the window contains the instant, windows tile time, ids round-trip, the cache agrees', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.constantFrom(...periods),
        (at, tz, period) => {
          const w = computePeriodWindow(period, tz, at);
          const t = at.getTime();
          expect(w.start!.getTime()).toBeLessThanOrEqual(t);
          expect(w.end!.getTime()).toBeGreaterThan(t);
          expect(computePeriodWindow(period, tz, w.end!).start!.getTime()).toBe(w.end!.getTime());
          expect(computePeriodWindow(period, tz, new Date(w.start!.getTime() - 1)).end!.getTime()).toBe(w.start!.getTime());
          expect(windowOfPeriodId(period, tz, w.id)).toEqual(w);
          expect(periodWindow(period, tz, at)).toEqual(w);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
