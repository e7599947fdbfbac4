import { describe, expect, it } from 'vitest';
import { project } from '../../src/analytics/projection.js';
import { hourAligned, segments } from '../../src/analytics/range.js';
import { trimUsd } from '../../src/analytics/sql.js';
import { computePeriodWindow } from '../../src/budgets/periods.js';

const at = (iso: string) => new Date(iso);

describe('ranges over the rollups', () => {
  it('splits a range into partial-day hours and whole days', () => {
    const parts = segments({ from: at('2026-11-01T10:20:00Z'), to: at('2026-11-04T05:10:00Z') });
    expect(parts.map((p) => [p.table, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['"UsageHourly"', '2026-11-01T10:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      ['"UsageDaily"', '2026-11-02T00:00:00.000Z', '2026-11-04T00:00:00.000Z'],
      ['"UsageHourly"', '2026-11-04T00:00:00.000Z', '2026-11-04T06:00:00.000Z'],
    ]);
  });

  it('reads hours only within one day, or when asked to', () => {
    expect(segments({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-01T18:00:00Z') })).toHaveLength(1);
    expect(segments({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-09T00:00:00Z') }, true).map((p) => p.table)).toEqual(['"UsageHourly"']);
    expect(segments({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-03T00:00:00Z') }).map((p) => p.table)).toEqual(['"UsageDaily"']);
    expect(hourAligned({ from: at('2026-11-01T10:59:59Z'), to: at('2026-11-01T11:00:01Z') })).toEqual({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-01T12:00:00Z') });
  });

  it('a range reaching the present reads today from the daily rollup', () => {
    const now = at('2026-11-04T05:10:00Z');
    const parts = segments({ from: at('2026-11-01T10:20:00Z'), to: now }, false, 'team', now);
    expect(parts.map((p) => [p.table, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['"UsageHourlyTeam"', '2026-11-01T10:00:00.000Z', '2026-11-02T00:00:00.000Z'],
      ['"UsageDailyTeam"', '2026-11-02T00:00:00.000Z', '2026-11-05T00:00:00.000Z'],
    ]);
  });

  it('trims decimal text exactly', () => {
    expect(['12.340000000000000000', '0.000000000000000000', '5', '100.000', '0.000000000000000001'].map(trimUsd)).toEqual(['12.34', '0', '5', '100', '0.000000000000000001']);
  });
});

describe('budget projection', () => {
  const day = computePeriodWindow('daily', 'UTC', at('2026-11-22T12:00:00Z'));

  it('extrapolates the spend so far to the end of the period, in exact integers', () => {
    const p = project(300n, 1000n, day, at('2026-11-22T06:00:00Z'));
    expect(p.elapsed).toBe(0.25);
    expect(p.projectedNano).toBe(1200n);
    expect(p.exhaustsAt).toEqual(at('2026-11-22T20:00:00Z'));
  });

  it('no exhaustion when the pace fits, none for total budgets, none once spent', () => {
    expect(project(100n, 1000n, day, at('2026-11-22T06:00:00Z')).exhaustsAt).toBeNull();
    expect(project(100n, 1000n, computePeriodWindow('total', 'UTC', at('2026-11-22T06:00:00Z')), at('2026-11-22T06:00:00Z'))).toEqual({ projectedNano: null, exhaustsAt: null, elapsed: null });
    expect(project(1500n, 1000n, day, at('2026-11-22T06:00:00Z')).exhaustsAt).toBeNull();
  });
});
