import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/core/usage.js';
import { adapterById } from '../../src/providers/registry.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { ticksToAtto } from '../../src/providers/xai/usage.js';
import { byteChunks, runTap, wireBytes, wireFiles, wireJson } from './helpers.js';

function adapter(id: string): ProviderAdapter {
  const found = adapterById(id);
  if (!found) throw new Error(`no adapter ${id}`);
  return found;
}

/** Route of a given kind on a provider, as matchRoute would produce it. */
const ROUTES: Record<string, [string, string]> = {
  'openai chat': ['POST', '/chat/completions'],
  'openai responses': ['POST', '/responses'],
  'openai embeddings': ['POST', '/embeddings'],
  'openai models': ['GET', '/models'],
  'xai chat': ['POST', '/chat/completions'],
  'xai responses': ['POST', '/responses'],
  'xai models': ['GET', '/models'],
  'xai language-models': ['GET', '/language-models'],
  'gemini generate': ['POST', '/models/gemini-2.5-flash:generateContent'],
  'gemini stream': ['POST', '/models/gemini-2.5-flash:streamGenerateContent'],
  'gemini count-tokens': ['POST', '/models/gemini-2.5-flash:countTokens'],
  'gemini models': ['GET', '/models'],
};

function usageOf(provider: string, kind: string, body: unknown): Usage | undefined {
  const [method, path] = ROUTES[`${provider} ${kind}`]!;
  const a = adapter(provider);
  return a.usageFromJson(a.matchRoute(method, path), body);
}

function streamUsage(provider: string, kind: string, bytes: Buffer): { usage?: Usage; model?: string } {
  const [method, path] = ROUTES[`${provider} ${kind}`]!;
  const a = adapter(provider);
  const tap = a.createStreamTap(a.matchRoute(method, path), { stripInjectedUsage: false });
  runTap(tap, byteChunks(bytes));
  return { usage: tap.usage(), model: tap.responseModel() };
}

interface Row {
  file: string;
  provider: string;
  kind: string;
  expected: Usage | undefined;
  model?: string;
}

/**
 * Every wire fixture, its route and the canonical usage it must map to. Written by hand from
 * the semantics in wire/README.md; the arithmetic is in the comments.
 */
const TABLE: Row[] = [
  // prompt 2006 includes cached 1920; completion 300 includes reasoning 192; total 2006+300 = 2306.
  {
    file: 'openai_chat.json',
    provider: 'openai',
    kind: 'chat',
    // The body's service_tier ("default") is the tier the call is priced at.
    expected: { inputTokens: 2006, cachedInputTokens: 1920, audioInputTokens: 0, outputTokens: 300, reasoningTokens: 192, audioOutputTokens: 0, totalTokens: 2306, serviceTier: 'default' },
    model: 'o4-mini-2025-04-16',
  },
  // input 2081 includes cached 1920 (+ cache writes 0); output 1035 includes reasoning 832; 2081+1035 = 3116.
  {
    file: 'openai_responses.json',
    provider: 'openai',
    kind: 'responses',
    expected: { inputTokens: 2081, cachedInputTokens: 1920, cacheWriteTokens: 0, outputTokens: 1035, reasoningTokens: 832, totalTokens: 3116, serviceTier: 'default' },
    model: 'o3-2025-04-16',
  },
  // prompt 8, nothing generated: output is a true 0 for embeddings.
  { file: 'openai_embeddings.json', provider: 'openai', kind: 'embeddings', expected: { inputTokens: 8, outputTokens: 0, totalTokens: 8 }, model: 'text-embedding-3-small' },
  { file: 'openai_models_list.json', provider: 'openai', kind: 'models', expected: undefined },
  // Last chunk: prompt 19, completion 10, total 29; all details 0.
  {
    file: 'openai_chat_stream.sse',
    provider: 'openai',
    kind: 'chat',
    expected: { inputTokens: 19, cachedInputTokens: 0, audioInputTokens: 0, outputTokens: 10, reasoningTokens: 0, audioOutputTokens: 0, totalTokens: 29, serviceTier: 'default' },
    model: 'gpt-4o-mini-2024-07-18',
  },
  // response.completed: input 1337 includes cached 1280; output 11, reasoning 0; 1337+11 = 1348.
  {
    file: 'openai_responses_stream.sse',
    provider: 'openai',
    kind: 'responses',
    expected: { inputTokens: 1337, cachedInputTokens: 1280, cacheWriteTokens: 0, outputTokens: 11, reasoningTokens: 0, totalTokens: 1348 },
    model: 'gpt-4.1-2025-04-14',
  },
  // 10120 + 1499 + 2809 = 14428 = total_tokens, so reasoning is ADDITIVE: output = 1499 + 2809 = 4308.
  // cost 232856000 ticks × 1e8 atto/tick = 23285600000000000 atto = $0.0232856.
  {
    file: 'xai_chat.json',
    provider: 'xai',
    kind: 'chat',
    expected: {
      inputTokens: 10120,
      cachedInputTokens: 128,
      audioInputTokens: 0,
      imageInputTokens: 0,
      outputTokens: 4308,
      reasoningTokens: 2809,
      audioOutputTokens: 0,
      totalTokens: 14428,
      providerCostAttoUsd: 23_285_600_000_000_000n,
    },
    model: 'grok-4.3',
  },
  // input 9212 includes cached 3072; output 3417, reasoning 0 (either reading gives 3417); 9212+3417 = 12629.
  // cost 318319000 ticks × 1e8 = 31831900000000000 atto = $0.0318319 (includes the 3 x_search calls).
  {
    file: 'xai_responses_usage.json',
    provider: 'xai',
    kind: 'responses',
    expected: { inputTokens: 9212, cachedInputTokens: 3072, outputTokens: 3417, reasoningTokens: 0, totalTokens: 12629, providerCostAttoUsd: 31_831_900_000_000_000n },
  },
  { file: 'xai_models_list.json', provider: 'xai', kind: 'models', expected: undefined },
  { file: 'xai_language_models.json', provider: 'xai', kind: 'language-models', expected: undefined },
  // prompt 5 includes cached 3; candidates 238 EXCLUDE thoughts 41: output = 238 + 41 = 279; 5+238+41 = 284.
  // Absent tool-use count is proto3's omitted 0; the prompt modality list has TEXT only: audio 0, image 0.
  {
    file: 'gemini_generate.json',
    provider: 'gemini',
    kind: 'generate',
    expected: { inputTokens: 5, cachedInputTokens: 3, toolUseInputTokens: 0, audioInputTokens: 0, imageInputTokens: 0, outputTokens: 279, reasoningTokens: 41, totalTokens: 284 },
    model: 'gemini-2.5-flash',
  },
  // prompt 22, tool-use prompt 247 kept apart; output = candidates 90 + thoughts 225 = 315; 22+90+225+247 = 584.
  {
    file: 'gemini_generate_tooluse_usage.json',
    provider: 'gemini',
    kind: 'generate',
    expected: { inputTokens: 22, cachedInputTokens: 0, toolUseInputTokens: 247, audioInputTokens: 0, imageInputTokens: 0, outputTokens: 315, reasoningTokens: 225, totalTokens: 584 },
    model: 'gemini-2.5-flash',
  },
  // Cumulative: the LAST chunk (prompt 7, candidates 153, thoughts 45) is the usage, not a sum:
  // output = 153 + 45 = 198; 7+153+45 = 205. (Summing would give 21 input tokens.)
  {
    file: 'gemini_stream.sse',
    provider: 'gemini',
    kind: 'stream',
    expected: { inputTokens: 7, cachedInputTokens: 0, toolUseInputTokens: 0, audioInputTokens: 0, imageInputTokens: 0, outputTokens: 198, reasoningTokens: 45, totalTokens: 205 },
    model: 'gemini-2.5-flash',
  },
  // countTokens is free and its totalTokens is not usage.
  { file: 'gemini_count_tokens.json', provider: 'gemini', kind: 'count-tokens', expected: undefined },
  { file: 'gemini_count_tokens_request.json', provider: 'gemini', kind: 'count-tokens', expected: undefined },
  { file: 'gemini_models_list.json', provider: 'gemini', kind: 'models', expected: undefined },
  // An error body has no usage: unknown, never zeros.
  { file: 'gemini_error_404.json', provider: 'gemini', kind: 'generate', expected: undefined },
];

describe('usage of every wire fixture', () => {
  it('the table covers every fixture file', () => {
    expect(TABLE.map((row) => row.file).sort()).toEqual(wireFiles().sort());
  });

  it.each(TABLE)('$file ($provider $kind)', ({ file, provider, kind, expected, model }) => {
    if (file.endsWith('.sse')) {
      const seen = streamUsage(provider, kind, wireBytes(file));
      expect(seen.usage).toStrictEqual(expected);
      expect(seen.model).toBe(model);
      return;
    }
    const body = wireJson(file);
    expect(usageOf(provider, kind, body)).toStrictEqual(expected);
    expect(adapter(provider).responseModelFromJson(body)).toBe(model);
  });
});

describe('missing usage is unknown, never zero', () => {
  it.each([
    ['openai', 'responses', { id: 'resp_1', object: 'response', status: 'queued', usage: null }],
    ['openai', 'responses', { id: 'resp_1', object: 'response', status: 'in_progress' }],
    ['openai', 'chat', { id: 'c', choices: [] }],
    ['openai', 'chat', { usage: {} }],
    ['openai', 'chat', null],
    ['openai', 'chat', 'not json'],
    ['xai', 'chat', { usage: 'lots' }],
    ['gemini', 'generate', { candidates: [] }],
    ['gemini', 'generate', { usageMetadata: {} }],
    ['gemini', 'generate', { usageMetadata: null }],
  ])('%s %s %j', (provider, kind, body) => {
    expect(usageOf(provider, kind, body)).toBeUndefined();
  });

  it('a chat stream without usage reports none (but still its model)', () => {
    const tapAt = (name: string) => streamUsage('openai', 'chat', Buffer.from(name));
    expect(tapAt('data: {"model":"m","choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n')).toEqual({ usage: undefined, model: 'm' });
  });
});

describe('malformed counts become unknown, field by field', () => {
  it('OpenAI chat', () => {
    const usage = {
      prompt_tokens: '12', // wrong type
      completion_tokens: 7,
      total_tokens: 1e300, // absurd
      prompt_tokens_details: { cached_tokens: -1, audio_tokens: 1.5 }, // negative, fractional
      completion_tokens_details: { reasoning_tokens: Number.NaN, audio_tokens: 200_000_000 }, // NaN, above the sane limit
    };
    expect(usageOf('openai', 'chat', { usage })).toEqual({ outputTokens: 7 });
  });

  it('OpenAI responses', () => {
    const usage = { input_tokens: null, output_tokens: 5, input_tokens_details: { cached_tokens: true }, output_tokens_details: [] };
    expect(usageOf('openai', 'responses', { usage })).toEqual({ outputTokens: 5 });
  });

  it('a part larger than its whole is garbage: the part becomes unknown', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 101 }, completion_tokens_details: { reasoning_tokens: 11 } };
    expect(usageOf('openai', 'chat', { usage })).toEqual({ inputTokens: 100, outputTokens: 10 });
  });

  it('cached reads and cache writes that together exceed the prompt are both dropped', () => {
    const usage = { input_tokens: 100, output_tokens: 1, input_tokens_details: { cached_tokens: 60, cache_write_tokens: 50 } };
    expect(usageOf('openai', 'responses', { usage })).toEqual({ inputTokens: 100, outputTokens: 1 });
  });

  it('Gemini: absent = proto3 0, malformed = unknown (and so is a sum built on it)', () => {
    const usageMetadata = { promptTokenCount: '5', candidatesTokenCount: 10, thoughtsTokenCount: -1, totalTokenCount: 15 };
    expect(usageOf('gemini', 'generate', { usageMetadata })).toEqual({ cachedInputTokens: 0, toolUseInputTokens: 0, totalTokens: 15 });
  });

  it('Gemini: audio and image modalities in both directions', () => {
    const usageMetadata = {
      promptTokenCount: 300,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 100 },
        { modality: 'AUDIO', tokenCount: 150 },
        { modality: 'IMAGE', tokenCount: 50 },
      ],
      candidatesTokenCount: 1300,
      candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1290 }, { modality: 'TEXT', tokenCount: 10 }],
      totalTokenCount: 1600,
    };
    // no thoughts (omitted = 0): output = 1300 + 0.
    expect(usageOf('gemini', 'generate', { usageMetadata })).toEqual({
      inputTokens: 300,
      cachedInputTokens: 0,
      toolUseInputTokens: 0,
      audioInputTokens: 150,
      imageInputTokens: 50,
      outputTokens: 1300,
      reasoningTokens: 0,
      audioOutputTokens: 0,
      imageOutputTokens: 1290,
      totalTokens: 1600,
    });
  });
});

describe('xAI reasoning: additive when the total says so, else a subset', () => {
  const chat = (usage: object) => usageOf('xai', 'chat', { usage });
  it('additive: 32 + 9 + 94 = 135 = total, so output = 9 + 94 = 103', () => {
    const u = chat({ prompt_tokens: 32, completion_tokens: 9, total_tokens: 135, completion_tokens_details: { reasoning_tokens: 94 } });
    expect(u).toMatchObject({ inputTokens: 32, outputTokens: 103, reasoningTokens: 94, totalTokens: 135 });
  });
  it('subset: 32 + 103 = 135 = total, so output stays 103 with 94 of it reasoning', () => {
    const u = chat({ prompt_tokens: 32, completion_tokens: 103, total_tokens: 135, completion_tokens_details: { reasoning_tokens: 94 } });
    expect(u).toMatchObject({ inputTokens: 32, outputTokens: 103, reasoningTokens: 94 });
  });
  it('no total: read as a subset', () => {
    expect(chat({ prompt_tokens: 10, completion_tokens: 50, completion_tokens_details: { reasoning_tokens: 20 } })).toEqual({
      inputTokens: 10,
      outputTokens: 50,
      reasoningTokens: 20,
    });
  });
  it('neither reading fits (reasoning 8 > completion 5, total 999): reasoning is unknown', () => {
    expect(chat({ prompt_tokens: 1, completion_tokens: 5, total_tokens: 999, completion_tokens_details: { reasoning_tokens: 8 } })).toEqual({
      inputTokens: 1,
      outputTokens: 5,
      totalTokens: 999,
    });
  });
  it('the same body through the plain OpenAI mapper would lose the reasoning (why xAI overrides)', () => {
    const body = wireJson('xai_chat.json');
    expect(usageOf('openai', 'chat', body)).toMatchObject({ outputTokens: 1499 });
    expect(usageOf('openai', 'chat', body)?.reasoningTokens).toBeUndefined();
    expect(usageOf('openai', 'chat', body)?.providerCostAttoUsd).toBeUndefined();
  });
  it.each([
    [232856000, 23_285_600_000_000_000n],
    [0, 0n],
    [1, 100_000_000n],
    [-1, undefined],
    [1.5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [2 ** 60, undefined],
    ['232856000', undefined],
    [null, undefined],
  ])('cost_in_usd_ticks %s → %s atto-USD', (ticks, atto) => {
    expect(ticksToAtto(ticks)).toBe(atto);
    const u = chat({ prompt_tokens: 1, completion_tokens: 1, cost_in_usd_ticks: ticks });
    expect(u?.providerCostAttoUsd).toBe(atto);
  });
  it('the xAI stream tap uses the xAI mapper too', () => {
    const chunk = { model: 'grok-4', choices: [], usage: { prompt_tokens: 32, completion_tokens: 9, total_tokens: 135, completion_tokens_details: { reasoning_tokens: 94 }, cost_in_usd_ticks: 5 } };
    const seen = streamUsage('xai', 'chat', Buffer.from(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`));
    expect(seen.usage).toEqual({ inputTokens: 32, outputTokens: 103, reasoningTokens: 94, totalTokens: 135, providerCostAttoUsd: 500_000_000n });
  });
});
