/**
 * Budget periods in an IANA time zone: which period an instant falls in, and when it starts
 * and ends (the reset time).
 *
 * - daily:   local midnight to the next local midnight; id `d:2026-11-22`
 * - weekly:  ISO week, Monday 00:00 local to the next Monday; id `w:2026-W47`
 * - monthly: the 1st 00:00 local to the next 1st; id `m:2026-11`
 * - total:   one period that never resets; id `total`
 *
 * No date library: Intl.DateTimeFormat (ICU, shipped with Node) already knows every zone's
 * rules, and we only need two operations from it — "what is the local wall clock at instant
 * t" and its inverse. Calendar arithmetic (next day, Monday of the week, ISO week number) is
 * done on local *dates* as UTC milliseconds (`utc`), which have no zone and no DST, so it cannot go wrong.
 *
 * Across DST: a day is 23 or 25 hours long when the clocks change inside it; in zones where
 * the clocks jump over midnight (e.g. America/Santiago), the day starts at the first instant
 * that shows that date (01:00 local).
 */
import type { BudgetPeriod } from './types.js';

export interface PeriodWindow {
  /** Stamped into counter key names, so periods roll over without a sweeper. */
  id: string;
  /** First instant of the period; null for `total`. */
  start: Date | null;
  /** First instant of the next period (the reset time); null for `total`. */
  end: Date | null;
}

const DAY_MS = 86_400_000;

/** Local calendar date and wall-clock time, as numbers. */
interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Building an Intl.DateTimeFormat costs tens of microseconds; the hot path needs one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what a bad config deserves.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23', // never "24:00" for midnight
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short', // so years before 1 CE cannot be misread; checked below
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of formatter(timeZone).formatToParts(ms)) {
    if (p.type === 'era') bc = p.value.startsWith('B');
    else if (p.type in out) out[p.type as keyof LocalParts] = Number(p.value);
  }
  if (bc) out.year = 1 - out.year;
  return out;
}

/**
 * Date.UTC without its legacy mapping of years 0..99 to 1900..1999, so that every year (the
 * astronomical years localParts reports, 1 BCE = 0) means itself. Month and day may overflow.
 */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** UTC offset in effect at instant `ms`, in ms (local wall clock minus UTC). */
function offsetAt(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const wall = utc(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Local date (as a UTC-midnight ms, a zone-free calendar value) of instant `ms`. */
function localDate(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return utc(p.year, p.month - 1, p.day);
}

/**
 * The first instant whose local date is `date` (a UTC-midnight ms). Normally local 00:00;
 * when 00:00 does not exist that day (clocks jump forward over midnight) it is the jump.
 * When 00:00 happens twice (clocks fall back onto midnight) it is the earlier one.
 */
export function startOfLocalDate(date: number, timeZone: string): number {
  // The offsets in force around that wall time: a zone changes offset at most once in a
  // day, so the offset a day before and a day after cover both sides of any transition.
  const offsets = new Set([
    offsetAt(date - DAY_MS, timeZone),
    offsetAt(date, timeZone),
    offsetAt(date + DAY_MS, timeZone),
  ]);
  let best = Number.POSITIVE_INFINITY;
  for (const off of offsets) {
    const t = date - off;
    if (t < best && offsetAt(t, timeZone) === off) best = t; // wall(t) is exactly 00:00
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // Midnight falls in a gap: binary search the first instant showing `date` or later.
  let lo = date - Math.max(...offsets); // shows the previous day
  let hi = date - Math.min(...offsets); // shows `date`
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (localDate(mid, timeZone) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dateText(date: number): string {
  const d = new Date(date);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Monday (UTC-midnight ms) of the ISO week containing `date`. */
function mondayOf(date: number): number {
  const weekday = (new Date(date).getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  return date - weekday * DAY_MS;
}

/** ISO week-numbering year and week of the week starting on `monday`. */
function isoWeek(monday: number): { year: number; week: number } {
  // The ISO year of a week is the year of its Thursday.
  const thursday = monday + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - utc(year, 0, 1)) / (7 * DAY_MS));
  return { year, week };
}

function windowOfDates(from: number, to: number, id: string, tz: string): PeriodWindow {
  return { id, start: new Date(startOfLocalDate(from, tz)), end: new Date(startOfLocalDate(to, tz)) };
}

/** The period containing `at`, computed from scratch (see `periodWindow` for the cached one). */
export function computePeriodWindow(period: BudgetPeriod, timeZone: string, at: Date): PeriodWindow {
  if (period === 'total') return { id: 'total', start: null, end: null };
  const date = localDate(at.getTime(), timeZone);
  const d = new Date(date);
  switch (period) {
    case 'daily':
      return windowOfDates(date, date + DAY_MS, `d:${dateText(date)}`, timeZone);
    case 'weekly': {
      const monday = mondayOf(date);
      const { year, week } = isoWeek(monday);
      return windowOfDates(monday, monday + 7 * DAY_MS, `w:${pad(year, 4)}-W${pad(week)}`, timeZone);
    }
    case 'monthly': {
      const first = utc(d.getUTCFullYear(), d.getUTCMonth(), 1);
      const next = utc(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      return windowOfDates(first, next, `m:${dateText(first).slice(0, 7)}`, timeZone);
    }
    default:
      throw new RangeError(`unknown budget period: ${String(period)}`);
  }
}

/**
 * The window of a period id (`d:2026-11-22`, `w:2026-W47`, `m:2026-11`, `total`), for callers
 * that know the id but not an instant inside it (seeding counters from the ledger).
 */
export function windowOfPeriodId(period: BudgetPeriod, timeZone: string, id: string): PeriodWindow {
  if (period === 'total') {
    if (id !== 'total') throw new RangeError(`not a total period id: ${id}`);
    return { id, start: null, end: null };
  }
  let date: number | undefined;
  let m: RegExpExecArray | null;
  if (period === 'daily' && (m = /^d:(\d{4})-(\d{2})-(\d{2})$/.exec(id))) {
    date = utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  } else if (period === 'weekly' && (m = /^w:(\d{4})-W(\d{2})$/.exec(id))) {
    // Week 1 is the week with January 4th in it.
    const week1 = mondayOf(utc(Number(m[1]), 0, 4));
    date = week1 + (Number(m[2]) - 1) * 7 * DAY_MS;
  } else if (period === 'monthly' && (m = /^m:(\d{4})-(\d{2})$/.exec(id))) {
    date = utc(Number(m[1]), Number(m[2]) - 1, 1);
  }
  if (date === undefined) throw new RangeError(`not a ${period} period id: ${id}`);
  const window = computePeriodWindow(period, timeZone, new Date(startOfLocalDate(date, timeZone)));
  // Reject ids that do not round-trip (2026-02-30, week 54, ...).
  if (window.id !== id) throw new RangeError(`no such ${period} period: ${id}`);
  return window;
}

// The hot path asks for the same few (period, zone) pairs on every request; the answer only
// changes when a period ends, so keep the last window per pair and reuse it while `at` is in it.
// The returned window is shared: read it, do not mutate its dates.
const cache = new Map<string, PeriodWindow>();

export function periodWindow(period: BudgetPeriod, timeZone: string, at: Date): PeriodWindow {
  if (period === 'total') return { id: 'total', start: null, end: null };
  const key = `${period}|${timeZone}`;
  const t = at.getTime();
  const hit = cache.get(key);
  if (hit && hit.start!.getTime() <= t && t < hit.end!.getTime()) return hit;
  const window = computePeriodWindow(period, timeZone, at);
  if (cache.size > 1000) cache.clear(); // zones come from config; this is only a safety net
  cache.set(key, window);
  return window;
}
