import { readCount, type Usage } from '../../core/usage.js';
import { isRecord, recordAt, type JsonObject } from '../shared/json.js';
import { finalizeUsage } from '../shared/usage.js';

/**
 * Maps one provider usage object (the value of `usage`) to canonical Usage. One set per
 * provider, used by both the JSON path and the stream tap, so they can never disagree.
 */
export interface UsageMappers {
  chat(usage: JsonObject): Usage | undefined;
  responses(usage: JsonObject): Usage | undefined;
  embeddings(usage: JsonObject): Usage | undefined;
}

/**
 * Chat Completions `usage`, before finalizing (so that xAI can adjust it first).
 * prompt_tokens already INCLUDES cached_tokens (and cache_write_tokens), completion_tokens
 * already INCLUDES reasoning_tokens: they map straight onto the canonical totals.
 */
export function chatUsageFields(usage: JsonObject): Usage {
  const prompt = recordAt(usage, 'prompt_tokens_details');
  const completion = recordAt(usage, 'completion_tokens_details');
  return {
    inputTokens: readCount(usage.prompt_tokens),
    cachedInputTokens: readCount(prompt?.cached_tokens),
    cacheWriteTokens: readCount(prompt?.cache_write_tokens),
    audioInputTokens: readCount(prompt?.audio_tokens),
    imageInputTokens: readCount(prompt?.image_tokens),
    outputTokens: readCount(usage.completion_tokens),
    reasoningTokens: readCount(completion?.reasoning_tokens),
    audioOutputTokens: readCount(completion?.audio_tokens),
    totalTokens: readCount(usage.total_tokens),
  };
}

/** Responses `usage`: the same semantics under input_/output_ names. */
export function responsesUsageFields(usage: JsonObject): Usage {
  const input = recordAt(usage, 'input_tokens_details');
  const output = recordAt(usage, 'output_tokens_details');
  return {
    inputTokens: readCount(usage.input_tokens),
    cachedInputTokens: readCount(input?.cached_tokens),
    cacheWriteTokens: readCount(input?.cache_write_tokens),
    audioInputTokens: readCount(input?.audio_tokens),
    imageInputTokens: readCount(input?.image_tokens),
    outputTokens: readCount(usage.output_tokens),
    reasoningTokens: readCount(output?.reasoning_tokens),
    audioOutputTokens: readCount(output?.audio_tokens),
    totalTokens: readCount(usage.total_tokens),
  };
}

/**
 * Embeddings `usage` is {prompt_tokens, total_tokens}. Output is set to 0 only because an
 * embedding call generates no tokens at all: here 0 is a fact, not a guess. Without a prompt
 * count the whole usage stays unknown.
 */
export function embeddingsUsageFields(usage: JsonObject): Usage {
  const input = readCount(usage.prompt_tokens);
  return {
    inputTokens: input,
    outputTokens: input === undefined ? undefined : 0,
    totalTokens: readCount(usage.total_tokens),
  };
}

export const openAiUsageMappers: UsageMappers = {
  chat: (usage) => finalizeUsage(chatUsageFields(usage)),
  responses: (usage) => finalizeUsage(responsesUsageFields(usage)),
  embeddings: (usage) => finalizeUsage(embeddingsUsageFields(usage)),
};

/** The usage of a whole JSON body for a route; undefined when the body carries none. */
export function usageFromBody(mappers: UsageMappers, kind: string, body: unknown): Usage | undefined {
  const usage = isRecord(body) ? body.usage : undefined;
  if (!isRecord(usage)) return undefined;
  let mapped: Usage | undefined;
  if (kind === 'chat') mapped = mappers.chat(usage);
  else if (kind === 'responses') mapped = mappers.responses(usage);
  else if (kind === 'embeddings') mapped = mappers.embeddings(usage);
  // Models and pass-through calls are not priced: `mapped` stays undefined for them.
  return withServedTier(mapped, (body as JsonObject).service_tier);
}

/** The usage with the tier the response says it was served at, when it names one. */
export function withServedTier(usage: Usage | undefined, tier: unknown): Usage | undefined {
  if (!usage || typeof tier !== 'string' || tier === '') return usage;
  return { ...usage, serviceTier: tier };
}
