import type { Usage } from '../../core/usage.js';

/**
 * Subset counts and the whole they belong to. A provider that reports a part larger than its
 * whole has sent garbage; the part becomes unknown, so the cost function bills the whole at
 * its base rate rather than computing a negative remainder.
 */
const SUBSETS: ReadonlyArray<readonly [keyof Usage, keyof Usage]> = [
  ['cachedInputTokens', 'inputTokens'],
  ['cacheWriteTokens', 'inputTokens'],
  ['audioInputTokens', 'inputTokens'],
  ['imageInputTokens', 'inputTokens'],
  ['reasoningTokens', 'outputTokens'],
  ['audioOutputTokens', 'outputTokens'],
  ['imageOutputTokens', 'outputTokens'],
];

/**
 * The last step of every usage mapper: drops unknown (undefined) fields so a Usage never carries
 * explicit undefineds, drops inconsistent subsets, and answers undefined when nothing was known.
 */
export function finalizeUsage(mapped: Usage): Usage | undefined {
  const usage: Usage = {};
  let known = 0;
  for (const [key, value] of Object.entries(mapped) as [keyof Usage, Usage[keyof Usage]][]) {
    if (value === undefined) continue;
    (usage as Record<string, unknown>)[key] = value;
    known += 1;
  }
  for (const [part, whole] of SUBSETS) {
    const p = usage[part];
    const w = usage[whole];
    if (typeof p === 'number' && typeof w === 'number' && p > w) {
      delete usage[part];
      known -= 1;
    }
  }
  // Cached reads and cache writes are disjoint parts of the prompt: together they fit in it.
  const { cachedInputTokens: cached, cacheWriteTokens: written, inputTokens: input } = usage;
  if (cached !== undefined && written !== undefined && input !== undefined && cached + written > input) {
    delete usage.cachedInputTokens;
    delete usage.cacheWriteTokens;
    known -= 2;
  }
  return known > 0 ? usage : undefined;
}

/** a + b when both are known; otherwise unknown (never a partial sum posing as a total). */
export function addKnown(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}
