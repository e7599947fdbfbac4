/**
 * Google Gemini (Developer API) built-in list prices, effective 2026-07-24. DATA ONLY.
 *
 * Source: /work/shared/reference/pricing, the `gemini/<model>` entries of the LiteLLM catalog
 * (the un-prefixed `vertex_ai-language-models` entries are Vertex AI prices and differ in
 * places, e.g. gemini-flash-latest's cached rate). USD per 1M tokens, copied exactly;
 * test/pricing/builtin-reference.test.ts checks every figure against the JSON.
 *
 * Thinking tokens (thoughtsTokenCount) bill at output_cost_per_reasoning_token where the
 * catalog has one, else at the output rate (cost.ts). Tool-use prompt tokens bill at input.
 * `*_above_200k_tokens` → a 200k tier on the whole request; `*_above_200k_tokens_priority`
 * → that tier's own priority rates.
 *
 * Known gaps in the reference, kept as found:
 * - gemini-2.5-pro lists priority rates equal to its standard ones.
 * - gemini-3-pro-preview (deprecated 2026-03-09 per the catalog) and gemini-3.1-pro-preview
 *   have batch rates but no above-200k batch rates; cost.ts takes the higher rate, flagged.
 * - No cache-write (context caching storage) prices for any Gemini API model.
 * - Audio input rates are not given for every service tier (only gemini-3-flash-preview and
 *   gemini-3.5-flash name a priority audio rate); elsewhere audio keeps its standard rate.
 * - Service tiers: a Gemini API request names none (no service-tier field in the reference
 *   wire format), so the priority and flex rates are reference data that no proxied call
 *   uses, and batch rates belong to the Batch API, which Tollgate passes through unpriced.
 * - Per INPUT image, per-second audio/video and per-query search figures (input_cost_per_image,
 *   *_per_second, search_context_cost_per_query) and output_cost_per_image (also priced as
 *   image tokens) are not counted by any usage: not carried. output_cost_per_video_token
 *   (gemini-omni-flash-preview) has no usage kind either.
 * - gemini-1.5-flash is listed with mode "embedding", output 0 and a 128k input tier; kept.
 * - gemini-robotics-er-1.5-preview lists cached input at 0; kept as found.
 * - Experimental ids listed at $0 (gemini-exp-*, learnlm-1.5-pro-experimental) and the
 *   per-clip/per-image generators with $0 token rates (lyria-3-*, gemini-2.0-flash-exp-image-
 *   generation) get no built-in: a $0 price would make them free and unbudgeted. They stay on
 *   the flagged fallback (reasons in test/pricing/builtin-reference.test.ts).
 */
import { builtinPrice, type BuiltinSpec } from '../../pricing/builtin.js';
import type { Price } from '../../pricing/types.js';

const P = 'gemini';

/** One price under several ids the reference lists with identical figures. */
const each = (models: readonly string[], spec: BuiltinSpec): Price[] => models.map((model) => builtinPrice(P, model, spec));

const deprecated = (date: string): string => `deprecation_date ${date} in the reference catalog`;

const GEMINI_3_1_PRO: BuiltinSpec = {
  rates: { input: '2', cachedInput: '0.2', output: '12' },
  tiers: [
    {
      aboveInputTokens: 200_000,
      rates: { input: '4', cachedInput: '0.4', output: '18' },
      serviceTiers: { priority: { input: '7.2', cachedInput: '0.72', output: '32.4' } },
    },
  ],
  serviceTiers: {
    priority: { input: '3.6', cachedInput: '0.36', output: '21.6' },
    batch: { input: '1', output: '6' },
  },
};

export const builtinPrices: readonly Price[] = Object.freeze([
  // ---- 2.5 family
  builtinPrice(P, 'gemini-2.5-pro', {
    rates: { input: '1.25', cachedInput: '0.125', output: '10' },
    tiers: [
      {
        aboveInputTokens: 200_000,
        rates: { input: '2.5', cachedInput: '0.25', output: '15' },
        serviceTiers: { priority: { input: '2.5', output: '15' } },
      },
    ],
    serviceTiers: { priority: { input: '1.25', output: '10' } },
  }),
  builtinPrice(P, 'gemini-2.5-flash', {
    rates: { input: '0.3', cachedInput: '0.03', audioInput: '1', output: '2.5', reasoning: '2.5' },
  }),
  builtinPrice(P, 'gemini-2.5-flash-lite', {
    rates: { input: '0.1', cachedInput: '0.01', audioInput: '0.3', output: '0.4', reasoning: '0.4' },
  }),

  // ---- 3 family
  // The same list prices as gemini-3.1-pro.
  builtinPrice(P, 'gemini-3-pro-preview', {
    ...GEMINI_3_1_PRO,
    note: 'deprecation_date 2026-03-09 in the reference catalog',
  }),
  ...each(['gemini-3.1-pro-preview', 'gemini-3.1-pro-preview-customtools'], GEMINI_3_1_PRO),
  builtinPrice(P, 'gemini-3-flash-preview', {
    rates: { input: '0.5', cachedInput: '0.05', audioInput: '1', output: '3', reasoning: '3' },
    serviceTiers: {
      priority: { input: '0.9', cachedInput: '0.09', audioInput: '1.8', output: '5.4' },
    },
  }),
  builtinPrice(P, 'gemini-3.1-flash-lite', {
    rates: { input: '0.25', cachedInput: '0.025', audioInput: '0.5', output: '1.5', reasoning: '1.5' },
    serviceTiers: {
      flex: { input: '0.125', cachedInput: '0.0125', output: '0.75' },
      priority: { input: '0.45', cachedInput: '0.045', output: '2.7' },
      batch: { input: '0.125', output: '0.75' },
    },
  }),
  builtinPrice(P, 'gemini-3.5-flash', {
    rates: { input: '1.5', cachedInput: '0.15', audioInput: '1', output: '9', reasoning: '9' },
    serviceTiers: {
      priority: { input: '2.7', cachedInput: '0.27', audioInput: '1.8', output: '16.2' },
    },
  }),
  builtinPrice(P, 'gemini-3.5-flash-lite', {
    rates: { input: '0.3', cachedInput: '0.03', output: '2.5', reasoning: '2.5' },
    serviceTiers: {
      flex: { input: '0.15', cachedInput: '0.02', output: '1.25' },
      priority: { input: '0.54', cachedInput: '0.05', output: '4.5' },
      batch: { input: '0.15', output: '1.25' },
    },
  }),
  builtinPrice(P, 'gemini-3.6-flash', {
    rates: { input: '1.5', cachedInput: '0.15', output: '7.5', reasoning: '7.5' },
    serviceTiers: {
      flex: { input: '0.75', cachedInput: '0.075', output: '3.75' },
      priority: { input: '2.7', cachedInput: '0.27', output: '13.5' },
      batch: { input: '0.75', output: '3.75' },
    },
  }),

  // ---- Moving aliases the API serves under their own names (priced separately in the catalog)
  builtinPrice(P, 'gemini-flash-latest', {
    rates: { input: '0.3', cachedInput: '0.075', audioInput: '1', output: '2.5', reasoning: '2.5' },
  }),
  builtinPrice(P, 'gemini-flash-lite-latest', {
    rates: { input: '0.1', cachedInput: '0.025', audioInput: '0.3', output: '0.4', reasoning: '0.4' },
  }),
  builtinPrice(P, 'gemini-pro-latest', {
    rates: { input: '1.25', cachedInput: '0.125', output: '10' },
    tiers: [{ aboveInputTokens: 200_000, rates: { input: '2.5', cachedInput: '0.25', output: '15' } }],
  }),

  // ---- Embeddings (output is free)
  builtinPrice(P, 'gemini-embedding-001', {
    rates: { input: '0.15', output: '0' },
  }),
  ...each(['gemini-embedding-2', 'gemini-embedding-2-preview'], { rates: { input: '0.2', output: '0' } }),
  builtinPrice(P, 'gemini-1.5-flash', {
    rates: { input: '0.075', output: '0' },
    tiers: [{ aboveInputTokens: 128_000, rates: { input: '0.15' } }],
    note: deprecated('2025-09-29'),
  }),

  // ---- 2.0 family and 2.5 previews
  ...each(['gemini-2.0-flash', 'gemini-2.0-flash-001'], {
    rates: { input: '0.1', cachedInput: '0.025', audioInput: '0.7', output: '0.4' },
    note: deprecated('2026-06-01'),
  }),
  ...each(['gemini-2.0-flash-lite', 'gemini-2.0-flash-lite-001'], {
    rates: { input: '0.075', cachedInput: '0.01875', audioInput: '0.075', output: '0.3' },
    note: deprecated('2026-06-01'),
  }),
  builtinPrice(P, 'gemini-2.5-flash-preview-09-2025', {
    rates: { input: '0.3', cachedInput: '0.075', audioInput: '1', output: '2.5', reasoning: '2.5' },
  }),
  builtinPrice(P, 'gemini-2.5-flash-lite-preview-09-2025', {
    rates: { input: '0.1', cachedInput: '0.01', audioInput: '0.3', output: '0.4', reasoning: '0.4' },
  }),
  builtinPrice(P, 'gemini-2.5-flash-lite-preview-06-17', {
    rates: { input: '0.1', cachedInput: '0.025', audioInput: '0.5', output: '0.4', reasoning: '0.4' },
    note: deprecated('2025-11-18'),
  }),
  builtinPrice(P, 'gemini-2.5-computer-use-preview-10-2025', {
    rates: { input: '1.25', output: '10' },
    tiers: [{ aboveInputTokens: 200_000, rates: { input: '2.5', output: '15' } }],
  }),
  builtinPrice(P, 'gemini-robotics-er-1.5-preview', {
    rates: { input: '0.3', cachedInput: '0', audioInput: '1', output: '2.5', reasoning: '2.5' },
  }),
  builtinPrice(P, 'gemini-3.1-flash-lite-preview', {
    rates: { input: '0.25', cachedInput: '0.025', audioInput: '0.5', output: '1.5', reasoning: '1.5' },
  }),
  builtinPrice(P, 'gemini-omni-flash-preview', { rates: { input: '1.5', audioInput: '1.5', output: '9', reasoning: '9' } }),

  // ---- Speech, live audio and image generation
  builtinPrice(P, 'gemini-2.5-flash-preview-tts', { rates: { input: '0.3', output: '2.5' } }),
  builtinPrice(P, 'gemini-2.5-pro-preview-tts', {
    rates: { input: '1.25', cachedInput: '0.125', audioInput: '0.7', output: '10' },
    tiers: [{ aboveInputTokens: 200_000, rates: { input: '2.5', cachedInput: '0.25', output: '15' } }],
  }),
  ...each(['gemini-2.5-flash-native-audio-latest', 'gemini-2.5-flash-native-audio-preview-09-2025', 'gemini-2.5-flash-native-audio-preview-12-2025'], {
    rates: { input: '0.3', audioInput: '1', output: '2.5' },
  }),
  builtinPrice(P, 'gemini-live-2.5-flash-preview-native-audio-09-2025', {
    rates: { input: '0.3', cachedInput: '0.075', audioInput: '3', output: '2', audioOutput: '12' },
  }),
  builtinPrice(P, 'gemini-3.1-flash-live-preview', {
    rates: { input: '0.75', audioInput: '3', imageInput: '1', output: '4.5', audioOutput: '12' },
  }),
  builtinPrice(P, 'gemini-2.5-flash-image', {
    rates: { input: '0.3', cachedInput: '0.03', audioInput: '1', output: '2.5', reasoning: '2.5', imageOutput: '30' },
  }),
  ...each(['gemini-3-pro-image', 'gemini-3-pro-image-preview', 'deep-research-pro-preview-12-2025'], {
    rates: { input: '2', output: '12', imageOutput: '120' },
    serviceTiers: { batch: { input: '1', output: '6' } },
  }),
  ...each(['gemini-3.1-flash-image', 'gemini-3.1-flash-image-preview'], {
    rates: { input: '0.25', output: '1.5', imageOutput: '60' },
    serviceTiers: { batch: { input: '0.125', output: '0.75' } },
  }),

  // ---- Gemma (open models served by the Gemini API)
  ...each(['gemini-gemma-2-27b-it', 'gemini-gemma-2-9b-it'], { rates: { input: '0.35', output: '1.05' } }),
  builtinPrice(P, 'gemma-3-27b-it', {
    rates: { input: '0', output: '0' },
    tiers: [{ aboveInputTokens: 128_000, rates: { input: '0', output: '0' } }],
    note: 'free in the reference catalog',
  }),
]);
