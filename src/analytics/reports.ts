/**
 * The rollup-backed reports: usage (period, grouping), trends (hour/day/week buckets), cost
 * breakdown and period-over-period comparison. Buckets are UTC.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { attoToUsd, usdToAtto } from '../core/money.js';
import { withNames } from './names.js';
import { DAY_MS, HOUR_MS, hourAligned, type Range } from './range.js';
import { DIMENSIONS, measuresOf, runRollupQuery, trimUsd, type Bucket, type Dimension, type Filters, type Measures } from './sql.js';

const iso = (d: Date) => d.toISOString();
const share = (part: string, whole: string): number | null => {
  const w = usdToAtto(whole);
  return w === 0n ? null : Number((usdToAtto(part) * 10_000n) / w) / 100;
};

export async function totals(prisma: PrismaClient, range: Range, filters: Filters = {}): Promise<Measures> {
  return measuresOf((await runRollupQuery(prisma, { range, filters }))[0] ?? {});
}

export async function grouped(prisma: PrismaClient, range: Range, by: Dimension, filters: Filters = {}, limit = 50) {
  const rows = await runRollupQuery(prisma, { range, filters, keys: { key: DIMENSIONS[by] }, orderBy: '"costTotalUsd" DESC, "requests" DESC', limit });
  return withNames(prisma, by, rows.map((r) => ({ key: String(r.key), ...measuresOf(r) })));
}

/** Usage over a period, optionally grouped. */
export async function usageReport(prisma: PrismaClient, range: Range, filters: Filters, groupBy?: Dimension, limit = 50) {
  const [sum, groups] = await Promise.all([totals(prisma, range, filters), groupBy ? grouped(prisma, range, groupBy, filters, limit) : undefined]);
  const aligned = hourAligned(range);
  return { from: iso(aligned.from), to: iso(aligned.to), filters, totals: sum, groupBy: groupBy ?? null, groups: groups ?? [] };
}

export type { Bucket };
export const BUCKET_MS: Record<Bucket, number> = { hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS };

/**
 * A series per bucket; with `by`, one series per value of that dimension (the `top` largest
 * by cost, the rest summed as "other"). Empty buckets are filled with zeros.
 */
export async function trends(prisma: PrismaClient, range: Range, bucket: Bucket, filters: Filters, by?: Dimension, top = 6) {
  if (bucket === 'hour' && range.to.getTime() - range.from.getTime() > 93 * DAY_MS) throw new RangeError('hour buckets cover at most 93 days');
  const rows = await runRollupQuery(prisma, { range, filters, keys: by ? { key: DIMENSIONS[by] } : {}, bucket });
  const starts = bucketStarts(range, bucket);
  const point = (start: string, r?: Record<string, unknown>) => ({ start, ...measuresOf(r ?? {}) });
  if (!by) {
    const byStart = new Map(rows.map((r) => [String(r.bucket), r]));
    return { bucket, from: starts[0] ?? null, series: [{ key: 'total', name: 'total', points: starts.map((s) => point(s, byStart.get(s))) }] };
  }
  // Rank the keys by their exact total cost; keep the top ones, fold the rest into "other".
  const cost = new Map<string, bigint>();
  for (const r of rows) cost.set(String(r.key), (cost.get(String(r.key)) ?? 0n) + usdToAtto(trimUsd(r.costTotalUsd as string)));
  const ranked = [...cost.entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0)).map(([k]) => k);
  const kept = new Set(ranked.slice(0, top));
  const cells = new Map<string, Map<string, Record<string, unknown>>>();
  for (const r of rows) {
    const key = kept.has(String(r.key)) ? String(r.key) : '\u0000other';
    const perKey = cells.get(key) ?? new Map<string, Record<string, unknown>>();
    cells.set(key, perKey);
    perKey.set(String(r.bucket), add(perKey.get(String(r.bucket)), r));
  }
  const named = await withNames(prisma, by, [...cells.keys()].filter((k) => k !== '\u0000other').map((key) => ({ key })));
  const series = named.map(({ key, name }) => ({ key, name, points: starts.map((s) => point(s, cells.get(key)!.get(s))) }));
  if (cells.has('\u0000other')) series.push({ key: 'other', name: 'other', points: starts.map((s) => point(s, cells.get('\u0000other')!.get(s))) });
  return { bucket, by, from: starts[0] ?? null, series };
}

/** Adds two raw measure rows exactly (counts as bigint, costs as atto-USD). */
function add(a: Record<string, unknown> | undefined, b: Record<string, unknown>): Record<string, unknown> {
  if (!a) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === 'bucket' || k === 'key') continue;
    if (k.startsWith('cost')) out[k] = attoToUsd(usdToAtto(trimUsd(a[k] as string)) + usdToAtto(trimUsd(v as string)));
    else out[k] = BigInt(a[k] as bigint) + BigInt(v as bigint);
  }
  return out;
}

/** Bucket starts covering the range, as the SQL renders them. */
function bucketStarts(range: Range, bucket: Bucket): string[] {
  const { from, to } = hourAligned(range);
  let t = from.getTime();
  if (bucket === 'day') t = Math.floor(t / DAY_MS) * DAY_MS;
  if (bucket === 'week') {
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    t = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS; // ISO weeks start on Monday
  }
  const out: string[] = [];
  for (; t < to.getTime() && out.length < 5000; t += BUCKET_MS[bucket]) out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  return out;
}

/** Cost by one dimension, with each group's share of the total and its cost components. */
export async function breakdown(prisma: PrismaClient, range: Range, by: Dimension, filters: Filters, limit = 50) {
  const report = await usageReport(prisma, range, filters, by, limit);
  return {
    from: report.from,
    to: report.to,
    by,
    totalCostUsd: report.totals.costTotalUsd,
    groups: report.groups.map((g) => ({
      key: g.key,
      name: g.name,
      requests: g.requests,
      costUsd: g.costTotalUsd,
      sharePercent: share(g.costTotalUsd, report.totals.costTotalUsd),
      components: { inputUsd: g.costInputUsd, outputUsd: g.costOutputUsd, cachedUsd: g.costCachedUsd, otherUsd: g.costOtherUsd },
    })),
  };
}

export type ComparePeriod = 'day' | 'week' | 'month';
const PERIOD_MS: Record<ComparePeriod, number> = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS };

/** The last `period` (ending now) against the one before, in total and per group. */
export async function compare(prisma: PrismaClient, period: ComparePeriod, by: Dimension, filters: Filters, now = new Date()) {
  const end = hourAligned({ from: now, to: now }).to;
  const current = { from: new Date(end.getTime() - PERIOD_MS[period]), to: end };
  const previous = { from: new Date(current.from.getTime() - PERIOD_MS[period]), to: current.from };
  const [cur, prev, curGroups, prevGroups] = await Promise.all([
    totals(prisma, current, filters),
    totals(prisma, previous, filters),
    grouped(prisma, current, by, filters, 100),
    grouped(prisma, previous, by, filters, 100),
  ]);
  const before = new Map(prevGroups.map((g) => [g.key, g]));
  const keys = [...new Set([...curGroups.map((g) => g.key), ...prevGroups.map((g) => g.key)])];
  const names = new Map([...prevGroups, ...curGroups].map((g) => [g.key, g.name]));
  const after = new Map(curGroups.map((g) => [g.key, g]));
  const change = (a: string, b: string) => ({ deltaUsd: attoToUsd(usdToAtto(a) - usdToAtto(b)), changePercent: share(attoToUsd(usdToAtto(a) - usdToAtto(b)), b) });
  return {
    period,
    by,
    current: { from: iso(current.from), to: iso(current.to), totals: cur },
    previous: { from: iso(previous.from), to: iso(previous.to), totals: prev },
    change: { ...change(cur.costTotalUsd, prev.costTotalUsd), requests: cur.requests - prev.requests },
    groups: keys.map((key) => {
      const a = after.get(key)?.costTotalUsd ?? '0';
      const b = before.get(key)?.costTotalUsd ?? '0';
      return { key, name: names.get(key) ?? key, currentCostUsd: a, previousCostUsd: b, ...change(a, b) };
    }),
  };
}
