/**
 * Price ⇄ ModelPrice row, as plain objects with the Prisma column names, so this module
 * needs no generated client. The JSON columns hold exactly the Price sub-objects (decimal
 * strings stay strings), which is what makes the mapping 1:1 and lossless.
 *
 * `priceFromRow` only reshapes; it does not judge. Rows come from a database anyone with
 * the admin API can write, so the catalog runs `validatePrices` on the result and skips
 * (and reports) what is wrong instead of trusting it.
 */
import type { ItemRate, Price, Rates, ServiceTierRates, Tier } from './types.js';
import type { BillingModel, PricingUnit } from './units.js';

/** Values of the Prisma enum `PriceSource`: 'fallback' is deliberately not storable. */
export type StoredPriceSource = 'builtin' | 'sync' | 'manual' | 'discovered';

/** A `ModelPrice` row as Prisma returns it (JSON columns typed loosely on the way in). */
export interface ModelPriceRow {
  id: string;
  providerId: string;
  model: string;
  effectiveFrom: Date | string;
  effectiveTo: Date | string | null;
  source: StoredPriceSource | string;
  currency: string;
  billingModel: BillingModel | string;
  unit: PricingUnit | string;
  rates: unknown;
  itemRates: unknown;
  tiers: unknown;
  serviceTiers: unknown;
  confidence: number | null;
  note: string | null;
  createdAt?: Date;
}

/** What `priceToRow` produces: the same columns with precise types. */
export interface ModelPriceRowOut extends ModelPriceRow {
  effectiveFrom: Date;
  effectiveTo: Date | null;
  source: StoredPriceSource;
  billingModel: BillingModel;
  unit: PricingUnit;
  rates: Rates;
  itemRates: ItemRate[] | null;
  tiers: Tier[] | null;
  serviceTiers: ServiceTierRates | null;
}

function toIso(value: Date | string): string {
  if (typeof value === 'string') return value;
  return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
}

/** Deep copy of plain JSON data, so a row and the price never share mutable objects. */
function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function priceFromRow(row: ModelPriceRow): Price {
  const price: Price = {
    id: row.id,
    provider: row.providerId,
    model: row.model,
    effectiveFrom: toIso(row.effectiveFrom),
    source: row.source as Price['source'],
    currency: row.currency,
    billingModel: row.billingModel as BillingModel,
    unit: row.unit as PricingUnit,
    rates: copy((row.rates ?? {}) as Rates),
  };
  if (row.effectiveTo !== null && row.effectiveTo !== undefined) price.effectiveTo = toIso(row.effectiveTo);
  if (row.itemRates !== null && row.itemRates !== undefined) price.itemRates = copy(row.itemRates as ItemRate[]);
  if (row.tiers !== null && row.tiers !== undefined) price.tiers = copy(row.tiers as Tier[]);
  if (row.serviceTiers !== null && row.serviceTiers !== undefined) {
    price.serviceTiers = copy(row.serviceTiers as ServiceTierRates);
  }
  if (row.confidence !== null && row.confidence !== undefined) price.confidence = row.confidence;
  if (row.note !== null && row.note !== undefined) price.note = row.note;
  return price;
}

export function priceToRow(price: Price): ModelPriceRowOut {
  if (price.source === 'fallback') {
    // The universal fallback is configuration, not data; the PriceSource enum has no such value.
    throw new RangeError(`price ${price.id} (${price.model}) is a fallback price and cannot be stored`);
  }
  return {
    id: price.id,
    providerId: price.provider,
    model: price.model,
    effectiveFrom: new Date(price.effectiveFrom),
    effectiveTo: price.effectiveTo === undefined ? null : new Date(price.effectiveTo),
    source: price.source,
    currency: price.currency,
    billingModel: price.billingModel,
    unit: price.unit,
    rates: copy(price.rates),
    itemRates: price.itemRates === undefined ? null : copy([...price.itemRates]),
    tiers: price.tiers === undefined ? null : copy([...price.tiers]),
    serviceTiers: price.serviceTiers === undefined ? null : copy(price.serviceTiers),
    confidence: price.confidence ?? null,
    note: price.note ?? null,
  };
}
