/**
 * Every built-in figure equals the reference catalog's figure for that field, compared
 * exactly after converting both to atto-USD per base unit; and every priced field the
 * catalog has for a built-in model is carried (or deliberately left out, listed below).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { usdToAtto } from '../../src/core/money.js';
import { BUILTIN_PRICES } from '../../src/pricing/catalog.js';
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

/** Catalog fields the built-ins deliberately do not carry, and why. */
const NOT_CARRIED: Readonly<Record<string, string>> = {
  'whisper-1:output_cost_per_second': 'transcription bills the audio duration once (input per second)',
};

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
