/**
 * Properties over every built-in price and service tier:
 * - the cost is never negative, whatever the usage (garbage included);
 * - the cost never decreases when any token count grows with the others fixed, where the
 *   counts are the DISJOINT parts of a request (uncached text, cached, written, audio, image,
 *   tool-use; text output, reasoning, audio/image output), so subsets stay within totals;
 * - and it never decreases when a total grows with its subsets fixed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/core/usage.js';
import { BUILTIN_PRICES } from '../../src/pricing/catalog.js';
import { compilePrice } from '../../src/pricing/compile.js';
import { computeCost } from '../../src/pricing/cost.js';
import type { CostBreakdown } from '../../src/pricing/cost.js';

const PRICES = BUILTIN_PRICES.map(compilePrice);
const price = fc.constantFrom(...PRICES);
const tier = fc.constantFrom(undefined, 'flex', 'priority', 'batch', 'default', 'scale');

const PART_NAMES = [
  'textIn', 'cached', 'written', 'audioIn', 'imageIn', 'toolUse', 'textOut', 'reasoning', 'audioOut', 'imageOut',
] as const;
type Parts = Record<(typeof PART_NAMES)[number], number>;

/** Up to 400k so the 128k / 200k / 272k thresholds are crossed often. */
const count = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 400_000 }));
const parts: fc.Arbitrary<Parts> = fc.record(
  Object.fromEntries(PART_NAMES.map((name) => [name, count])) as Record<keyof Parts, fc.Arbitrary<number>>,
);

function usageOf(p: Parts): Usage {
  return {
    inputTokens: p.textIn + p.cached + p.written + p.audioIn + p.imageIn,
    cachedInputTokens: p.cached,
    cacheWriteTokens: p.written,
    audioInputTokens: p.audioIn,
    imageInputTokens: p.imageIn,
    toolUseInputTokens: p.toolUse,
    outputTokens: p.textOut + p.reasoning + p.audioOut + p.imageOut,
    reasoningTokens: p.reasoning,
    audioOutputTokens: p.audioOut,
    imageOutputTokens: p.imageOut,
  };
}

const parts$ = (c: CostBreakdown): bigint[] => [c.input, c.cachedInput, c.cacheWrite, c.output, c.reasoning, c.audio, c.image, c.items];

/** Anything a confused upstream might send. */
const junk = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e300),
);

describe('cost properties', () => {
  it('is never negative, and its parts add up, for any usage', () => {
    fc.assert(
      fc.property(
        price,
        tier,
        fc.record({
          inputTokens: junk, cachedInputTokens: junk, cacheWriteTokens: junk, toolUseInputTokens: junk,
          audioInputTokens: junk, imageInputTokens: junk, outputTokens: junk, reasoningTokens: junk,
          audioOutputTokens: junk, imageOutputTokens: junk, images: junk, audioSeconds: junk, characters: junk,
        }),
        (p, serviceTier, usage) => {
          const c = computeCost(usage as Usage, p, { serviceTier });
          for (const part of parts$(c)) expect(part >= 0n).toBe(true);
          expect(c.total >= 0n).toBe(true);
          expect(parts$(c).reduce((a, b) => a + b, 0n)).toBe(c.computedTotal);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never decreases when one disjoint part grows', () => {
    fc.assert(
      fc.property(price, tier, parts, fc.constantFrom(...PART_NAMES), fc.integer({ min: 1, max: 300_000 }), (p, serviceTier, base, name, delta) => {
        const before = computeCost(usageOf(base), p, { serviceTier }).computedTotal;
        const after = computeCost(usageOf({ ...base, [name]: base[name] + delta }), p, { serviceTier }).computedTotal;
        expect(after >= before, `${p.model} ${String(serviceTier)} +${delta} ${name}`).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('never decreases when a total grows with its subsets fixed', () => {
    fc.assert(
      fc.property(price, tier, parts, fc.boolean(), fc.integer({ min: 1, max: 300_000 }), (p, serviceTier, base, input, delta) => {
        const usage = usageOf(base);
        const grown = input
          ? { ...usage, inputTokens: usage.inputTokens! + delta }
          : { ...usage, outputTokens: usage.outputTokens! + delta };
        const before = computeCost(usage, p, { serviceTier }).computedTotal;
        expect(computeCost(grown, p, { serviceTier }).computedTotal >= before).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('bills each cached token once: moving a token from uncached to cached never costs more', () => {
    fc.assert(
      fc.property(price, tier, parts, fc.integer({ min: 1, max: 1_000 }), (p, serviceTier, base, moved) => {
        const from = { ...base, textIn: base.textIn + moved };
        const to = { ...base, cached: base.cached + moved };
        const a = computeCost(usageOf(from), p, { serviceTier }).computedTotal;
        const b = computeCost(usageOf(to), p, { serviceTier }).computedTotal;
        expect(b <= a, `${p.model}`).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
