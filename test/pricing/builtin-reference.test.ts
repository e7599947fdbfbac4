/**
 * Every built-in figure equals the reference catalog's figure for that field, compared
 * exactly after converting both to atto-USD per base unit; every priced field the catalog has
 * for a built-in model is carried (or deliberately left out, listed below); and every model of
 * the reference with token rates is priced: by a built-in of its own, through the catalog's
 * resolution to a built-in carrying every one of its figures (a dated or -latest id), or listed
 * in EXCLUDED with the reason it has none.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usdToAtto } from '../../src/core/money.js';
import { BUILTIN_PRICES, PriceCatalog } from '../../src/pricing/catalog.js';
import type { Price, RateKind, Rates } from '../../src/pricing/types.js';
import { rateToAttoPerBase } from '../../src/pricing/units.js';
import { validatePrices } from '../../src/pricing/validate.js';
import { KIND_KEY } from '../../src/sync/litellm.js';

// The team's shared reference folder sits beside the repository (as in CI).
const REFERENCE = fileURLToPath(new URL('../../../shared/reference/pricing', import.meta.url));
type Entry = Record<string, unknown>;
const catalog = JSON.parse(readFileSync(`${REFERENCE}/catalog_openai_gemini_xai.json`, 'utf8')) as Record<string, Entry>;
const flagship = JSON.parse(readFileSync(`${REFERENCE}/flagship_prices.json`, 'utf8')) as {
  models: Record<string, { usd_per_1M: Record<string, number> }>;
};

const SERVICE_SUFFIX = { flex: '_flex', priority: '_priority', batch: '_batches' } as const;
const ITEM_KEYS = { image: 'input_cost_per_image', second: 'input_cost_per_second', character: 'input_cost_per_character' } as const;

const INPUT_IMAGE = 'per INPUT image: the `image` item bills generated images and no usage counts input images';
const notCarried = (reason: string, models: readonly string[], fields: readonly string[]): [string, string][] =>
  models.flatMap((model) => fields.map((field): [string, string] => [`${model}:${field}`, reason]));

/** Catalog fields the built-ins deliberately do not carry (`<model>:<field>`), and why. */
const NOT_CARRIED: Readonly<Record<string, string>> = Object.fromEntries([
  ['whisper-1:output_cost_per_second', 'transcription bills the audio duration once (input per second)'],
  ['gpt-4o-mini-tts:output_cost_per_second', 'speech is billed by its tokens; the per-second figure estimates the same charge'],
  ...notCarried(INPUT_IMAGE, ['gpt-realtime', 'gpt-realtime-1.5', 'gpt-realtime-2', 'gpt-realtime-2.1', 'gpt-realtime-2.1-mini', 'gpt-realtime-mini-2025-10-06', 'gpt-realtime-mini-2025-12-15'], ['input_cost_per_image']),
  ...notCarried(INPUT_IMAGE, ['grok-2-vision', 'grok-vision-beta', 'gemini-embedding-2', 'gemini-embedding-2-preview'], ['input_cost_per_image']),
  ...notCarried(INPUT_IMAGE, ['gemini-3-pro-image', 'gemini-3-pro-image-preview', 'deep-research-pro-preview-12-2025'], ['input_cost_per_image']),
  ...notCarried('$0 per character and per image beside the $0 token rates: nothing to bill, and no usage counts them', ['gemma-3-27b-it'], [
    'input_cost_per_character',
    'input_cost_per_character_above_128k_tokens',
    'input_cost_per_image',
    'input_cost_per_image_above_128k_tokens',
  ]),
]);

const EXPERIMENTAL_FREE =
  'an experimental id listed at $0: a $0 built-in would make it free and unbudgeted should the id ever be billed; it stays on the flagged fallback';
const PER_ITEM_ONLY =
  'billed per generated item (output_cost_per_image), which no Gemini usage counts; its $0 token rates would make every call free, so it stays on the flagged fallback';

/** Reference models with token rates that deliberately have no built-in, and why. */
const EXCLUDED: Readonly<Record<string, string>> = {
  'gemini/gemini-exp-1114': EXPERIMENTAL_FREE,
  'gemini/gemini-exp-1206': EXPERIMENTAL_FREE,
  'gemini/learnlm-1.5-pro-experimental': EXPERIMENTAL_FREE,
  'gemini/lyria-3-clip-preview': PER_ITEM_ONLY,
  'gemini/lyria-3-pro-preview': `${PER_ITEM_ONLY} (music clips; the reference gives no item price at all)`,
  'gemini/gemini-2.0-flash-exp-image-generation': PER_ITEM_ONLY,
};

/** Whole groups of reference keys that are not Tollgate's to price, and why. */
function excludedByRule(key: string, entry: Entry): string | undefined {
  if (entry.litellm_provider === 'vertex_ai-language-models') {
    return 'a Vertex AI list price: the gemini adapter calls the Gemini Developer API, priced by the gemini/ entries';
  }
  if (entry.litellm_provider === 'gemini' && !key.startsWith('gemini/')) {
    return catalog[`gemini/${key}`] ? `an un-prefixed duplicate of gemini/${key}, which is the entry carried` : undefined;
  }
  return undefined;
}

const catalogKey = (p: Price): string => (p.provider === 'openai' ? p.model : `${p.provider}/${p.model}`);

/** atto per token of a catalog per-token float, exact via its shortest decimal text. */
const catalogAtto = (value: unknown): bigint => usdToAtto(value as number);

/** Every (catalog key, atto per base unit) pair a built-in price claims. */
function claims(price: Price): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const put = (rates: Rates | undefined, suffix: string): void => {
    for (const [kind, rate] of Object.entries(rates ?? {}) as [RateKind, string][]) {
      out.set(`${KIND_KEY[kind]}${suffix}`, rateToAttoPerBase(rate, price.unit));
    }
  };
  put(price.rates, '');
  for (const [name, rates] of Object.entries(price.serviceTiers ?? {})) {
    put(rates, SERVICE_SUFFIX[name as keyof typeof SERVICE_SUFFIX]);
  }
  for (const tier of price.tiers ?? []) {
    const above = `_above_${tier.aboveInputTokens / 1000}k_tokens`;
    put(tier.rates, above);
    for (const [name, rates] of Object.entries(tier.serviceTiers ?? {})) {
      put(rates, `${above}${SERVICE_SUFFIX[name as keyof typeof SERVICE_SUFFIX]}`);
    }
  }
  for (const item of price.itemRates ?? []) {
    const key = ITEM_KEYS[item.kind as keyof typeof ITEM_KEYS];
    if (key) out.set(key, rateToAttoPerBase(item.rate, item.unit));
  }
  return out;
}

/** Catalog cost fields of the shapes the built-ins model (per token / image / second / character). */
const MODELLED = /^(input_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|output_cost_per_token|output_cost_per_reasoning_token|input_cost_per_audio_token|output_cost_per_audio_token|input_cost_per_image_token|output_cost_per_image_token|input_cost_per_image|input_cost_per_second|output_cost_per_second|input_cost_per_character)(_above_\d+k_tokens)?(_flex|_priority|_batches)?$/;

describe('built-in prices against the reference catalog', () => {
  it('are valid and all dated 2026-07-24, source builtin', () => {
    expect(validatePrices(BUILTIN_PRICES)).toEqual([]);
    for (const price of BUILTIN_PRICES) {
      expect(price.effectiveFrom).toBe('2026-07-24');
      expect(price.source).toBe('builtin');
    }
  });

  for (const price of BUILTIN_PRICES) {
    it(`${price.provider}/${price.model}: every figure equals the catalog, every catalog figure is carried`, () => {
      const entry = catalog[catalogKey(price)];
      expect(entry, `catalog has ${catalogKey(price)}`).toBeDefined();
      const claimed = claims(price);
      for (const [key, atto] of claimed) {
        expect(entry![key], `${price.model}: catalog field ${key}`).toBeDefined();
        expect(atto, `${price.model}: ${key}`).toBe(catalogAtto(entry![key]));
      }
      for (const key of Object.keys(entry!)) {
        if (!MODELLED.test(key) || claimed.has(key) || NOT_CARRIED[`${price.model}:${key}`]) continue;
        expect.fail(`${price.model}: catalog field ${key} = ${String(entry![key])} is not carried`);
      }
    });
  }

  it('agree with flagship_prices.json (USD per 1M) wherever the flagship file lists the model', () => {
    let compared = 0;
    for (const price of BUILTIN_PRICES) {
      const flag = flagship.models[catalogKey(price)];
      if (!flag) continue;
      const claimed = claims(price);
      for (const [key, perMillion] of Object.entries(flag.usd_per_1M)) {
        const atto = claimed.get(key);
        expect(atto, `${price.model}: flagship field ${key}`).toBeDefined();
        // per 1M → per token: exact because usdToAtto(perMillion) is a multiple of 1e6 here
        expect(atto! * 1_000_000n, `${price.model}: ${key}`).toBe(usdToAtto(perMillion));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('every reference model with token rates is priced', () => {
  const builtins = new PriceCatalog({ builtins: BUILTIN_PRICES });
  const has = (provider: string, model: string): boolean => BUILTIN_PRICES.some((p) => p.provider === provider && p.model === model);
  const tokenPriced = Object.entries(catalog).filter(([, e]) => 'input_cost_per_token' in e || 'output_cost_per_token' in e);
  const idOf = (key: string, entry: Entry): { provider: string; model: string } => {
    const provider = entry.litellm_provider as string;
    return { provider, model: key.startsWith(`${provider}/`) ? key.slice(provider.length + 1) : key };
  };

  /** Why `key` is not priced right, or undefined when it is. */
  function problem(key: string, entry: Entry): string | undefined {
    if (EXCLUDED[key] !== undefined || excludedByRule(key, entry) !== undefined) return undefined;
    const { provider, model } = idOf(key, entry);
    if (has(provider, model)) return undefined; // its figures are checked one by one above
    const hit = builtins.lookup(provider, model);
    if (hit.source !== 'builtin') return `${key}: no built-in, and the catalog prices it by the ${hit.source}`;
    const claimed = claims(hit.price.price);
    for (const field of Object.keys(entry).filter((f) => MODELLED.test(f))) {
      if (NOT_CARRIED[`${hit.resolvedModel}:${field}`] ?? NOT_CARRIED[`${model}:${field}`]) continue;
      if (claimed.get(field) !== catalogAtto(entry[field])) {
        return `${key}: no built-in; it resolves (${hit.resolution}) to ${hit.resolvedModel}, whose ${field} is not the catalog's ${String(entry[field])}`;
      }
    }
    return undefined;
  }

  it(`all ${tokenPriced.length} of them: by their own built-in, through resolution to one with every figure, or excluded with a reason`, () => {
    expect(tokenPriced.length).toBeGreaterThan(250);
    expect(tokenPriced.map(([key, entry]) => problem(key, entry)).filter(Boolean)).toEqual([]);
  });

  it('the ids the audit found under-charged have built-ins of their own, at their list prices', () => {
    const perMillion = (model: string) => BUILTIN_PRICES.find((p) => p.provider === 'openai' && p.model === model)?.rates;
    expect(perMillion('o3-pro')).toMatchObject({ input: '20', output: '80' });
    expect(perMillion('gpt-5-pro')).toMatchObject({ input: '15', output: '120' });
    expect(perMillion('gpt-5.2-pro')).toMatchObject({ input: '21', output: '168' });
    expect(perMillion('gpt-5.4-pro')).toMatchObject({ input: '30', output: '180' });
    expect(perMillion('gpt-5.5-pro')).toMatchObject({ input: '30', output: '180' });
    expect(perMillion('o1-pro')).toMatchObject({ input: '150', output: '600' });
  });

  it('every exclusion is in the reference, has a reason, and is still needed (no built-in appeared)', () => {
    for (const [key, reason] of Object.entries(EXCLUDED)) {
      const entry = catalog[key];
      expect(entry, key).toBeDefined();
      expect(reason.length, key).toBeGreaterThan(20);
      const { provider, model } = idOf(key, entry!);
      expect(has(provider, model), `${key} has a built-in now: drop its exclusion`).toBe(false);
    }
    // An un-prefixed Gemini duplicate is excused only because its gemini/ twin is priced.
    for (const [key, entry] of tokenPriced) {
      if (entry.litellm_provider !== 'gemini' || key.startsWith('gemini/')) continue;
      expect(has('gemini', key) || EXCLUDED[`gemini/${key}`] !== undefined, `${key}: its twin gemini/${key} is priced or excluded`).toBe(true);
    }
  });

  it('a dated id whose figures differ from its family has its own built-in (gpt-4o-2024-05-13 is not gpt-4o)', () => {
    expect(builtins.lookup('openai', 'gpt-4o-2024-05-13')).toMatchObject({ resolution: 'exact', source: 'builtin' });
    expect(builtins.lookup('openai', 'gpt-4o-2024-08-06')).toMatchObject({ resolution: 'dated', resolvedModel: 'gpt-4o' });
  });
});
