/** Catalog resolution, layering, versioning and the fallback. */
import { describe, expect, it } from 'vitest';
import { attoToUsd } from '../../src/core/money.js';
import { PriceCatalog } from '../../src/pricing/catalog.js';
import { computeCost } from '../../src/pricing/cost.js';
import { modelCandidates, stripDateSuffix } from '../../src/pricing/resolve.js';
import type { Price } from '../../src/pricing/types.js';

const NOW = new Date('2026-08-01T00:00:00Z');

function dbPrice(model: string, input: string, extra: Partial<Price> = {}): Price {
  return {
    id: `db:${model}:${extra.effectiveFrom ?? '2026-07-25'}`,
    provider: extra.provider ?? 'openai',
    model,
    effectiveFrom: '2026-07-25',
    source: 'manual',
    currency: 'USD',
    billingModel: 'pay_per_use',
    unit: 'per_1m_tokens',
    rates: { input, output: '1' },
    ...extra,
  };
}

const inputRate = (catalog: PriceCatalog, provider: string, model: string, at = NOW): string =>
  attoToUsd(computeCost({ inputTokens: 1_000_000, outputTokens: 0 }, catalog.lookup(provider, model, at).price).total);

describe('resolution of a model id', () => {
  const catalog = new PriceCatalog({ aliases: [{ provider: 'xai', name: 'grok-3', aliases: ['grok-3-team', 'grok-3-beta'] }] });

  it('exact', () => {
    expect(catalog.lookup('openai', 'gpt-4o', NOW)).toMatchObject({
      source: 'builtin', resolvedModel: 'gpt-4o', resolution: 'exact', priceId: 'builtin:openai:gpt-4o:2026-07-24',
    });
  });

  it('a known alias (Model.aliases); an id with its own price is never re-routed by an alias', () => {
    expect(catalog.lookup('xai', 'grok-3-team', NOW)).toMatchObject({ resolvedModel: 'grok-3', resolution: 'alias' });
    expect(catalog.lookup('xai', 'grok-3-beta', NOW)).toMatchObject({ resolvedModel: 'grok-3-beta', resolution: 'exact' });
  });

  it('an OpenAI fine-tune id → the price of fine-tuning its base (ft:<base>), dated bases too', () => {
    expect(catalog.lookup('openai', 'ft:gpt-4o-mini-2024-07-18:acme:support-bot:9xYz1', NOW)).toMatchObject({
      resolvedModel: 'ft:gpt-4o-mini-2024-07-18', resolution: 'fine-tune', source: 'builtin',
    });
    expect(catalog.lookup('openai', 'ft:gpt-3.5-turbo-0125:acme::abc', NOW)).toMatchObject({ resolvedModel: 'ft:gpt-3.5-turbo', resolution: 'dated' });
    // Not a fine-tune of anything priced: the fallback, not the base model's cheaper price.
    expect(catalog.lookup('openai', 'ft:gpt-9:acme::abc', NOW)).toMatchObject({ resolution: 'fallback' });
    expect(modelCandidates('ft:', () => undefined)).toEqual([]);
  });

  it('-latest → family', () => {
    expect(catalog.lookup('xai', 'grok-4.3-latest', NOW)).toMatchObject({ resolvedModel: 'grok-4.3', resolution: 'latest' });
    // ... unless the catalog prices the -latest id itself (it differs from grok-4: 128k tier)
    expect(catalog.lookup('xai', 'grok-4-latest', NOW)).toMatchObject({ resolvedModel: 'grok-4-latest', resolution: 'exact' });
  });

  it('Gemini models/ prefix', () => {
    expect(catalog.lookup('gemini', 'models/gemini-2.5-flash', NOW)).toMatchObject({ resolvedModel: 'gemini-2.5-flash', resolution: 'prefix' });
  });

  it.each([
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['openai', 'o4-mini-2025-04-16', 'o4-mini'],
    ['openai', 'gpt-4o-20240806', 'gpt-4o'],
    ['openai', 'gpt-4.1-04-16', 'gpt-4.1'],
    ['xai', 'grok-code-fast-1-0825', 'grok-code-fast-1'],
    ['gemini', 'models/gemini-2.5-pro-06-2025', 'gemini-2.5-pro'],
  ])('dated %s/%s → %s', (provider, model, family) => {
    expect(catalog.lookup(provider, model, NOW)).toMatchObject({ resolvedModel: family, resolution: 'dated', source: 'builtin' });
  });

  it('a dated id the catalog prices itself resolves exactly (grok-4-0709 has the 128k tier)', () => {
    expect(catalog.lookup('xai', 'grok-4-0709', NOW)).toMatchObject({ resolvedModel: 'grok-4-0709', resolution: 'exact' });
  });

  it('unknown → the provider fallback, flagged and conservative', () => {
    const hit = catalog.lookup('openai', 'gpt-99-turbo', NOW);
    expect(hit).toMatchObject({ source: 'fallback', resolution: 'fallback', resolvedModel: 'gpt-99-turbo', priceId: 'fallback:openai' });
    expect(hit.price.source).toBe('fallback');
    // highest OpenAI built-in rates in any layer: o1-pro's input 150 and output 600 per 1M
    const c = computeCost({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, hit.price);
    expect(attoToUsd(c.total)).toBe('750');
    expect(catalog.lookup('mistral', 'large', NOW).priceId).toBe('fallback:*');
  });

  it('the configured fallback is a floor: it raises a provider above its dearest built-in, never lowers it', () => {
    const custom = new PriceCatalog({ fallback: { rates: { input: '20', output: '80' }, perProvider: { xai: { input: '7', output: '7' } } } });
    expect(inputRate(custom, 'openai', 'nope')).toBe('150'); // o1-pro's 150 beats the configured 20
    expect(inputRate(custom, 'xai', 'nope')).toBe('7'); // 7 beats xAI's dearest input (grok-4's 6 above 128k) ...
    const outputRate = (provider: string) => attoToUsd(computeCost({ inputTokens: 0, outputTokens: 1_000_000 }, custom.lookup(provider, 'nope', NOW).price).total);
    expect(outputRate('xai')).toBe('30'); // ... but not its dearest output (30)
    expect(outputRate('gemini')).toBe('80'); // the configured floor beats Gemini's dearest output (32.4, 3 Pro priority above 200k)
    expect(inputRate(custom, 'mistral', 'nope')).toBe('20'); // no built-ins: no known family to protect
  });

  it('a database price dearer than every built-in raises that provider\'s fallback; removing it lowers it again', () => {
    const catalog = new PriceCatalog({ fallback: { rates: { input: '15', output: '60' } } }); // the gateway's defaults
    expect(inputRate(catalog, 'xai', 'grok-99')).toBe('15'); // the configured floor beats xAI's dearest built-in input
    catalog.replaceDatabaseRows([dbPrice('grok-enterprise', '40', { provider: 'xai' })]);
    expect(inputRate(catalog, 'xai', 'grok-99')).toBe('40');
    expect(inputRate(catalog, 'openai', 'nope')).toBe('150'); // other providers untouched
    catalog.replaceDatabaseRows([]);
    expect(inputRate(catalog, 'xai', 'grok-99')).toBe('15');
  });

  it('candidates are generated in resolution order', () => {
    expect(stripDateSuffix('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(stripDateSuffix('gemini-2.5-flash-lite-preview-09-2025')).toBe('gemini-2.5-flash-lite-preview');
    expect(stripDateSuffix('gpt-5.4')).toBeUndefined();
    expect(modelCandidates('models/gemini-pro-latest', () => undefined).map((c) => `${c.resolution}:${c.model}`)).toEqual([
      'latest:models/gemini-pro',
      'prefix:gemini-pro-latest',
      'latest:gemini-pro',
    ]);
  });
});

describe('layers and versions', () => {
  it('the database layer beats the built-in; removing the row falls back to the built-in', () => {
    const catalog = new PriceCatalog({ databaseRows: [dbPrice('gpt-4o', '2')] });
    expect(catalog.lookup('openai', 'gpt-4o', NOW)).toMatchObject({ source: 'database', priceId: 'db:gpt-4o:2026-07-25' });
    expect(inputRate(catalog, 'openai', 'gpt-4o')).toBe('2');
    catalog.replaceDatabaseRows([]);
    expect(catalog.lookup('openai', 'gpt-4o', NOW).source).toBe('builtin');
    expect(inputRate(catalog, 'openai', 'gpt-4o')).toBe('2.5');
  });

  it('the database layer wins for every candidate spelling too', () => {
    const catalog = new PriceCatalog({ databaseRows: [dbPrice('gpt-4o', '2')] });
    expect(catalog.lookup('openai', 'gpt-4o-2024-11-20', NOW)).toMatchObject({ source: 'database', resolution: 'dated' });
  });

  it('a database row for a new model is served, and a cached miss is forgotten on replace', () => {
    const catalog = new PriceCatalog();
    expect(catalog.lookup('openai', 'gpt-7-2027-01-01', NOW).source).toBe('fallback');
    catalog.replaceDatabaseRows([dbPrice('gpt-7', '3')]);
    expect(catalog.lookup('openai', 'gpt-7-2027-01-01', NOW)).toMatchObject({ source: 'database', resolvedModel: 'gpt-7', resolution: 'dated' });
  });

  it('a row with a future effectiveFrom is not used now, and is used once `at` passes it', () => {
    const catalog = new PriceCatalog({
      databaseRows: [dbPrice('gpt-4o', '2'), dbPrice('gpt-4o', '3', { effectiveFrom: '2026-09-01' })],
    });
    expect(inputRate(catalog, 'openai', 'gpt-4o', NOW)).toBe('2');
    expect(inputRate(catalog, 'openai', 'gpt-4o', new Date('2026-09-01T00:00:00Z'))).toBe('3');
    expect(inputRate(catalog, 'openai', 'gpt-4o', new Date('2027-01-01T00:00:00Z'))).toBe('3');
  });

  it('effectiveTo closes a row; before the built-in date nothing is in force but the fallback', () => {
    const catalog = new PriceCatalog({ databaseRows: [dbPrice('gpt-4o', '2', { effectiveTo: '2026-08-15' })] });
    expect(inputRate(catalog, 'openai', 'gpt-4o', NOW)).toBe('2');
    expect(catalog.lookup('openai', 'gpt-4o', new Date('2026-08-15T00:00:00Z')).source).toBe('builtin');
    expect(catalog.lookup('openai', 'gpt-4o', new Date('2026-01-01T00:00:00Z')).source).toBe('fallback');
  });

  it('invalid database rows are skipped and reported; the valid ones are served', () => {
    const catalog = new PriceCatalog();
    const issues = catalog.replaceDatabaseRows([dbPrice('gpt-4o', '-2'), dbPrice('o3', '1')]);
    expect(issues).toEqual([expect.objectContaining({ model: 'gpt-4o', field: 'rates.input' })]);
    expect(catalog.lookup('openai', 'gpt-4o', NOW).source).toBe('builtin');
    expect(catalog.lookup('openai', 'o3', NOW).source).toBe('database');
  });

  it('invalid built-ins fail at construction', () => {
    expect(() => new PriceCatalog({ builtins: [dbPrice('x', 'oops')] })).toThrow(/rates.input/);
  });

  it('the resolution cache is bounded', () => {
    const catalog = new PriceCatalog({ resolutionCacheSize: 3 });
    for (let i = 0; i < 10; i++) catalog.lookup('openai', `unknown-${i}`, NOW);
    expect(catalog.sizes().resolutionCache).toBe(3);
    expect(catalog.lookup('openai', 'unknown-0', NOW).source).toBe('fallback');
  });
});
