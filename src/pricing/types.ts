/**
 * Price shapes. `Price` is the stored/authored form and maps 1:1 onto the Prisma `ModelPrice`
 * row (see rows.ts): rates are decimal strings in `unit`, because that is how a human reads a
 * price page and how the database keeps them without float damage. `CompiledPrice` is the run
 * time form: every rate already converted once to bigint atto-USD per base unit, and every
 * (service tier × long-context tier) combination resolved in advance so the cost function only
 * selects a vector and multiplies.
 */
import type { BillingModel, PricingUnit } from './units.js';

/** Token usage kinds that can carry their own rate. */
export const RATE_KINDS = [
  'input',
  'cachedInput',
  'cacheWrite',
  'output',
  'reasoning',
  'audioInput',
  'audioOutput',
  'imageInput',
  'imageOutput',
] as const;
export type RateKind = (typeof RATE_KINDS)[number];

/** Decimal strings in the price's `unit` (per_1m_tokens for every built-in). */
export type Rates = Partial<Record<RateKind, string>>;

export const ITEM_KINDS = ['image', 'second', 'character', 'request', 'audio_file'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

/** A non-token charge: per generated image, per second of audio, per character of speech ... */
export interface ItemRate {
  kind: ItemKind;
  unit: PricingUnit;
  rate: string;
}

export const SERVICE_TIERS = ['flex', 'priority', 'batch'] as const;
export type ServiceTierName = (typeof SERVICE_TIERS)[number];

/** Rates that replace the base ones when a request runs in that service tier. */
export type ServiceTierRates = Partial<Record<ServiceTierName, Rates>>;

/**
 * A long-context tier: once the prompt (input + tool-use prompt tokens) is ABOVE
 * `aboveInputTokens`, the tier's rates apply to the whole request. A tier may also carry
 * its own service-tier rates, because the reference prices some combinations explicitly
 * (Gemini's `input_cost_per_token_above_200k_tokens_priority`); that is the one extension
 * beyond `{ aboveInputTokens, rates }` and it lives inside the same `tiers` JSON column.
 */
export interface Tier {
  aboveInputTokens: number;
  rates: Rates;
  serviceTiers?: ServiceTierRates;
}

/** Mirrors the Prisma enum `PriceSource`, plus 'fallback', which is never stored. */
export type PriceSource = 'builtin' | 'sync' | 'manual' | 'discovered' | 'fallback';

export interface Price {
  id: string;
  provider: string;
  model: string;
  /** ISO 8601 date or date-time; a date alone means midnight UTC. */
  effectiveFrom: string;
  /** Exclusive end; absent means "until replaced". */
  effectiveTo?: string;
  source: PriceSource;
  /** Always 'USD': all internal money is atto-USD. */
  currency: string;
  billingModel: BillingModel;
  unit: PricingUnit;
  rates: Rates;
  itemRates?: readonly ItemRate[];
  tiers?: readonly Tier[];
  serviceTiers?: ServiceTierRates;
  confidence?: number;
  note?: string;
}

/** Fully resolved atto-USD per token for every kind; no "missing" left at run time. */
export type RateVector = Readonly<Record<RateKind, bigint>>;

/** atto-USD per base unit for each item kind the price bills. */
export type ItemVector = Readonly<Partial<Record<ItemKind, bigint>>>;

/** One resolved rate vector and whether resolving it needed the service×tier assumption. */
export interface ResolvedRates {
  rates: RateVector;
  /** True when a service tier and a long-context tier both priced a kind and neither
   * price said what the combination costs; the higher of the two was taken. */
  combinedAssumed: boolean;
}

export interface CompiledPrice {
  id: string;
  provider: string;
  model: string;
  source: PriceSource;
  unit: PricingUnit;
  billingModel: BillingModel;
  effectiveFromMs: number;
  /** Exclusive; Number.POSITIVE_INFINITY when open-ended. */
  effectiveToMs: number;
  /** Long-context thresholds, ascending. */
  thresholds: readonly number[];
  /** Service tiers this price knows, besides the standard one. */
  serviceTiers: readonly ServiceTierName[];
  /**
   * variants[s][t]: s = 0 for standard, 1 + index into `serviceTiers` otherwise;
   * t = 0 below every threshold, i + 1 once thresholds[i] is crossed.
   */
  variants: readonly (readonly ResolvedRates[])[];
  items: ItemVector;
  /** True when any output-side rate is non-zero (embeddings: false, so a missing output
   * count does not make their cost incomplete). */
  billsOutput: boolean;
  /** True when the price's unit is a token unit. */
  tokenPriced: boolean;
  /** The authored form, kept for reporting and for the admin API. */
  price: Price;
}
