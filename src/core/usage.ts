/**
 * The canonical usage of one request, whatever the provider.
 *
 * Every count is optional: `undefined` means "the provider did not tell us", which is
 * different from 0. A response without a usage block is never a free request; callers
 * price it from the estimate instead (see `hasUsage`).
 *
 * Semantics are normalised here once, so the cost function never needs to know a provider:
 * - `inputTokens` is every prompt token billed at an input rate, INCLUDING cached reads and
 *   cache writes (OpenAI and Gemini report it that way; Gemini's tool-use prompt tokens are
 *   kept apart in `toolUseInputTokens`).
 * - `outputTokens` is every generated token, INCLUDING reasoning/thinking tokens.
 *   `reasoningTokens` is the part of it spent on reasoning (Gemini's `thoughtsTokenCount`
 *   is added into `outputTokens` by its mapper; xAI's additive reasoning likewise).
 * - `audio*`/`image*` counts are subsets of the input/output totals billed at their own rates.
 */
export interface Usage {
  inputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  toolUseInputTokens?: number;
  audioInputTokens?: number;
  imageInputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  audioOutputTokens?: number;
  imageOutputTokens?: number;
  /** Non-token items billed per unit. */
  images?: number;
  audioSeconds?: number;
  characters?: number;
  /** The total the provider reported, kept for cross-checks only. */
  totalTokens?: number;
  /** The cost the provider says it billed, in atto-USD (xAI `cost_in_usd_ticks` × 1e8). */
  providerCostAttoUsd?: bigint;
  /**
   * The service tier the provider says it served (OpenAI's `service_tier`: it may differ from
   * the one asked for, e.g. `auto` served as `default`); the cost uses that tier's rates.
   */
  serviceTier?: string;
  /** Gemini's cached-content or similar details the mapper could not classify. */
  notes?: string[];
}

/** Token-count fields of `Usage`, in a fixed order (used by validators and the ledger). */
export const TOKEN_FIELDS = [
  'inputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'toolUseInputTokens',
  'audioInputTokens',
  'imageInputTokens',
  'outputTokens',
  'reasoningTokens',
  'audioOutputTokens',
  'imageOutputTokens',
] as const satisfies readonly (keyof Usage)[];

export type TokenField = (typeof TOKEN_FIELDS)[number];

/** True when the provider reported at least the input or the output count. */
export function hasUsage(usage: Usage | undefined): usage is Usage {
  return usage !== undefined && (usage.inputTokens !== undefined || usage.outputTokens !== undefined);
}

/** Largest token count we believe; anything above is treated as garbage (unknown). */
export const MAX_SANE_TOKENS = 100_000_000;

/**
 * Reads a provider-reported count: a finite, non-negative integer below MAX_SANE_TOKENS.
 * Anything else (a string, a negative number, NaN, 1e300) is "unknown", never a negative cost.
 */
export function readCount(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if (value < 0 || value > MAX_SANE_TOKENS) return undefined;
  return value;
}
