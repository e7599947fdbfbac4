/**
 * A small constructor for built-in price data, so the providers' prices.ts files stay tables
 * of numbers: it fills in the id, source, currency, unit and effective date that every
 * built-in shares. Built-ins date from the reference catalog they were copied from.
 */
import type { ItemRate, Price, Rates, ServiceTierRates, Tier } from './types.js';
import type { PricingUnit } from './units.js';

/** The date of the public list prices the built-ins were copied from (PROVENANCE.md). */
export const BUILTIN_EFFECTIVE_FROM = '2026-07-24';

export interface BuiltinSpec {
  /** Per 1M tokens unless `unit` says otherwise. */
  rates?: Rates;
  unit?: PricingUnit;
  tiers?: readonly Tier[];
  serviceTiers?: ServiceTierRates;
  itemRates?: readonly ItemRate[];
  note?: string;
}

export function builtinPrice(provider: string, model: string, spec: BuiltinSpec): Price {
  const price: Price = {
    id: `builtin:${provider}:${model}:${BUILTIN_EFFECTIVE_FROM}`,
    provider,
    model,
    effectiveFrom: BUILTIN_EFFECTIVE_FROM,
    source: 'builtin',
    currency: 'USD',
    billingModel: spec.tiers && spec.tiers.length > 0 ? 'tiered' : 'pay_per_use',
    unit: spec.unit ?? 'per_1m_tokens',
    rates: spec.rates ?? {},
  };
  if (spec.tiers) price.tiers = spec.tiers;
  if (spec.serviceTiers) price.serviceTiers = spec.serviceTiers;
  if (spec.itemRates) price.itemRates = spec.itemRates;
  if (spec.note) price.note = spec.note;
  return Object.freeze(price);
}
