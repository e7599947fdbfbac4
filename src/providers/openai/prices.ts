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
 * - gpt-4o-mini-tts lists output_cost_per_second = 0.00025 beside its token rates; the speech
 *   is billed by its tokens, so the per-second figure (the same charge estimated) is not used.
 * - The realtime models' input_cost_per_image is per INPUT image; the `image` item bills
 *   generated images and no usage counts input images, so it is not carried. Nor are their
 *   cached-audio rates (cache_*_input_audio_token_cost: no such usage kind).
 * - ft:gpt-4o-2024-11-20 names a cache-write rate (1.875) where its sibling names a cached
 *   read; kept as found. Fine-tuned ids (ft:<base>:<org>:<name>:<id>) resolve to ft:<base>.
 * - *_search_* models also charge per web search (search_context_cost_per_query): not
 *   counted by any usage, not carried.
 * - Moderation models are free (0) in the reference.
 * - Dated snapshots whose figures equal their family's (gpt-5.4-mini-2026-03-17, ...) have no
 *   entry of their own: the date suffix resolves them (test/pricing/builtin-reference.test.ts
 *   checks every such figure through the catalog).
 */
import { builtinPrice, type BuiltinSpec } from '../../pricing/builtin.js';
import type { Price } from '../../pricing/types.js';

const P = 'openai';

/** One price under several ids the reference lists with identical figures. */
const each = (models: readonly string[], spec: BuiltinSpec): Price[] => models.map((model) => builtinPrice(P, model, spec));

const GPT_5_6: BuiltinSpec = {
  rates: { input: '5', cachedInput: '0.5', cacheWrite: '6.25', output: '30' },
  tiers: [{ aboveInputTokens: 272_000, rates: { input: '10', cachedInput: '1', cacheWrite: '12.5', output: '45' } }],
  serviceTiers: {
    flex: { input: '2.5', cachedInput: '0.25', cacheWrite: '3.125', output: '15' },
    priority: { input: '10', cachedInput: '1', cacheWrite: '12.5', output: '60' },
    batch: { input: '2.5', output: '15' },
  },
};

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
  ...each(['gpt-5.6', 'gpt-5.6-sol'], GPT_5_6),
  builtinPrice(P, 'gpt-5.6-terra', {
    rates: { input: '2.5', cachedInput: '0.25', cacheWrite: '3.125', output: '15' },
    tiers: [{ aboveInputTokens: 272_000, rates: { input: '5', cachedInput: '0.5', cacheWrite: '6.25', output: '22.5' } }],
    serviceTiers: {
      flex: { input: '1.25', cachedInput: '0.125', cacheWrite: '1.5625', output: '7.5' },
      priority: { input: '5', cachedInput: '0.5', cacheWrite: '6.25', output: '30' },
      batch: { input: '1.25', output: '7.5' },
    },
  }),
  builtinPrice(P, 'gpt-5.6-luna', {
    rates: { input: '1', cachedInput: '0.1', cacheWrite: '1.25', output: '6' },
    tiers: [{ aboveInputTokens: 272_000, rates: { input: '2', cachedInput: '0.2', cacheWrite: '2.5', output: '9' } }],
    serviceTiers: {
      flex: { input: '0.5', cachedInput: '0.05', cacheWrite: '0.625', output: '3' },
      priority: { input: '2', cachedInput: '0.2', cacheWrite: '2.5', output: '12' },
      batch: { input: '0.5', output: '3' },
    },
  }),
  builtinPrice(P, 'gpt-5.4-mini', {
    rates: { input: '0.75', cachedInput: '0.075', output: '4.5' },
    serviceTiers: {
      flex: { input: '0.375', cachedInput: '0.0375', output: '2.25' },
      priority: { input: '1.5', cachedInput: '0.15', output: '9' },
      batch: { input: '0.375', output: '2.25' },
    },
  }),
  builtinPrice(P, 'gpt-5.4-nano', {
    rates: { input: '0.2', cachedInput: '0.02', output: '1.25' },
    serviceTiers: { flex: { input: '0.1', cachedInput: '0.01', output: '0.625' }, batch: { input: '0.1', output: '0.625' } },
  }),

  // ---- GPT-5 pro models: the dearest per token (the fallback's reference, src/pricing/fallback.ts)
  builtinPrice(P, 'gpt-5-pro', { rates: { input: '15', output: '120' }, serviceTiers: { batch: { input: '7.5', output: '60' } } }),
  builtinPrice(P, 'gpt-5.2-pro', { rates: { input: '21', output: '168' } }),
  ...each(['gpt-5.4-pro', 'gpt-5.5-pro'], {
    rates: { input: '30', cachedInput: '3', output: '180' },
    tiers: [{ aboveInputTokens: 272_000, rates: { input: '60', cachedInput: '6', output: '270' } }],
    serviceTiers: { flex: { input: '15', output: '90' }, batch: { input: '15', output: '90' } },
  }),

  // ---- GPT-5 chat, codex and search variants
  ...each(['gpt-5-chat', 'gpt-5-codex', 'gpt-5-search-api', 'gpt-5.1-codex-max'], { rates: { input: '1.25', cachedInput: '0.125', output: '10' } }),
  ...each(['gpt-5.1-chat-latest', 'gpt-5.1-codex'], {
    rates: { input: '1.25', cachedInput: '0.125', output: '10' },
    serviceTiers: { priority: { input: '2.5', cachedInput: '0.25', output: '20' } },
  }),
  builtinPrice(P, 'gpt-5.1-codex-mini', {
    rates: { input: '0.25', cachedInput: '0.025', output: '2' },
    serviceTiers: { priority: { input: '0.45', cachedInput: '0.045', output: '3.6' } },
  }),
  ...each(['gpt-5.2-chat-latest', 'gpt-5.3-chat-latest', 'gpt-5.2-codex', 'gpt-5.3-codex'], {
    rates: { input: '1.75', cachedInput: '0.175', output: '14' },
    serviceTiers: { priority: { input: '3.5', cachedInput: '0.35', output: '28' } },
  }),
  builtinPrice(P, 'codex-mini-latest', { rates: { input: '1.5', cachedInput: '0.375', output: '6' } }),

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
  builtinPrice(P, 'o1', { rates: { input: '15', cachedInput: '7.5', output: '60' } }),
  builtinPrice(P, 'o1-pro', { rates: { input: '150', output: '600' }, serviceTiers: { batch: { input: '75', output: '300' } } }),
  builtinPrice(P, 'o3-pro', { rates: { input: '20', output: '80' }, serviceTiers: { batch: { input: '10', output: '40' } } }),
  builtinPrice(P, 'o3-mini', { rates: { input: '1.1', cachedInput: '0.55', output: '4.4' } }),
  builtinPrice(P, 'o3-deep-research', { rates: { input: '10', cachedInput: '2.5', output: '40' }, serviceTiers: { batch: { input: '5', output: '20' } } }),
  builtinPrice(P, 'o4-mini-deep-research', { rates: { input: '2', cachedInput: '0.5', output: '8' }, serviceTiers: { batch: { input: '1', output: '4' } } }),

  // ---- Older GPT-4 and GPT-3.5 models, and search previews
  builtinPrice(P, 'gpt-4', { rates: { input: '30', output: '60' } }),
  ...each(['gpt-4-turbo', 'gpt-4-turbo-preview', 'gpt-4-0125-preview', 'gpt-4-1106-preview'], { rates: { input: '10', output: '30' } }),
  builtinPrice(P, 'gpt-4o-2024-05-13', {
    rates: { input: '5', output: '15' },
    serviceTiers: { priority: { input: '8.75', output: '26.25' }, batch: { input: '2.5', output: '7.5' } },
  }),
  builtinPrice(P, 'chatgpt-4o-latest', { rates: { input: '5', output: '15' } }),
  builtinPrice(P, 'gpt-3.5-turbo', { rates: { input: '0.5', output: '1.5' } }),
  builtinPrice(P, 'gpt-3.5-turbo-1106', { rates: { input: '1', output: '2' } }),
  builtinPrice(P, 'gpt-3.5-turbo-16k', { rates: { input: '3', output: '4' } }),
  builtinPrice(P, 'gpt-4o-search-preview', {
    rates: { input: '2.5', cachedInput: '1.25', output: '10' },
    serviceTiers: { batch: { input: '1.25', output: '5' } },
  }),
  builtinPrice(P, 'gpt-4o-mini-search-preview', {
    rates: { input: '0.15', cachedInput: '0.075', output: '0.6' },
    serviceTiers: { batch: { input: '0.075', output: '0.3' } },
  }),

  // ---- Fine-tuned models: inference on a fine-tune of <base> (ft:<base>:... resolves here)
  builtinPrice(P, 'ft:gpt-3.5-turbo', { rates: { input: '3', output: '6' }, serviceTiers: { batch: { input: '1.5', output: '3' } } }),
  builtinPrice(P, 'ft:gpt-4-0613', { rates: { input: '30', output: '60' } }),
  builtinPrice(P, 'ft:gpt-4o-2024-08-06', {
    rates: { input: '3.75', cachedInput: '1.875', output: '15' },
    serviceTiers: { batch: { input: '1.875', output: '7.5' } },
  }),
  builtinPrice(P, 'ft:gpt-4o-2024-11-20', { rates: { input: '3.75', cacheWrite: '1.875', output: '15' } }),
  builtinPrice(P, 'ft:gpt-4o-mini-2024-07-18', {
    rates: { input: '0.3', cachedInput: '0.15', output: '1.2' },
    serviceTiers: { batch: { input: '0.15', output: '0.6' } },
  }),
  builtinPrice(P, 'ft:gpt-4.1-2025-04-14', { rates: { input: '3', cachedInput: '0.75', output: '12' }, serviceTiers: { batch: { input: '1.5', output: '6' } } }),
  builtinPrice(P, 'ft:gpt-4.1-mini-2025-04-14', {
    rates: { input: '0.8', cachedInput: '0.2', output: '3.2' },
    serviceTiers: { batch: { input: '0.4', output: '1.6' } },
  }),
  builtinPrice(P, 'ft:gpt-4.1-nano-2025-04-14', {
    rates: { input: '0.2', cachedInput: '0.05', output: '0.8' },
    serviceTiers: { batch: { input: '0.1', output: '0.4' } },
  }),
  builtinPrice(P, 'ft:o4-mini-2025-04-16', { rates: { input: '4', cachedInput: '1', output: '16' }, serviceTiers: { batch: { input: '2', output: '8' } } }),

  // ---- Embeddings (output is free)
  builtinPrice(P, 'text-embedding-3-small', {
    rates: { input: '0.02', output: '0' },
    serviceTiers: { batch: { input: '0.01', output: '0' } },
  }),
  builtinPrice(P, 'text-embedding-3-large', {
    rates: { input: '0.13', output: '0' },
    serviceTiers: { batch: { input: '0.065', output: '0' } },
  }),
  builtinPrice(P, 'text-embedding-ada-002', { rates: { input: '0.1', output: '0' } }),
  builtinPrice(P, 'text-embedding-ada-002-v2', { rates: { input: '0.1', output: '0' }, serviceTiers: { batch: { input: '0.05', output: '0' } } }),
  ...each(['omni-moderation-latest', 'omni-moderation-2024-09-26', 'text-moderation-latest', 'text-moderation-stable', 'text-moderation-007'], {
    rates: { input: '0', output: '0' },
    note: 'free in the reference catalog',
  }),

  // ---- Images: gpt-image-1 by tokens, dall-e-3 per image (standard 1024×1024)
  builtinPrice(P, 'gpt-image-1', {
    rates: { input: '5', cachedInput: '1.25', imageInput: '10', imageOutput: '40' },
  }),
  builtinPrice(P, 'gpt-image-1-mini', { rates: { input: '2', cachedInput: '0.2', imageInput: '2.5', imageOutput: '8' } }),
  builtinPrice(P, 'gpt-image-1.5', { rates: { input: '5', cachedInput: '1.25', output: '10', imageInput: '8', imageOutput: '32' } }),
  builtinPrice(P, 'gpt-image-2', { rates: { input: '5', cachedInput: '1.25', output: '10', imageInput: '8', imageOutput: '30' } }),
  builtinPrice(P, 'chatgpt-image-latest', { rates: { input: '5', cachedInput: '1.25', imageInput: '10', imageOutput: '40' } }),
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
  ...each(['gpt-4o-transcribe', 'gpt-4o-transcribe-diarize'], { rates: { input: '2.5', audioInput: '2.5', output: '10' } }),
  builtinPrice(P, 'gpt-4o-mini-transcribe', { rates: { input: '1.25', audioInput: '1.25', output: '5' } }),
  builtinPrice(P, 'gpt-4o-mini-tts', { rates: { input: '2.5', output: '10', audioOutput: '12' } }),
  ...each(['gpt-audio', 'gpt-audio-1.5'], { rates: { input: '2.5', audioInput: '32', output: '10', audioOutput: '64' } }),
  ...each(['gpt-audio-mini', 'gpt-realtime-mini'], { rates: { input: '0.6', audioInput: '10', output: '2.4', audioOutput: '20' } }),
  builtinPrice(P, 'gpt-4o-realtime-preview', { rates: { input: '5', cachedInput: '2.5', audioInput: '40', output: '20', audioOutput: '80' } }),
  builtinPrice(P, 'gpt-4o-mini-realtime-preview', { rates: { input: '0.6', cachedInput: '0.3', audioInput: '10', output: '2.4', audioOutput: '20' } }),
  ...each(['gpt-realtime', 'gpt-realtime-1.5', 'gpt-realtime-2'], {
    rates: { input: '4', cachedInput: '0.4', audioInput: '32', output: '16', audioOutput: '64' },
  }),
  builtinPrice(P, 'gpt-realtime-2.1', { rates: { input: '4', cachedInput: '0.4', audioInput: '32', output: '24', audioOutput: '64' } }),
  ...each(['gpt-realtime-2.1-mini', 'gpt-realtime-mini-2025-10-06', 'gpt-realtime-mini-2025-12-15'], {
    rates: { input: '0.6', cachedInput: '0.06', audioInput: '10', output: '2.4', audioOutput: '20' },
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
