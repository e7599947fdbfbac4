import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.js';
import { BUILTIN_PRICES, priceFromRow, priceToRow, validatePrices, type Price, type ValidationIssue } from '../pricing/index.js';

/** One row of a price listing: what the catalog would use now, and where it comes from. */
export interface PriceListing {
  provider: string;
  model: string;
  source: string;
  id: string;
  effectiveFrom: string;
  effectiveTo?: string;
  unit: string;
  rates: Price['rates'];
}

/** Database rows in force now, plus every built-in that no database row overrides. */
export async function listPrices(prisma: PrismaClient, filter: { provider?: string } = {}, now = new Date()): Promise<PriceListing[]> {
  const rows = (await prisma.modelPrice.findMany({ where: filter.provider ? { providerId: filter.provider } : {} })).map(priceFromRow);
  const inForce = (p: Price) => Date.parse(p.effectiveFrom) <= now.getTime() && (!p.effectiveTo || now.getTime() < Date.parse(p.effectiveTo));
  const chosen = new Map<string, Price>();
  for (const price of [...rows.filter(inForce), ...BUILTIN_PRICES.filter((p) => (!filter.provider || p.provider === filter.provider) && inForce(p))]) {
    const key = `${price.provider}/${price.model}`;
    const current = chosen.get(key);
    // Database rows come first, so a built-in never replaces one; among rows the newest wins.
    if (!current || (current.source !== 'builtin' && price.source !== 'builtin' && price.effectiveFrom > current.effectiveFrom)) chosen.set(key, price);
  }
  return [...chosen.values()]
    .sort((a, b) => `${a.provider}/${a.model}`.localeCompare(`${b.provider}/${b.model}`))
    .map((p) => ({ provider: p.provider, model: p.model, source: p.source, id: p.id, effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo, unit: p.unit, rates: p.rates }));
}

/** Every version of one model's price, newest first: database rows, then the built-in. */
export async function priceHistory(prisma: PrismaClient, provider: string, model: string): Promise<Price[]> {
  const rows = await prisma.modelPrice.findMany({ where: { providerId: provider, model }, orderBy: { effectiveFrom: 'desc' } });
  return [...rows.map(priceFromRow), ...BUILTIN_PRICES.filter((p) => p.provider === provider && p.model === model)];
}

export interface ManualPriceInput {
  provider: string;
  model: string;
  /** Decimal strings per `unit` (default per 1M tokens). */
  rates: Price['rates'];
  unit?: Price['unit'];
  effectiveFrom?: string;
  tiers?: Price['tiers'];
  serviceTiers?: Price['serviceTiers'];
  itemRates?: Price['itemRates'];
  note?: string;
}

/**
 * A manual override: a new versioned row with source `manual`, which sync never overwrites.
 * The previous open-ended row of the model is closed where the new one starts.
 */
export async function setManualPrice(prisma: PrismaClient, input: ManualPriceInput): Promise<{ price?: Price; issues: ValidationIssue[] }> {
  const price: Price = {
    id: randomUUID(),
    provider: input.provider,
    model: input.model,
    effectiveFrom: input.effectiveFrom ?? new Date().toISOString(),
    source: 'manual',
    currency: 'USD',
    billingModel: 'pay_per_use',
    unit: input.unit ?? 'per_1m_tokens',
    rates: input.rates,
    ...(input.tiers ? { tiers: input.tiers } : {}),
    ...(input.serviceTiers ? { serviceTiers: input.serviceTiers } : {}),
    ...(input.itemRates ? { itemRates: input.itemRates } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
  const issues = validatePrices([price]);
  if (issues.length > 0) return { issues };
  const row = priceToRow(price);
  await prisma.$transaction([
    prisma.modelPrice.updateMany({
      where: { providerId: price.provider, model: price.model, effectiveTo: null, effectiveFrom: { lt: row.effectiveFrom } },
      data: { effectiveTo: row.effectiveFrom },
    }),
    prisma.modelPrice.create({ data: { ...row, rates: row.rates as object, itemRates: (row.itemRates ?? undefined) as object | undefined, tiers: (row.tiers ?? undefined) as object | undefined, serviceTiers: (row.serviceTiers ?? undefined) as object | undefined } }),
  ]);
  return { price, issues: [] };
}

/** Validates the whole catalog: every database row and every built-in. */
export async function validateCatalog(prisma: PrismaClient): Promise<ValidationIssue[]> {
  const rows = await prisma.modelPrice.findMany();
  return [...validatePrices(rows.map((row) => priceFromRow(row))), ...validatePrices(BUILTIN_PRICES)];
}
