/**
 * Price → CompiledPrice, once, when a price enters the catalog. Every rate is parsed to
 * bigint atto-USD per base unit here and every (service tier × long-context tier) rate
 * vector is resolved in advance, so `computeCost` does no parsing and no fallback logic.
 *
 * How a kind's rate is chosen for (service tier s, long-context tier t), most specific first:
 *   1. the tier's own rate for s (tiers[t].serviceTiers[s]), when the reference names one;
 *   2. both s and t name the kind but not their combination: the HIGHER of the two, flagged
 *      (nothing in the reference says how they combine; a budget must not be under-charged);
 *   3. s's rate; 4. t's rate; 5. the base rate  ("kinds a layer does not name keep the base");
 *   6. no layer names the kind at all: its parent's resolved rate (cached reads, cache writes,
 *      audio and image input → input; audio and image output → output).
 * Reasoning is the exception to 5: reasoning tokens are output tokens under another name, so
 * when a more specific layer re-prices output without naming reasoning (Gemini 3.1 Flash-Lite
 * flex halves output; its base reasoning rate merely equals the base output rate), reasoning
 * follows that layer's output rate instead of keeping the stale base figure.
 */
import { RATE_KINDS, SERVICE_TIERS } from './types.js';
import type {
  CompiledPrice,
  ItemKind,
  Price,
  RateKind,
  RateVector,
  Rates,
  ResolvedRates,
  ServiceTierName,
} from './types.js';
import { isTokenUnit, rateToAttoPerBase } from './units.js';
import type { PricingUnit } from './units.js';

type Explicit = Partial<Record<RateKind, bigint>>;

interface Layers {
  both?: Explicit;
  service?: Explicit;
  tier?: Explicit;
  base: Explicit;
}

interface Pick {
  value: bigint;
  rank: number;
  assumed: boolean;
}

const PARENT: Readonly<Record<Exclude<RateKind, 'input' | 'output' | 'reasoning'>, 'input' | 'output'>> = {
  cachedInput: 'input',
  cacheWrite: 'input',
  audioInput: 'input',
  imageInput: 'input',
  audioOutput: 'output',
  imageOutput: 'output',
};

function parseRates(rates: Rates | undefined, unit: PricingUnit): Explicit | undefined {
  if (rates === undefined) return undefined;
  const out: Explicit = {};
  for (const kind of RATE_KINDS) {
    const text = rates[kind];
    if (text !== undefined) out[kind] = rateToAttoPerBase(text, unit);
  }
  return out;
}

function pick(kind: RateKind, layers: Layers): Pick | undefined {
  const both = layers.both?.[kind];
  if (both !== undefined) return { value: both, rank: 1, assumed: false };
  const service = layers.service?.[kind];
  const tier = layers.tier?.[kind];
  if (service !== undefined && tier !== undefined) {
    return { value: service > tier ? service : tier, rank: 2, assumed: service !== tier };
  }
  if (service !== undefined) return { value: service, rank: 3, assumed: false };
  if (tier !== undefined) return { value: tier, rank: 4, assumed: false };
  const base = layers.base[kind];
  return base === undefined ? undefined : { value: base, rank: 5, assumed: false };
}

function resolve(layers: Layers): ResolvedRates {
  let combinedAssumed = false;
  const use = (p: Pick | undefined): bigint | undefined => {
    if (p === undefined) return undefined;
    if (p.assumed) combinedAssumed = true;
    return p.value;
  };
  const input = use(pick('input', layers)) ?? 0n;
  const outputPick = pick('output', layers);
  // A model whose only output is images or audio (gpt-image-1) names no text output rate;
  // any stray text output is billed at the dearer of its media output rates.
  const mediaOut = [pick('imageOutput', layers), pick('audioOutput', layers)]
    .map((p) => p?.value ?? 0n)
    .reduce((a, b) => (a > b ? a : b), 0n);
  const output = use(outputPick) ?? mediaOut;
  const reasoningPick = pick('reasoning', layers);
  const reasoning =
    reasoningPick !== undefined && (outputPick === undefined || reasoningPick.rank <= outputPick.rank)
      ? (use(reasoningPick) ?? output)
      : output;
  const resolved: Record<RateKind, bigint> = { input, output, reasoning } as Record<RateKind, bigint>;
  for (const kind of Object.keys(PARENT) as (keyof typeof PARENT)[]) {
    resolved[kind] = use(pick(kind, layers)) ?? resolved[PARENT[kind]];
  }
  return { rates: Object.freeze(resolved) as RateVector, combinedAssumed };
}

function serviceTiersOf(price: Price): ServiceTierName[] {
  const named = new Set<string>(Object.keys(price.serviceTiers ?? {}));
  for (const tier of price.tiers ?? []) {
    for (const name of Object.keys(tier.serviceTiers ?? {})) named.add(name);
  }
  return SERVICE_TIERS.filter((name) => named.has(name));
}

/** Compiles a price that passed `validatePrices`. Throws a RangeError on a bad rate. */
export function compilePrice(price: Price): CompiledPrice {
  const unit = price.unit;
  const base = parseRates(price.rates, unit) ?? {};
  const tiers = [...(price.tiers ?? [])].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  const tierRates = tiers.map((tier) => parseRates(tier.rates, unit));
  const serviceTiers = serviceTiersOf(price);
  const services: (ServiceTierName | undefined)[] = [undefined, ...serviceTiers];

  const variants = services.map((service) => {
    const serviceRates = service === undefined ? undefined : parseRates(price.serviceTiers?.[service], unit);
    const row: ResolvedRates[] = [resolve({ service: serviceRates, base })];
    tiers.forEach((tier, i) => {
      const both = service === undefined ? undefined : parseRates(tier.serviceTiers?.[service], unit);
      row.push(resolve({ both, service: serviceRates, tier: tierRates[i], base }));
    });
    return Object.freeze(row);
  });

  const items: Partial<Record<ItemKind, bigint>> = {};
  for (const item of price.itemRates ?? []) {
    items[item.kind] ??= rateToAttoPerBase(item.rate, item.unit);
  }

  const billsOutput = variants.some((row) =>
    row.some(({ rates: r }) => r.output > 0n || r.reasoning > 0n || r.audioOutput > 0n || r.imageOutput > 0n),
  );

  return Object.freeze({
    id: price.id,
    provider: price.provider,
    model: price.model,
    source: price.source,
    unit,
    billingModel: price.billingModel,
    effectiveFromMs: Date.parse(price.effectiveFrom),
    effectiveToMs: price.effectiveTo === undefined ? Number.POSITIVE_INFINITY : Date.parse(price.effectiveTo),
    thresholds: Object.freeze(tiers.map((tier) => tier.aboveInputTokens)),
    serviceTiers: Object.freeze(serviceTiers),
    variants: Object.freeze(variants),
    items: Object.freeze(items),
    billsOutput,
    tokenPriced: isTokenUnit(unit),
    price,
  });
}
