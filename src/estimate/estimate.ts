import type { Usage } from '../core/usage.js';
import type { RequestFacts } from '../providers/types.js';
import { countPromptTokens, type TokenCount } from './tokens.js';

export interface Estimate {
  usage: Usage;
  prompt: TokenCount;
  outputAllowance: number;
}

/** Framing tokens around messages (role markers, separators) that the text alone misses. */
const FRAMING_TOKENS = 8;

/**
 * Reasoning tokens assumed for an effort word when the request sets no output maximum
 * (with a maximum, reasoning is inside it: OpenAI counts reasoning in max_completion_tokens).
 */
const EFFORT_ALLOWANCE: Record<string, number> = { minimal: 512, low: 2048, medium: 8192, high: 32768 };

/**
 * What a request may cost at most, in tokens: the prompt, plus the output it may generate,
 * plus any reasoning budget it names. When the request names no maximum, `defaultMaxOutput`
 * (budgets.defaultMaxOutputTokens) is the cap assumed.
 */
export function estimateUsage(facts: RequestFacts, defaultMaxOutput: number, generatesOutput: boolean): Estimate {
  const prompt = countPromptTokens(facts.model, facts.promptText);
  const inputTokens = prompt.tokens + FRAMING_TOKENS;
  if (!generatesOutput) return { usage: { inputTokens, outputTokens: 0 }, prompt, outputAllowance: 0 };
  let outputAllowance = facts.maxOutputTokens ?? defaultMaxOutput;
  let reasoning = 0;
  if (facts.reasoningBudgetTokens !== undefined && facts.reasoningBudgetTokens > 0) {
    reasoning = facts.reasoningBudgetTokens;
  } else if (facts.maxOutputTokens === undefined && facts.reasoningEffort) {
    reasoning = EFFORT_ALLOWANCE[facts.reasoningEffort] ?? 0;
  }
  outputAllowance += reasoning;
  return { usage: { inputTokens, outputTokens: outputAllowance, reasoningTokens: reasoning }, prompt, outputAllowance };
}
