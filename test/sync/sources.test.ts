// Pure parts of sync: exact decimals, the LiteLLM reader against the team's reference catalog,
// xAI ticks, page text, confidence scoring and the diff's exact percentages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES, type Price } from '../../src/pricing/index.js';
import { chooseDiscovered, scoreDiscovered } from '../../src/sync/confidence.js';
import { exceedsPercent, formatPercent, literalToPlain, parsePercent, percentHundredths, perTokenToPer1M } from '../../src/sync/decimal.js';
import { diffPrices } from '../../src/sync/diff.js';
import { parseLiteLlmCatalog } from '../../src/sync/litellm.js';
import { pageToText } from '../../src/sync/page-text.js';
import { mergeDiscovered } from '../../src/sync/plan.js';
import type { DiscoveredPrice } from '../../src/sync/types.js';
import { parseLanguageModels, ticksToPer1M } from '../../src/sync/xai-language-models.js';

const REFERENCE = fileURLToPath(new URL('../../../shared/reference/', import.meta.url));
const builtinOf = (provider: string, model: string): Price | undefined => BUILTIN_PRICES.find((p) => p.provider === provider && p.model === model);

describe('exact decimals', () => {
  it('moves the decimal point of JSON literals without a float', () => {
    expect(['2.5e-06', '1.1e-06', '3.75e-07', '1e-5', '1.5E+2', '0012.50', '0.0', '15'].map(literalToPlain)).toEqual(['0.0000025', '0.0000011', '0.000000375', '0.00001', '150', '12.5', '0', '15']);
    expect(perTokenToPer1M('2.125e-06')).toBe('2.125');
    // Finer than 1e-18 USD per token: refused, never rounded (the catalog reader reports it as a problem).
    expect(() => perTokenToPer1M('1.0000000000000002e-06')).toThrow(/finer than 1e-18/);
  });

  it('percent changes and the threshold are exact integers', () => {
    const twenty = parsePercent('20');
    expect(exceedsPercent(100n, 120n, twenty)).toBe(false);
    expect(exceedsPercent(100n, 80n, twenty)).toBe(false);
    expect(exceedsPercent(1_000_000_000n, 1_200_000_001n, twenty)).toBe(true);
    expect(exceedsPercent(0n, 1n, twenty)).toBe(true);
    expect(formatPercent(percentHundredths(150n, 180n))).toBe('+20.00%');
    expect(formatPercent(percentHundredths(3n, 1n))).toBe('-66.66%');
    expect(formatPercent(percentHundredths(0n, 1n))).toBe('new');
  });
});

describe('LiteLLM catalog reader', () => {
  const text = readFileSync(`${REFERENCE}pricing/catalog_openai_gemini_xai.json`, 'utf8');
  const found = parseLiteLlmCatalog(text, 'litellm reference');

  it('reproduces every token-priced built-in exactly: no effective change after the merge', () => {
    let compared = 0;
    for (const builtin of BUILTIN_PRICES.filter((p) => p.unit === 'per_1m_tokens')) {
      const price = found.find((p) => p.provider === builtin.provider && p.model === builtin.model);
      expect(price, `${builtin.provider}/${builtin.model} in the catalog`).toBeDefined();
      expect(price!.problems).toEqual([]);
      const merged = mergeDiscovered(price!, builtin, 'id', '2026-11-01T00:00:00.000Z');
      expect(diffPrices(builtin, merged, parsePercent('0')).changes, `${builtin.model}`).toEqual([]);
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('keeps only our providers, names models without the provider prefix, and reads tiers and service tiers', () => {
    expect(new Set(found.map((p) => p.provider))).toEqual(new Set(['openai', 'gemini', 'xai']));
    const pro = found.find((p) => p.model === 'gemini-2.5-pro' && p.provider === 'gemini')!;
    expect(pro.tiers?.[0]).toMatchObject({ aboveInputTokens: 200000, rates: { input: '2.5', output: '15' } });
    const gpt4o = found.find((p) => p.model === 'gpt-4o' && p.provider === 'openai')!;
    expect(gpt4o.serviceTiers?.priority).toEqual({ input: '4.25', cachedInput: '2.125', output: '17' });
    expect(found.some((p) => p.model.startsWith('gemini/') || p.model.startsWith('xai/'))).toBe(false);
  });

  it('agreeing with the built-in earns 0.9; a broken figure or a non-catalog is reported', () => {
    const some = found.filter((p) => ['gpt-4o', 'grok-3'].includes(p.model));
    scoreDiscovered(some, builtinOf);
    expect(some.map((p) => p.confidence)).toEqual([0.9, 0.9]);
    const bad = parseLiteLlmCatalog('{"m": {"litellm_provider": "openai", "input_cost_per_token": "lots", "output_cost_per_token": 1e-6}}', 'x');
    expect(bad[0]!.problems).toEqual(['input_cost_per_token: not a decimal number: "lots"']);
    expect(() => parseLiteLlmCatalog('[1, 2]', 'x')).toThrow(/not a LiteLLM catalog/);
  });
});

describe('xAI language-models', () => {
  it('converts ticks (USD cents per 100M tokens) exactly, as in the reference example', () => {
    const reference = JSON.parse(readFileSync(`${REFERENCE}wire/xai_language_models.json`, 'utf8'));
    const [grok3] = parseLanguageModels(reference, 'ref');
    expect(grok3).toMatchObject({ provider: 'xai', model: 'grok-3', rates: { input: '3', cachedInput: '0.75', output: '15' }, problems: [] });
    expect(ticksToPer1M(12500)).toBe('1.25');
    expect(ticksToPer1M(1)).toBe('0.0001');
    expect(() => ticksToPer1M(-5)).toThrow(/negative/);
  });
});

describe('pricing page text', () => {
  it('drops scripts and markup, one table row per line with tab-separated cells', () => {
    const html = '<!doctype html><html><head><title>Prices</title><script>var x = "$999";</script></head><body><h1>API &amp; more</h1>' +
      '<table><tr><th>Model</th><th>Input</th></tr><tr><td><b>gpt-4o</b></td><td>$2.50&nbsp;/ 1M</td></tr></table></body></html>';
    expect(pageToText(html)).toBe('Prices\nAPI & more\nModel\tInput\ngpt-4o\t$2.50 / 1M');
    expect(pageToText('plain  text\n\n  gpt-4o   $1 ')).toBe('plain text\ngpt-4o $1');
  });
});

describe('confidence', () => {
  const d = (source: DiscoveredPrice['source'], rates: DiscoveredPrice['rates'], model = 'gpt-4o'): DiscoveredPrice => ({ provider: 'openai', model, source, origin: source, rates, problems: [], confidence: 0, reasons: [] });

  it('rises with agreement between independent sources and with the built-in; is 0 on insane figures', () => {
    const ai = d('ai', { input: '3', output: '12' });
    const catalog = d('litellm', { input: '3', output: '12' });
    const alone = d('ai', { input: '2.5', cachedInput: '1.25', output: '10' }, 'gpt-4o-mini');
    const insane = d('ai', { input: '2.5', cachedInput: '3', output: '10' }, 'o3');
    scoreDiscovered([ai, catalog, alone, insane], builtinOf);
    expect([ai.confidence, catalog.confidence, alone.confidence, insane.confidence]).toEqual([0.8, 0.9, 0.7, 0]);
    expect(insane.reasons).toEqual(['cached input 3 dearer than input 2.5']);
    const { chosen, rejected } = chooseDiscovered([ai, catalog, alone, insane], 0.8);
    expect(chosen.get('openai/gpt-4o')).toBe(catalog);
    expect(rejected).toEqual([alone, insane]);
  });
});
