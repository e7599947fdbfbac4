/** Row mapping (Price ⇄ ModelPrice columns) and unit conversion. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../src/pricing/catalog.js';
import { compilePrice } from '../../src/pricing/compile.js';
import { priceFromRow, priceToRow } from '../../src/pricing/rows.js';
import type { ModelPriceRow } from '../../src/pricing/rows.js';
import { BILLING_MODELS, PRICING_UNITS, rateToAttoPerBase } from '../../src/pricing/units.js';
import { validatePrices } from '../../src/pricing/validate.js';
import { manualPrice } from './helpers.js';

const SCHEMA_COLUMNS = [
  'id', 'providerId', 'model', 'effectiveFrom', 'effectiveTo', 'source', 'currency', 'billingModel',
  'unit', 'rates', 'itemRates', 'tiers', 'serviceTiers', 'confidence', 'note',
].sort();

describe('priceToRow / priceFromRow', () => {
  it('produce exactly the ModelPrice columns and round-trip every built-in', () => {
    for (const price of BUILTIN_PRICES) {
      const row = priceToRow(price);
      expect(Object.keys(row).sort()).toEqual(SCHEMA_COLUMNS);
      expect(row.effectiveFrom).toBeInstanceOf(Date);
      // through JSON, the way a Json column stores it
      const stored: ModelPriceRow = { ...row, ...JSON.parse(JSON.stringify({ rates: row.rates, itemRates: row.itemRates, tiers: row.tiers, serviceTiers: row.serviceTiers })) };
      const back = priceFromRow(stored);
      expect({ ...back, effectiveFrom: Date.parse(back.effectiveFrom) }).toEqual({ ...price, effectiveFrom: Date.parse(price.effectiveFrom) });
      const { price: _a, ...compiledA } = compilePrice(price);
      const { price: _b, ...compiledB } = compilePrice(back);
      expect(compiledB).toEqual(compiledA);
    }
  });

  it('maps nulls to absent fields and keeps note/confidence', () => {
    const row: ModelPriceRow = {
      id: 'r1', providerId: 'openai', model: 'gpt-4o', effectiveFrom: new Date('2026-08-01T00:00:00Z'), effectiveTo: null,
      source: 'sync', currency: 'USD', billingModel: 'pay_per_use', unit: 'per_1m_tokens',
      rates: { input: '2.5', output: '10' }, itemRates: null, tiers: null, serviceTiers: null, confidence: 0.9, note: 'synced',
    };
    const price = priceFromRow(row);
    expect(price).toEqual({
      id: 'r1', provider: 'openai', model: 'gpt-4o', effectiveFrom: '2026-08-01T00:00:00.000Z', source: 'sync', currency: 'USD',
      billingModel: 'pay_per_use', unit: 'per_1m_tokens', rates: { input: '2.5', output: '10' }, confidence: 0.9, note: 'synced',
    });
    expect(validatePrices([price])).toEqual([]);
  });

  it('a malformed row becomes a price the validator rejects, naming model and field', () => {
    const row = { ...priceToRow(manualPrice({ model: 'm', rates: { input: '1', output: '1' } })), rates: { input: 1 } } as ModelPriceRow;
    const issues = validatePrices([priceFromRow(row)]);
    expect(issues.map((i) => `${i.model}:${i.field}`)).toEqual(['m:rates.input', 'm:rates.output']);
  });

  it('refuses to store the fallback', () => {
    expect(() => priceToRow(manualPrice({ model: '*', source: 'fallback', rates: { input: '1', output: '1' } }))).toThrow(/fallback/);
  });
});

describe('units', () => {
  it('convert to atto per base unit exactly', () => {
    expect(rateToAttoPerBase('2.5', 'per_1m_tokens')).toBe(2_500_000_000_000n);
    expect(rateToAttoPerBase('0.0025', 'per_1k_tokens')).toBe(2_500_000_000_000n);
    expect(rateToAttoPerBase('0.0000025', 'per_token')).toBe(2_500_000_000_000n);
    expect(rateToAttoPerBase('0.006', 'per_minute')).toBe(100_000_000_000_000n);
    expect(rateToAttoPerBase('0.36', 'per_hour')).toBe(100_000_000_000_000n);
    expect(rateToAttoPerBase('0.015', 'per_1k_characters')).toBe(15_000_000_000_000n);
    expect(rateToAttoPerBase('0.04', 'per_image')).toBe(40_000_000_000_000_000n);
    expect(rateToAttoPerBase('1', 'per_gb')).toBe(1_000_000_000n);
    expect(rateToAttoPerBase('0.01875', 'per_1m_tokens')).toBe(18_750_000_000n);
  });

  it('throw instead of rounding', () => {
    expect(() => rateToAttoPerBase('0.01', 'per_minute')).toThrow(/not exact at 1e-18/);
    expect(() => rateToAttoPerBase('0.0000000000001', 'per_1m_tokens')).toThrow(/not exact/);
    expect(() => rateToAttoPerBase('0.0000000000000000001', 'per_token')).toThrow(/not exact/);
    expect(() => rateToAttoPerBase('-1', 'per_token')).toThrow(/negative/);
    expect(() => rateToAttoPerBase('1e-6', 'per_token')).toThrow(/plain decimal/);
  });

  it('mirror the Prisma PricingUnit and BillingModel enums', async () => {
    const { readFileSync } = await import('node:fs');
    const schema = readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    const values = (name: string): string[] => new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema)![1]!.trim().split(/\s+/);
    expect(values('PricingUnit')).toEqual([...PRICING_UNITS]);
    expect(values('BillingModel')).toEqual([...BILLING_MODELS]);
  });
});
