/**
 * What a price change changes, in effective terms: both prices are compiled (so a kind that
 * is not named falls back the way billing does: cached → input, reasoning → output) and
 * compared at every service tier and long-context tier either of them knows. Percentages are
 * bigint arithmetic on atto-USD per token, so the threshold test is exact.
 */
import { attoToUsd } from '../core/money.js';
import { compilePrice, isTokenUnit, ITEM_KINDS, RATE_KINDS, type CompiledPrice, type Price, type RateKind, type ServiceTierName } from '../pricing/index.js';
import { exceedsPercent, largerChange, percentHundredths } from './decimal.js';

export interface RateChange {
  /** "input", "priority output", "above 200k input", "item image". */
  label: string;
  /** USD per 1M tokens (token kinds) or per base unit (items); undefined when absent. */
  old?: string;
  next?: string;
  /** Hundredths of a percent; undefined when the old rate was zero or absent. */
  hundredths?: bigint;
  exceeds: boolean;
}

export interface PriceDiff {
  changes: RateChange[];
  /** Any rate moved by more than the threshold. */
  exceeds: boolean;
  /** Largest change in hundredths of a percent; undefined = from zero; null = nothing changed. */
  largest: bigint | undefined | null;
}

/** Index of the long-context tier in force just above `tokens` prompt tokens. */
function tierAt(price: CompiledPrice, tokens: number): number {
  return price.thresholds.filter((t) => t <= tokens).length;
}

function vectorAt(price: CompiledPrice, service: ServiceTierName | undefined, tokens: number): Record<RateKind, bigint> {
  const s = service === undefined ? 0 : price.serviceTiers.indexOf(service) + 1; // -1 + 1: not priced → standard
  return price.variants[s]![tierAt(price, tokens)]!.rates;
}

const per1M = (atto: bigint): string => attoToUsd(atto * 1_000_000n);

export function diffPrices(old: Price | undefined, next: Price, thresholdAtto: bigint): PriceDiff {
  if (old === undefined) return { changes: [], exceeds: false, largest: null };
  const a = compilePrice(old);
  const b = compilePrice(next);
  const changes: RateChange[] = [];
  const services: (ServiceTierName | undefined)[] = [undefined, ...new Set([...a.serviceTiers, ...b.serviceTiers])];
  const thresholds = [0, ...new Set([...a.thresholds, ...b.thresholds])].sort((x, y) => x - y);
  const tokenPriced = isTokenUnit(old.unit) || isTokenUnit(next.unit);
  const add = (label: string, o: bigint | undefined, n: bigint | undefined, show: (v: bigint) => string): void => {
    if (o === n) return;
    const before = o ?? 0n;
    const after = n ?? 0n;
    changes.push({
      label,
      ...(o !== undefined && { old: show(o) }),
      ...(n !== undefined && { next: show(n) }),
      ...(before !== 0n && { hundredths: percentHundredths(before, after)! }),
      exceeds: exceedsPercent(before, after, thresholdAtto),
    });
  };
  if (tokenPriced) {
    // Kinds neither price names follow their parent (cached → input, ...): the parent's line
    // already shows that change, so only named kinds are listed.
    const named = RATE_KINDS.filter((kind) => namesKind(old, kind) || namesKind(next, kind));
    for (const service of services) {
      for (const tokens of thresholds) {
        const va = vectorAt(a, service, tokens);
        const vb = vectorAt(b, service, tokens);
        const prefix = `${service ? `${service} ` : ''}${tokens > 0 ? `above ${tokens / 1000}k ` : ''}`;
        for (const kind of named) add(`${prefix}${kind}`, va[kind], vb[kind], per1M);
      }
    }
  }
  for (const kind of ITEM_KINDS) add(`item ${kind}`, a.items[kind], b.items[kind], attoToUsd);
  let largest: bigint | undefined | null = null;
  for (const change of changes) largest = largerChange(largest, change.hundredths);
  return { changes, exceeds: changes.some((c) => c.exceeds), largest };
}

function namesKind(price: Price, kind: RateKind): boolean {
  const layers = [price.rates, ...Object.values(price.serviceTiers ?? {}), ...(price.tiers ?? []).flatMap((t) => [t.rates, ...Object.values(t.serviceTiers ?? {})])];
  return layers.some((rates) => rates?.[kind] !== undefined);
}

/** Same authored content (rates compared as numbers, "2.50" = "2.5"): nothing to write. */
export function samePrice(a: Price, b: Price): boolean {
  return canonical(a) === canonical(b);
}

function canonical(price: Price): string {
  const sortRates = (rates: object | undefined): unknown =>
    rates && Object.fromEntries(Object.entries(rates).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, typeof v === 'string' ? canonicalRate(v) : v]));
  return JSON.stringify({
    unit: price.unit,
    billingModel: price.billingModel,
    rates: sortRates(price.rates),
    tiers: (price.tiers ?? []).map((t) => ({ above: t.aboveInputTokens, rates: sortRates(t.rates), serviceTiers: sortTiers(t.serviceTiers, sortRates) })),
    serviceTiers: sortTiers(price.serviceTiers, sortRates),
    itemRates: [...(price.itemRates ?? [])].map((i) => ({ kind: i.kind, unit: i.unit, rate: canonicalRate(i.rate) })).sort((x, y) => x.kind.localeCompare(y.kind)),
  });
}

function sortTiers(tiers: object | undefined, sortRates: (rates: object | undefined) => unknown): unknown {
  if (!tiers || Object.keys(tiers).length === 0) return undefined;
  return Object.fromEntries(Object.entries(tiers).sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, sortRates(v as object)]));
}

/** "2.50" → "2.5"; text that is not a decimal is kept as it is (validation reports it). */
function canonicalRate(rate: string): string {
  if (!/^\d+(\.\d+)?$/.test(rate)) return rate;
  const trimmed = rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
  return trimmed.replace(/^0+(?=\d)/, '');
}
