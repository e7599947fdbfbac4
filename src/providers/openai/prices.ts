/**
 * OpenAI built-in list prices, effective 2026-07-24. DATA ONLY.
 *
 * Source: /work/shared/reference/pricing (LiteLLM catalog, BerriAI/litellm, MIT, as mirrored
 * 2026-07-24; flagship_prices.json for the per-1M view). Token rates are USD per 1M tokens,
 * copied exactly; test/pricing/builtin-reference.test.ts checks every figure against the JSON.
 * Field map: input_cost_per_token → input, cache_read_input_token_cost → cachedInput,
 * cache_creation_input_token_cost → cacheWrite, *_audio_token → audio*, *_image_token →
 * image*, *_above_272k_tokens → tiers, *_flex / *_priority / *_batches → serviceTiers.
 *
 * Known gaps and oddities in the reference, kept as found (not "fixed" here):
 * - gpt-5-nano: input_cost_per_token_priority is 2.5 (50× the standard 0.05) and there is no
 *   priority output or cached rate; those kinds keep their standard rate under priority.
 * - gpt-5.4: cache_read_input_token_cost_flex is 0.13, not half of 0.25.
 * - gpt-5.4/5.5/5.6 price the 272k tier and the service tiers separately but never their
 *   combination; cost.ts then takes the higher rate and flags it.
 * - gpt-image-1 has no text output_cost_per_token (its output is image tokens).
 * - whisper-1 also lists output_cost_per_second = 0.0001; transcription is billed on the
 *   audio duration once, so only the input per-second rate is used ($0.006 per minute).
 */
import { builtinPrice } from '../../pricing/builtin.js';
import type { Price } from '../../pricing/types.js';

const P = 'openai';

export const builtinPrices: readonly Price[] = Object.freeze([
  // ---- GPT-5 family (max input 272k for 5/5.1/5.2: no long-context tier in the reference)
  builtinPrice(P, 'gpt-5', {
    rates: { input: '1.25', cachedInput: '0.125', output: '10' },
    serviceTiers: {
      flex: { input: '0.625', cachedInput: '0.0625', output: '5' },
      priority: { input: '2.5', cachedInput: '0.25', output: '20' },
    },
  }),
  builtinPrice(P, 'gpt-5-mini', {
    rates: { input: '0.25', cachedInput: '0.025', output: '2' },
    serviceTiers: {
      flex: { input: '0.125', cachedInput: '0.0125', output: '1' },
      priority: { input: '0.45', cachedInput: '0.045', output: '3.6' },
    },
  }),
  builtinPrice(P, 'gpt-5-nano', {
    rates: { input: '0.05', cachedInput: '0.005', output: '0.4' },
    serviceTiers: {
      flex: { input: '0.025', cachedInput: '0.0025', output: '0.2' },
      priority: { input: '2.5' },
    },
  }),
  builtinPrice(P, 'gpt-5.1', {
    rates: { input: '1.25', cachedInput: '0.125', output: '10' },
    serviceTiers: { priority: { input: '2.5', cachedInput: '0.25', output: '20' } },
  }),
  builtinPrice(P, 'gpt-5.2', {
    rates: { input: '1.75', cachedInput: '0.175', output: '14' },
    serviceTiers: { priority: { input: '3.5', cachedInput: '0.35', output: '28' } },
  }),
  builtinPrice(P, 'gpt-5.4', {
    rates: { input: '2.5', cachedInput: '0.25', output: '15' },
    tiers: [{ aboveInputTokens: 272_000, rates: { input: '5', cachedInput: '0.5', output: '22.5' } }],
    serviceTiers: {
      flex: { input: '1.25', cachedInput: '0.13', output: '7.5' },
      priority: { input: '5', cachedInput: '0.5', output: '30' },
      batch: { input: '1.25', output: '7.5' },
    },
  }),
  builtinPrice(P, 'gpt-5.5', {
    rates: { input: '5', cachedInput: '0.5', output: '30' },
    tiers: [{ aboveInputTokens: 272_000, rates: { input: '10', cachedInput: '1', output: '45' } }],
    serviceTiers: {
      flex: { input: '2.5', cachedInput: '0.25', output: '15' },
      priority: { input: '10', cachedInput: '1', output: '60' },
      batch: { input: '2.5', output: '15' },
    },
  }),
  builtinPrice(P, 'gpt-5.6', {
    rates: { input: '5', cachedInput: '0.5', cacheWrite: '6.25', output: '30' },
    tiers: [
      { aboveInputTokens: 272_000, rates: { input: '10', cachedInput: '1', cacheWrite: '12.5', output: '45' } },
    ],
    serviceTiers: {
      flex: { input: '2.5', cachedInput: '0.25', cacheWrite: '3.125', output: '15' },
      priority: { input: '10', cachedInput: '1', cacheWrite: '12.5', output: '60' },
      batch: { input: '2.5', output: '15' },
    },
  }),

  // ---- GPT-4.1 and GPT-4o families
  builtinPrice(P, 'gpt-4.1', {
    rates: { input: '2', cachedInput: '0.5', output: '8' },
    serviceTiers: {
      priority: { input: '3.5', cachedInput: '0.875', output: '14' },
      batch: { input: '1', output: '4' },
    },
  }),
  builtinPrice(P, 'gpt-4.1-mini', {
    rates: { input: '0.4', cachedInput: '0.1', output: '1.6' },
    serviceTiers: {
      priority: { input: '0.7', cachedInput: '0.175', output: '2.8' },
      batch: { input: '0.2', output: '0.8' },
    },
  }),
  builtinPrice(P, 'gpt-4.1-nano', {
    rates: { input: '0.1', cachedInput: '0.025', output: '0.4' },
    serviceTiers: {
      priority: { input: '0.2', cachedInput: '0.05', output: '0.8' },
      batch: { input: '0.05', output: '0.2' },
    },
  }),
  builtinPrice(P, 'gpt-4o', {
    rates: { input: '2.5', cachedInput: '1.25', output: '10' },
    serviceTiers: {
      priority: { input: '4.25', cachedInput: '2.125', output: '17' },
      batch: { input: '1.25', output: '5' },
    },
  }),
  builtinPrice(P, 'gpt-4o-mini', {
    rates: { input: '0.15', cachedInput: '0.075', output: '0.6' },
    serviceTiers: {
      priority: { input: '0.25', cachedInput: '0.125', output: '1' },
      batch: { input: '0.075', output: '0.3' },
    },
  }),

  // ---- o-series reasoning models (reasoning tokens bill at the output rate)
  builtinPrice(P, 'o3', {
    rates: { input: '2', cachedInput: '0.5', output: '8' },
    serviceTiers: {
      flex: { input: '1', cachedInput: '0.25', output: '4' },
      priority: { input: '3.5', cachedInput: '0.875', output: '14' },
    },
  }),
  builtinPrice(P, 'o4-mini', {
    rates: { input: '1.1', cachedInput: '0.275', output: '4.4' },
    serviceTiers: {
      flex: { input: '0.55', cachedInput: '0.1375', output: '2.2' },
      priority: { input: '2', cachedInput: '0.5', output: '8' },
    },
  }),

  // ---- Embeddings (output is free)
  builtinPrice(P, 'text-embedding-3-small', {
    rates: { input: '0.02', output: '0' },
    serviceTiers: { batch: { input: '0.01', output: '0' } },
  }),
  builtinPrice(P, 'text-embedding-3-large', {
    rates: { input: '0.13', output: '0' },
    serviceTiers: { batch: { input: '0.065', output: '0' } },
  }),

  // ---- Images: gpt-image-1 by tokens, dall-e-3 per image (standard 1024×1024)
  builtinPrice(P, 'gpt-image-1', {
    rates: { input: '5', cachedInput: '1.25', imageInput: '10', imageOutput: '40' },
  }),
  builtinPrice(P, 'dall-e-3', {
    unit: 'per_image',
    itemRates: [{ kind: 'image', unit: 'per_image', rate: '0.04' }],
  }),

  // ---- Audio: audio tokens (chat), per second (whisper), per character (tts)
  builtinPrice(P, 'gpt-4o-audio-preview', {
    rates: { input: '2.5', audioInput: '40', output: '10', audioOutput: '80' },
  }),
  builtinPrice(P, 'gpt-4o-mini-audio-preview', {
    rates: { input: '0.15', audioInput: '10', output: '0.6', audioOutput: '20' },
  }),
  builtinPrice(P, 'gpt-4o-transcribe', {
    rates: { input: '2.5', audioInput: '2.5', output: '10' },
  }),
  builtinPrice(P, 'whisper-1', {
    unit: 'per_minute',
    itemRates: [{ kind: 'second', unit: 'per_minute', rate: '0.006' }],
  }),
  builtinPrice(P, 'tts-1', {
    unit: 'per_1k_characters',
    itemRates: [{ kind: 'character', unit: 'per_1k_characters', rate: '0.015' }],
  }),
  builtinPrice(P, 'tts-1-hd', {
    unit: 'per_1k_characters',
    itemRates: [{ kind: 'character', unit: 'per_1k_characters', rate: '0.03' }],
  }),
]);
