/**
 * Price entries whose SHAPE is wrong — what an admin upload, a sync source or a hand-edited
 * database row can contain although the types forbid it: every problem is reported in one
 * pass, naming the model and the field, and nothing throws.
 */
import { describe, expect, it } from 'vitest';
import type { Price } from '../../src/pricing/types.js';
import { rateProblem } from '../../src/pricing/units.js';
import { formatIssues, validatePrices, type ValidationIssue } from '../../src/pricing/validate.js';
import { manualPrice } from './helpers.js';

const tokenPrice = (model: string, extra: Record<string, unknown> = {}): unknown =>
  ({ ...manualPrice({ model, rates: { input: '1', output: '2' } }), ...extra });
const imagePrice = (model: string, extra: Record<string, unknown> = {}): unknown =>
  ({ ...manualPrice({ model, unit: 'per_image', itemRates: [{ kind: 'image', unit: 'per_image', rate: '0.04' }] }), ...extra });

/** The issues of one entry validated alone, as "field: problem". */
function problems(entry: unknown): string[] {
  return validatePrices([entry]).map((i) => `${i.field}: ${i.problem}`);
}

describe('containers of the wrong type', () => {
  it.each([
    ['rates as an array', tokenPrice('m', { rates: ['1', '2'] }), 'rates: must be an object of rates'],
    ['serviceTiers as a string', tokenPrice('m', { serviceTiers: 'priority' }), 'serviceTiers: must be an object keyed by service tier'],
    ['tiers as an object', tokenPrice('m', { tiers: { aboveInputTokens: 1 } }), 'tiers: must be an array'],
    ['a tier that is not an object', tokenPrice('m', { tiers: [42] }), 'tiers[0]: must be an object { aboveInputTokens, rates }'],
    ['a tier whose service tiers are a list', tokenPrice('m', { tiers: [{ aboveInputTokens: 10, rates: {}, serviceTiers: [] }] }), 'tiers[0].serviceTiers: must be an object keyed by service tier'],
    ['itemRates as an object', imagePrice('m', { itemRates: { image: '0.04' } }), 'itemRates: must be an array'],
    ['an item that is not an object', imagePrice('m', { itemRates: ['0.04'] }), 'itemRates[0]: must be an object { kind, unit, rate }'],
  ])('%s', (_name, entry, expected) => {
    expect(problems(entry)).toContain(expected);
  });
});

describe('items', () => {
  it('an unknown item kind, a kind listed twice, a missing unit', () => {
    const entry = imagePrice('m', {
      itemRates: [
        { kind: 'video', unit: 'per_second', rate: '1' },
        { kind: 'image', unit: 'per_image', rate: '0.04' },
        { kind: 'image', unit: 'per_image', rate: '0.05' },
        { kind: 'second', rate: '0.01' },
      ],
    });
    expect(problems(entry)).toEqual([
      'itemRates[0].kind: unknown item kind (expected one of image, second, character, request, audio_file)',
      'itemRates[2].kind: duplicate item kind image',
      'itemRates[3].unit: missing or unknown unit undefined',
    ]);
  });

  it('token rates on a non-token unit, and long-context tiers on it', () => {
    const entry = imagePrice('m', { rates: { input: '1' }, tiers: [{ aboveInputTokens: 1000, rates: {} }] });
    expect(problems(entry)).toEqual([
      'tiers: long-context tiers need a token unit, not per_image',
      'rates: token rates given but unit per_image is not a token unit',
    ]);
  });
});

describe('scalar fields', () => {
  it('unknown source and billing model', () => {
    expect(problems(tokenPrice('m', { source: 'scraped', billingModel: 'barter' }))).toEqual([
      'source: unknown source "scraped"',
      'billingModel: missing or unknown billing model "barter"',
    ]);
  });

  it.each([[1.5], [-0.1], ['0.9'], [Number.NaN]])('confidence %s is refused; 0, 1, null and absent are fine', (confidence) => {
    expect(problems(tokenPrice('m', { confidence }))).toEqual(['confidence: must be a number between 0 and 1']);
    for (const ok of [0, 1, null, undefined]) expect(problems(tokenPrice('m', { confidence: ok }))).toEqual([]);
  });

  it('dates that are not strings, or not dates', () => {
    expect(problems(tokenPrice('m', { effectiveFrom: 1_780_000_000_000 }))).toEqual(['effectiveFrom: missing or not an ISO date: 1780000000000']);
    expect(problems(tokenPrice('m', { effectiveTo: 'later' }))).toEqual(['effectiveTo: not an ISO date: "later"']);
    expect(problems(tokenPrice('m', { effectiveTo: 1_780_000_000_000 }))).toEqual(['effectiveTo: not an ISO date: 1780000000000']);
  });

  it('a rate that is not a string says what it got', () => {
    expect(rateProblem(undefined, 'per_1m_tokens')).toBe('must be a decimal string such as "1.25", got nothing');
    expect(rateProblem(null, 'per_1m_tokens')).toBe('must be a decimal string such as "1.25", got null');
    expect(rateProblem(2, 'per_1m_tokens')).toBe('must be a decimal string such as "1.25", got the number 2');
    expect(rateProblem(true, 'per_1m_tokens')).toBe('must be a decimal string such as "1.25", got boolean');
    expect(rateProblem({ usd: '1' }, 'per_1m_tokens')).toBe('must be a decimal string such as "1.25", got object');
    expect(problems(tokenPrice('m', { rates: { input: null, output: '2' } }))).toEqual([
      'rates.input: must be a decimal string such as "1.25", got null',
    ]);
  });
});

describe('entries without a provider', () => {
  const noProvider = (id: string): unknown => ({ ...(tokenPrice('orphan') as Price), id, provider: undefined });

  it('are reported, still checked for duplicates among themselves, and formatted without a provider', () => {
    const issues: ValidationIssue[] = validatePrices([noProvider('a'), noProvider('b')]);
    expect(issues.map((i) => `#${i.index} ${i.field}: ${i.problem}`)).toEqual([
      '#0 provider: missing or empty',
      '#1 provider: missing or empty',
      '#1 effectiveFrom: duplicate model+effectiveFrom (same as entry #0)',
    ]);
    expect(formatIssues(issues).split('\n')[0]).toBe('orphan [#0] provider: missing or empty');
    expect(formatIssues(validatePrices([tokenPrice('m', { currency: 'EUR' })]))).toBe('test/m [#0] currency: only USD is supported, got "EUR"');
  });
});
