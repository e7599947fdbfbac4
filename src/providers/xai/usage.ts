import type { Usage } from '../../core/usage.js';
import type { JsonObject } from '../shared/json.js';
import { finalizeUsage } from '../shared/usage.js';
import { chatUsageFields, embeddingsUsageFields, responsesUsageFields, type UsageMappers } from '../openai/usage.js';

/** 1 USD = 1e10 xAI ticks and 1 USD = 1e18 atto-USD, so one tick is 1e8 atto-USD. */
const ATTO_PER_TICK = 10n ** 8n;

/**
 * xAI usage is OpenAI-shaped with two differences (reference/wire/README.md):
 *
 * 1. Reasoning tokens are usually reported BESIDE completion_tokens, not inside them
 *    (observed traffic: total_tokens = prompt + completion + reasoning), though one report
 *    says otherwise. The totals decide: when total == input + output + reasoning the
 *    reasoning is additive and is added to the canonical output (which includes reasoning);
 *    otherwise it is read, as with OpenAI, as a part of the output.
 * 2. `cost_in_usd_ticks` is what xAI actually billed (after discounts, with server-side tool
 *    fees), kept exactly as atto-USD.
 */
function xaiAdjust(fields: Usage, usage: JsonObject): Usage | undefined {
  const { inputTokens: input, outputTokens: output, reasoningTokens: reasoning, totalTokens: total } = fields;
  const adjusted: Usage = { ...fields };
  if (
    input !== undefined &&
    output !== undefined &&
    reasoning !== undefined &&
    reasoning > 0 &&
    total !== undefined &&
    total === input + output + reasoning
  ) {
    adjusted.outputTokens = output + reasoning;
  }
  const cost = ticksToAtto(usage.cost_in_usd_ticks);
  if (cost !== undefined) adjusted.providerCostAttoUsd = cost;
  return finalizeUsage(adjusted);
}

/** A tick count must be a non-negative integer that a double holds exactly; else unknown. */
export function ticksToAtto(value: unknown): bigint | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return undefined;
  return BigInt(value) * ATTO_PER_TICK;
}

export const xaiUsageMappers: UsageMappers = {
  chat: (usage) => xaiAdjust(chatUsageFields(usage), usage),
  responses: (usage) => xaiAdjust(responsesUsageFields(usage), usage),
  embeddings: (usage) => xaiAdjust(embeddingsUsageFields(usage), usage),
};
