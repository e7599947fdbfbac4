import { readCount, type Usage } from '../../core/usage.js';
import { isRecord, type JsonObject } from '../shared/json.js';
import { addKnown, finalizeUsage } from '../shared/usage.js';

/**
 * Gemini answers in proto3 JSON, which OMITS fields whose value is 0 (a non-thinking model has
 * no `thoughtsTokenCount`, an uncached prompt no `cachedContentTokenCount`). So inside a
 * usageMetadata that reports anything, an absent count is 0; a present but malformed one
 * (wrong type, negative, absurd) is unknown.
 */
function count(meta: JsonObject, key: string): number | undefined {
  const value = meta[key];
  return value === undefined ? 0 : readCount(value);
}

/** Tokens of one modality in a `*TokensDetails` list; unknown when the list is absent or malformed. */
function modalityCount(list: unknown, modality: string): number | undefined {
  if (!Array.isArray(list)) return undefined;
  let sum = 0;
  for (const detail of list) {
    if (!isRecord(detail) || detail.modality !== modality) continue;
    const tokens = count(detail, 'tokenCount');
    if (tokens === undefined) return undefined;
    sum += tokens;
  }
  return sum;
}

/**
 * `usageMetadata` → Usage. promptTokenCount INCLUDES cachedContentTokenCount;
 * candidatesTokenCount EXCLUDES thoughtsTokenCount, so output = candidates + thoughts;
 * toolUsePromptTokenCount is apart from the prompt and stays apart.
 * total = prompt + candidates + toolUsePrompt + thoughts (kept for cross-checks only).
 */
export function geminiUsage(meta: unknown): Usage | undefined {
  if (!isRecord(meta)) return undefined;
  // Nothing counted at all (e.g. `{}`) is no usage, never a free request.
  if (meta.promptTokenCount === undefined && meta.candidatesTokenCount === undefined && meta.totalTokenCount === undefined) {
    return undefined;
  }
  const thoughts = count(meta, 'thoughtsTokenCount');
  return finalizeUsage({
    inputTokens: count(meta, 'promptTokenCount'),
    cachedInputTokens: count(meta, 'cachedContentTokenCount'),
    toolUseInputTokens: count(meta, 'toolUsePromptTokenCount'),
    audioInputTokens: modalityCount(meta.promptTokensDetails, 'AUDIO'),
    imageInputTokens: modalityCount(meta.promptTokensDetails, 'IMAGE'),
    outputTokens: addKnown(count(meta, 'candidatesTokenCount'), thoughts),
    reasoningTokens: thoughts,
    audioOutputTokens: modalityCount(meta.candidatesTokensDetails, 'AUDIO'),
    imageOutputTokens: modalityCount(meta.candidatesTokensDetails, 'IMAGE'),
    totalTokens: readCount(meta.totalTokenCount), // a cross-check only: never invent its 0
  });
}

/**
 * Embedding responses carry no output at all; when they report a prompt count, the output is
 * set to 0 because nothing is generated (a fact, not a guess).
 */
export function geminiEmbeddingUsage(meta: unknown): Usage | undefined {
  if (!isRecord(meta) || meta.promptTokenCount === undefined) return undefined;
  const input = readCount(meta.promptTokenCount);
  return finalizeUsage({
    inputTokens: input,
    outputTokens: input === undefined ? undefined : 0,
    totalTokens: readCount(meta.totalTokenCount),
  });
}
