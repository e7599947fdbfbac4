/**
 * Time ranges over the rollups. Rollups are per UTC hour and per UTC day, so a range is
 * answered at hour granularity (from floored, to rounded up to the hour) and split into whole
 * days (read from UsageDaily: one row per day instead of 24) and the partial days at either
 * end (read from UsageHourly). The answer is the same as summing the ledger over the range.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface Range {
  from: Date;
  to: Date;
}

/** Which rollups: per key (every dimension) or per team (no key, no user: far fewer rows). */
export type Grain = 'key' | 'team';

export interface Segment {
  table: string;
  /** The table's time column. */
  column: '"hour"' | '"day"';
  from: Date;
  to: Date;
}

const TABLES: Record<Grain, { hourly: string; daily: string }> = {
  key: { hourly: '"UsageHourly"', daily: '"UsageDaily"' },
  team: { hourly: '"UsageHourlyTeam"', daily: '"UsageDailyTeam"' },
};

const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;

/** The range widened to whole hours, as the rollups can answer it. */
export function hourAligned(range: Range): Range {
  return { from: new Date(floorTo(range.from.getTime(), HOUR_MS)), to: new Date(ceilTo(range.to.getTime(), HOUR_MS)) };
}

/**
 * `hourlyOnly`: for hour buckets, which a daily row cannot be split into. A range that reaches
 * the present reads today from today's daily row: no usage can have a time after now, so that
 * row holds exactly the part of today inside the range.
 */
export function segments(range: Range, hourlyOnly = false, grain: Grain = 'key', now = new Date()): Segment[] {
  const { from, to } = hourAligned(range);
  const f = from.getTime();
  const t = to.getTime();
  if (t <= f) return [];
  const dayStart = ceilTo(f, DAY_MS);
  const dayEnd = t >= now.getTime() ? ceilTo(t, DAY_MS) : floorTo(t, DAY_MS);
  const tables = TABLES[grain];
  const hourly = (a: number, b: number): Segment => ({ table: tables.hourly, column: '"hour"', from: new Date(a), to: new Date(b) });
  if (hourlyOnly || dayStart >= dayEnd) return [hourly(f, t)];
  const out: Segment[] = [];
  if (f < dayStart) out.push(hourly(f, dayStart));
  out.push({ table: tables.daily, column: '"day"', from: new Date(dayStart), to: new Date(dayEnd) });
  if (dayEnd < t) out.push(hourly(dayEnd, t));
  return out;
}

/**
 * Parses `from`/`to` query values (ISO dates); the default is the `defaultMs` before now, and a
 * default of a week or more starts at a UTC midnight ("the last 30 days" are whole days and
 * today), which the daily rollups answer alone.
 */
export function parseRange(query: { from?: string; to?: string }, defaultMs: number, now = new Date()): Range {
  const to = query.to ? parseDate(query.to, 'to') : now;
  const start = to.getTime() - defaultMs;
  const from = query.from ? parseDate(query.from, 'from') : new Date(defaultMs >= 7 * DAY_MS ? floorTo(start, DAY_MS) : start);
  if (from.getTime() >= to.getTime()) throw new RangeError('`from` must be before `to`');
  if (to.getTime() - from.getTime() > 3 * 366 * DAY_MS) throw new RangeError('the range may span at most three years');
  return { from, to };
}

function parseDate(value: string, name: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`\`${name}\` is not a date: ${value}`);
  return date;
}
