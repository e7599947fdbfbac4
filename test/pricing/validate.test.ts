/** The validator reports every defect, each naming the model and the field. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../src/pricing/catalog.js';
import type { Price } from '../../src/pricing/types.js';
import { assertValidPrices, PriceValidationError, validatePrices } from '../../src/pricing/validate.js';
import type { ValidationIssue } from '../../src/pricing/validate.js';
import { manualPrice } from './helpers.js';

const good = (model: string, extra: Partial<Price> = {}): Price =>
  manualPrice({ model, rates: { input: '1', output: '2' }, ...extra });

/** A catalog with one defect per entry; the model name says which. */
const defective: unknown[] = [
  good('ok'),
  { ...good('no-unit'), unit: undefined },
  good('no-input', { rates: { output: '2' } }),
  good('no-output', { rates: { input: '1' } }),
  good('negative', { rates: { input: '-1', output: '2' } }),
  good('non-numeric', { rates: { input: 'abc', output: '2' } }),
  { ...good('nan'), rates: { input: Number.NaN, output: '2' } },
  { ...good('number-rate'), rates: { input: 1.5, output: '2' } },
  good('per-image-no-item', { unit: 'per_image', rates: {} }),
  good('per-request-no-item', { unit: 'per_request', rates: {} }),
  good('tiers-not-ascending', {
    tiers: [
      { aboveInputTokens: 200_000, rates: { input: '2' } },
      { aboveInputTokens: 128_000, rates: { input: '3' } },
    ],
  }),
  good('unknown-service-tier', { serviceTiers: { turbo: { input: '3' } } as never }),
  good('ends-before-start', { effectiveFrom: '2026-07-24', effectiveTo: '2026-07-01' }),
  good('dup', { effectiveFrom: '2026-05-01' }),
  good('dup', { effectiveFrom: '2026-05-01T00:00:00Z', id: 'second' }),
  good('inexact', { unit: 'per_1m_tokens', rates: { input: '0.0000000000001', output: '2' } }),
  good('inexact-minute', { unit: 'per_minute', rates: {}, itemRates: [{ kind: 'second', unit: 'per_minute', rate: '0.01' }] }),
  good('item-unit-mismatch', { itemRates: [{ kind: 'image', unit: 'per_second', rate: '1' }] }),
  good('unknown-rate-kind', { rates: { input: '1', output: '2', video: '3' } as never }),
  good('bad-currency', { currency: 'EUR' }),
  good('bad-unit', { unit: 'per_fortnight' as never }),
  good('bad-date', { effectiveFrom: 'soon' }),
  good('tier-rate-bad', { tiers: [{ aboveInputTokens: 0, rates: { input: 'x' } }] }),
  good('local-time', { effectiveFrom: '2026-07-24T00:00:00' }),
];

function issueFor(issues: ValidationIssue[], model: string): ValidationIssue[] {
  return issues.filter((i) => i.model === model);
}

describe('validatePrices', () => {
  const issues = validatePrices(defective);

  it('accepts the good entry and every built-in', () => {
    expect(issueFor(issues, 'ok')).toEqual([]);
    expect(validatePrices(BUILTIN_PRICES)).toEqual([]);
  });

  it.each([
    ['no-unit', 'unit', /missing unit/],
    ['no-input', 'rates.input', /without an input rate/],
    ['no-output', 'rates.output', /without an output rate/],
    ['negative', 'rates.input', /negative/],
    ['non-numeric', 'rates.input', /not a plain decimal/],
    ['nan', 'rates.input', /NaN/],
    ['number-rate', 'rates.input', /decimal string/],
    ['per-image-no-item', 'itemRates', /per_image without an item rate/],
    ['per-request-no-item', 'itemRates', /per_request without an item rate/],
    ['tiers-not-ascending', 'tiers[1].aboveInputTokens', /not ascending/],
    ['unknown-service-tier', 'serviceTiers.turbo', /unknown service tier/],
    ['ends-before-start', 'effectiveTo', /not after effectiveFrom/],
    ['dup', 'effectiveFrom', /duplicate model\+effectiveFrom/],
    ['inexact', 'rates.input', /not exact at 1e-18/],
    ['inexact-minute', 'itemRates[0].rate', /not exact at 1e-18/],
    ['item-unit-mismatch', 'itemRates[0].unit', /does not count image/],
    ['unknown-rate-kind', 'rates.video', /unknown rate kind/],
    ['bad-currency', 'currency', /only USD/],
    ['bad-unit', 'unit', /unknown unit/],
    ['bad-date', 'effectiveFrom', /not an ISO date/],
    ['tier-rate-bad', 'tiers[0].aboveInputTokens', /positive integer/],
    ['tier-rate-bad', 'tiers[0].rates.input', /not a plain decimal/],
    ['local-time', 'effectiveFrom', /without a time zone/],
  ])('%s → %s', (model, field, problem) => {
    const found = issueFor(issues, model).filter((i) => i.field === field);
    expect(found, JSON.stringify(issueFor(issues, model))).toHaveLength(1);
    expect(found[0]!.problem).toMatch(problem);
  });

  it('reports every defective entry in one pass, with its index', () => {
    const models = new Set(issues.map((i) => i.model));
    const expected = new Set((defective as Price[]).map((p) => p.model).filter((m) => m !== 'ok'));
    expect(models).toEqual(expected);
    const dup = issueFor(issues, 'dup');
    expect(dup.map((i) => i.index)).toEqual([14]); // the second of the pair
  });

  it('names an entry without a model by its position', () => {
    const [issue] = validatePrices([{ ...good('x'), model: undefined }]).filter((i) => i.field === 'model');
    expect(issue).toMatchObject({ model: '#0', field: 'model', problem: 'missing or empty' });
    expect(validatePrices([null])).toEqual([{ model: '#0', index: 0, field: '(entry)', problem: 'must be an object', provider: undefined }]);
  });

  it('assertValidPrices throws with the whole list', () => {
    expect(() => assertValidPrices(defective)).toThrow(PriceValidationError);
    try {
      assertValidPrices(defective);
    } catch (error) {
      expect((error as PriceValidationError).issues.length).toBe(issues.length);
      expect((error as Error).message).toContain('test/no-unit [#1] unit: missing unit');
    }
  });
});
