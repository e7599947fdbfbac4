/**
 * The price catalog and the row mapping at their edges: a fallback configured for a provider
 * that has no built-ins, resolution with the cache turned off, another spelling of a model whose
 * only price is not yet in force, and database rows whose dates arrive as strings, as invalid
 * dates, or with no rates at all.
 */
import { describe, expect, it } from 'vitest';
import { attoToUsd } from '../../src/core/money.js';
import { PriceCatalog } from '../../src/pricing/catalog.js';
import { computeCost } from '../../src/pricing/cost.js';
import { priceFromRow, priceToRow, type ModelPriceRow } from '../../src/pricing/rows.js';
import type { Price } from '../../src/pricing/types.js';
import { validatePrices } from '../../src/pricing/validate.js';

const NOW = new Date('2026-08-01T00:00:00Z');
const inputUsd = (catalog: PriceCatalog, provider: string, model: string, at = NOW): string =>
  attoToUsd(computeCost({ inputTokens: 1_000_000, outputTokens: 0 }, catalog.lookup(provider, model, at).price).total);

function dbPrice(model: string, over: Partial<Price> = {}): Price {
  return {
    id: `db:${model}`, provider: 'openai', model, effectiveFrom: '2026-07-25', source: 'manual', currency: 'USD',
    billingModel: 'pay_per_use', unit: 'per_1m_tokens', rates: { input: '3', output: '9' }, ...over,
  };
}

describe('catalog', () => {
  it('a fallback configured for a provider without built-ins prices that provider; others get the default', () => {
    const catalog = new PriceCatalog({ fallback: { perProvider: { mistral: { input: '4', output: '12' } } } });
    expect(catalog.lookup('mistral', 'mistral-large', NOW)).toMatchObject({ priceId: 'fallback:mistral', source: 'fallback' });
    expect(inputUsd(catalog, 'mistral', 'mistral-large')).toBe('4');
    expect(catalog.lookup('cohere', 'command', NOW).priceId).toBe('fallback:*');
  });

  it('with the resolution cache off, other spellings still resolve, and nothing is remembered', () => {
    const catalog = new PriceCatalog({ resolutionCacheSize: 0 });
    for (let i = 0; i < 2; i++) {
      expect(catalog.lookup('openai', 'gpt-4o-2024-08-06', NOW)).toMatchObject({ resolvedModel: 'gpt-4o', resolution: 'dated' });
    }
    expect(catalog.sizes().resolutionCache).toBe(0);
  });

  it('a dated spelling of a model whose only price starts later is priced by the fallback until then', () => {
    const catalog = new PriceCatalog({ databaseRows: [dbPrice('brand-new', { effectiveFrom: '2026-09-01' })] });
    const before = catalog.lookup('openai', 'brand-new-2026-08-15', NOW);
    expect(before).toMatchObject({ source: 'fallback', resolution: 'fallback', resolvedModel: 'brand-new-2026-08-15' });
    const after = catalog.lookup('openai', 'brand-new-2026-08-15', new Date('2026-09-02T00:00:00Z'));
    expect(after).toMatchObject({ source: 'database', resolution: 'dated', resolvedModel: 'brand-new' });
  });
});

describe('ModelPrice rows', () => {
  const row = (over: Partial<ModelPriceRow>): ModelPriceRow => ({
    id: 'r1', providerId: 'openai', model: 'm', effectiveFrom: new Date('2026-07-25T00:00:00Z'), effectiveTo: null,
    source: 'manual', currency: 'USD', billingModel: 'pay_per_use', unit: 'per_1m_tokens', rates: { input: '1', output: '2' },
    itemRates: null, tiers: null, serviceTiers: null, confidence: null, note: null, ...over,
  });

  it('dates given as strings are kept as they are (and validated like any other)', () => {
    const price = priceFromRow(row({ effectiveFrom: '2026-07-25T00:00:00.000Z', effectiveTo: '2026-08-25T00:00:00.000Z' }));
    expect(price).toMatchObject({ effectiveFrom: '2026-07-25T00:00:00.000Z', effectiveTo: '2026-08-25T00:00:00.000Z' });
    expect(validatePrices([price])).toEqual([]);
  });

  it('an invalid date becomes a price the validator refuses, instead of a throw while loading', () => {
    const price = priceFromRow(row({ effectiveFrom: new Date(Number.NaN) }));
    expect(price.effectiveFrom).toBe('Invalid Date');
    expect(validatePrices([price]).map((i) => i.field)).toEqual(['effectiveFrom']);
  });

  it('a row with no rates becomes a price with none, refused for a token unit', () => {
    const price = priceFromRow(row({ rates: null }));
    expect(price.rates).toEqual({});
    expect(validatePrices([price]).map((i) => `${i.field}: ${i.problem}`)).toEqual([
      'rates.input: token unit per_1m_tokens without an input rate',
      'rates.output: token unit per_1m_tokens without an output rate',
    ]);
  });

  it('an end date survives the round trip price → row → price', () => {
    const price = dbPrice('closing', { effectiveFrom: '2026-07-25T00:00:00.000Z', effectiveTo: '2026-08-25T00:00:00.000Z' });
    const out = priceToRow(price);
    expect(out.effectiveTo).toEqual(new Date('2026-08-25T00:00:00Z'));
    expect(priceFromRow(out)).toEqual(price);
  });
});
