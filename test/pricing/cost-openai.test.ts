/**
 * Hand-computed cost cases, part 1: OpenAI shapes, service tiers, the 272k tier, hand-made prices. Each comment gives the formula in USD (rates per 1M tokens, so
 * "86 × 1.1" means 86 tokens at $1.1/1M = $0.0000946). Expected values are exact decimal
 * strings from attoToUsd: equality is exact at 1e-18, well inside the required 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { compilePrice } from '../../src/pricing/compile.js';
import { computeCost } from '../../src/pricing/cost.js';
import { builtin, cost, manualPrice, usd } from './helpers.js';

describe('OpenAI shapes', () => {
  it('1. plain input and output (gpt-4o)', () => {
    // 1000 × 2.5 + 500 × 10 = 2500 + 5000 = 7500 per 1M → 0.0075
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000, outputTokens: 500 });
    expect(usd(c.total)).toBe('0.0075');
    expect(c.incomplete).toBe(false);
    expect(c.costSource).toBe('computed');
  });

  it('2. cached input + reasoning at the output rate (o4-mini, openai_chat.json)', () => {
    // prompt 2006 ⊃ cached 1920; completion 300 ⊃ reasoning 192
    // uncached 86 × 1.1 = 94.6; cached 1920 × 0.275 = 528; text 108 × 4.4 = 475.2;
    // reasoning 192 × 4.4 = 844.8 → 1942.6 per 1M → 0.0019426
    const c = cost('openai', 'o4-mini', { inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300, reasoningTokens: 192 });
    expect(usd(c.input)).toBe('0.0000946');
    expect(usd(c.cachedInput)).toBe('0.000528');
    expect(usd(c.output)).toBe('0.0004752');
    expect(usd(c.reasoning)).toBe('0.0008448');
    expect(usd(c.total)).toBe('0.0019426');
  });

  it('3. Responses usage (o3, openai_responses.json)', () => {
    // uncached 161 × 2 = 322; cached 1920 × 0.5 = 960; text 203 × 8 = 1624; reasoning 832 × 8 = 6656
    // → 9562 per 1M → 0.009562
    const c = cost('openai', 'o3', {
      inputTokens: 2081, cachedInputTokens: 1920, cacheWriteTokens: 0, outputTokens: 1035, reasoningTokens: 832,
    });
    expect(usd(c.total)).toBe('0.009562');
  });

  it('4. cache write at its own rate (gpt-5.6)', () => {
    // input 10000 ⊃ cached 2000 + written 3000: uncached 5000 × 5 = 25000; cached 2000 × 0.5 = 1000;
    // written 3000 × 6.25 = 18750; output 1000 × 30 = 30000 → 74750 per 1M → 0.07475
    const c = cost('openai', 'gpt-5.6', { inputTokens: 10000, cachedInputTokens: 2000, cacheWriteTokens: 3000, outputTokens: 1000 });
    expect(usd(c.cacheWrite)).toBe('0.01875');
    expect(usd(c.total)).toBe('0.07475');
  });

  it('5. cache write without a cache-write rate bills at the input rate (gpt-4o)', () => {
    // uncached 600 × 2.5 = 1500; written 400 × 2.5 = 1000 → 2500 per 1M → 0.0025
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000, cacheWriteTokens: 400, outputTokens: 0 });
    expect(usd(c.cacheWrite)).toBe('0.001');
    expect(usd(c.total)).toBe('0.0025');
  });

  it('6. audio tokens at their own rates (gpt-4o-audio-preview)', () => {
    // text in 400 × 2.5 = 1000; audio in 600 × 40 = 24000; text out 100 × 10 = 1000;
    // audio out 400 × 80 = 32000 → 58000 per 1M → 0.058
    const c = cost('openai', 'gpt-4o-audio-preview', {
      inputTokens: 1000, audioInputTokens: 600, outputTokens: 500, audioOutputTokens: 400,
    });
    expect(usd(c.audio)).toBe('0.056');
    expect(usd(c.total)).toBe('0.058');
  });

  it('7. audio tokens without an audio rate bill at the input rate (gpt-4o)', () => {
    // 800 × 2.5 + 200 × 2.5 = 2500 per 1M → 0.0025, of which audio 500 → 0.0005
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000, audioInputTokens: 200, outputTokens: 0 });
    expect(usd(c.audio)).toBe('0.0005');
    expect(usd(c.total)).toBe('0.0025');
  });

  it('8. image tokens (gpt-image-1)', () => {
    // text in 200 × 5 = 1000; image in 300 × 10 = 3000; image out 4160 × 40 = 166400 → 170400 → 0.1704
    const c = cost('openai', 'gpt-image-1', { inputTokens: 500, imageInputTokens: 300, outputTokens: 4160, imageOutputTokens: 4160 });
    expect(usd(c.image)).toBe('0.1694');
    expect(usd(c.total)).toBe('0.1704');
  });

  it('9. per image (dall-e-3)', () => {
    // 3 × 0.04 = 0.12
    const c = cost('openai', 'dall-e-3', { images: 3 });
    expect(usd(c.items)).toBe('0.12');
    expect(usd(c.total)).toBe('0.12');
    expect(c.incomplete).toBe(false);
  });

  it('10. per second, whole and fractional (whisper-1, $0.006/min)', () => {
    // 90 s × 0.0001 = 0.009;  12.5 s × 0.0001 = 0.00125
    expect(usd(cost('openai', 'whisper-1', { audioSeconds: 90 }).total)).toBe('0.009');
    expect(usd(cost('openai', 'whisper-1', { audioSeconds: 12.5 }).total)).toBe('0.00125');
  });

  it('11. per character (tts-1, tts-1-hd)', () => {
    // 2000 × 0.000015 = 0.03;  1234 × 0.00003 = 0.03702
    expect(usd(cost('openai', 'tts-1', { characters: 2000 }).total)).toBe('0.03');
    expect(usd(cost('openai', 'tts-1-hd', { characters: 1234 }).total)).toBe('0.03702');
  });

  it('12. embeddings: no output count is not incomplete (text-embedding-3-small)', () => {
    // 1000 × 0.02 = 20 per 1M → 0.00002; batch 1000 × 0.01 → 0.00001
    const c = cost('openai', 'text-embedding-3-small', { inputTokens: 1000 });
    expect(usd(c.total)).toBe('0.00002');
    expect(c.incomplete).toBe(false);
    expect(usd(cost('openai', 'text-embedding-3-small', { inputTokens: 1000 }, { serviceTier: 'batch' }).total)).toBe('0.00001');
  });
});

describe('service tiers', () => {
  it('13. flex (o3), reasoning at the flex output rate', () => {
    // uncached 6000 × 1 = 6000; cached 4000 × 0.25 = 1000; text 500 × 4 = 2000; reasoning 1500 × 4 = 6000
    // → 15000 per 1M → 0.015
    const c = cost('openai', 'o3', { inputTokens: 10000, cachedInputTokens: 4000, outputTokens: 2000, reasoningTokens: 1500 }, { serviceTier: 'flex' });
    expect(usd(c.total)).toBe('0.015');
    expect(c.serviceTierApplied).toBe('flex');
  });

  it('14. priority (gpt-4o)', () => {
    // uncached 500 × 4.25 = 2125; cached 500 × 2.125 = 1062.5; output 200 × 17 = 3400 → 6587.5 → 0.0065875
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000, cachedInputTokens: 500, outputTokens: 200 }, { serviceTier: 'priority' });
    expect(usd(c.total)).toBe('0.0065875');
    expect(c.serviceTierApplied).toBe('priority');
  });

  it('15. batch (gpt-4.1): a kind the batch tier does not name keeps its base rate', () => {
    // uncached 8000 × 1 = 8000; cached 2000 × 0.5 (base) = 1000; output 1000 × 4 = 4000 → 13000 → 0.013
    const c = cost('openai', 'gpt-4.1', { inputTokens: 10000, cachedInputTokens: 2000, outputTokens: 1000 }, { serviceTier: 'batch' });
    expect(usd(c.total)).toBe('0.013');
  });

  it('16. a tier the price lacks: standard rates, flagged (gpt-4o flex)', () => {
    // 1000 × 2.5 + 500 × 10 = 7500 → 0.0075
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000, outputTokens: 500 }, { serviceTier: 'flex' });
    expect(usd(c.total)).toBe('0.0075');
    expect(c.serviceTierApplied).toBeUndefined();
    expect(c.flags).toContain('service-tier-unpriced');
    // "default" is the standard tier: nothing to flag
    expect(cost('openai', 'gpt-4o', { inputTokens: 1, outputTokens: 1 }, { serviceTier: 'default' }).flags).toEqual([]);
  });

  it('17. Gemini flex: reasoning follows the flex output rate (gemini-3.1-flash-lite)', () => {
    // input 1000 × 0.125 = 125; text 400 × 0.75 = 300; reasoning 600 × 0.75 = 450 → 875 → 0.000875
    const c = cost('gemini', 'gemini-3.1-flash-lite', { inputTokens: 1000, outputTokens: 1000, reasoningTokens: 600 }, { serviceTier: 'flex' });
    expect(usd(c.total)).toBe('0.000875');
  });

  it('46. the tier the provider reports having used wins over the one requested (gpt-5)', () => {
    // asked priority, ran default: 1000 × 1.25 + 100 × 10 = 2250 → 0.00225 (priority would be 4500)
    const downgraded = cost('openai', 'gpt-5', { inputTokens: 1000, outputTokens: 100, serviceTier: 'default' }, { serviceTier: 'priority' });
    expect(usd(downgraded.total)).toBe('0.00225');
    expect(downgraded.serviceTierApplied).toBeUndefined();
    // asked nothing, ran flex: 1000 × 0.625 + 100 × 5 = 1125 → 0.001125
    const flex = cost('openai', 'gpt-5', { inputTokens: 1000, outputTokens: 100, serviceTier: 'flex' });
    expect(usd(flex.total)).toBe('0.001125');
    expect(flex.serviceTierApplied).toBe('flex');
  });
});

describe('272k tier (OpenAI)', () => {
  it('34. above 272k (gpt-5.5)', () => {
    // uncached 200000 × 10 = 2000000; cached 100000 × 1 = 100000; output 10000 × 45 = 450000 → 2.55
    const c = cost('openai', 'gpt-5.5', { inputTokens: 300000, cachedInputTokens: 100000, outputTokens: 10000 });
    expect(usd(c.total)).toBe('2.55');
    expect(c.tierApplied).toBe(272000);
  });

  it('35. exactly 272k (gpt-5.5)', () => {
    // 272000 × 5 = 1360000; 10000 × 30 = 300000 → 1.66
    const c = cost('openai', 'gpt-5.5', { inputTokens: 272000, outputTokens: 10000 });
    expect(usd(c.total)).toBe('1.66');
    expect(c.tierApplied).toBeUndefined();
  });

  it('36. priority above 272k, combination unpriced: the higher rate, flagged (gpt-5.6)', () => {
    // input max(10 priority, 10 tier) × 300000 = 3000000; output max(60, 45) × 1000 = 60000 → 3.06
    const c = cost('openai', 'gpt-5.6', { inputTokens: 300000, outputTokens: 1000 }, { serviceTier: 'priority' });
    expect(usd(c.total)).toBe('3.06');
    expect(c.flags).toContain('tier-and-service-tier-combined');
  });
});

describe('hand-made prices', () => {
  it('43. reasoning at its own reasoning rate', () => {
    // input 100 × 1 = 100; text 100 × 4 = 400; reasoning 200 × 2 = 400 → 900 → 0.0009
    const price = compilePrice(manualPrice({ model: 'r', rates: { input: '1', output: '4', reasoning: '2' } }));
    const c = computeCost({ inputTokens: 100, outputTokens: 300, reasoningTokens: 200 }, price);
    expect(usd(c.reasoning)).toBe('0.0004');
    expect(usd(c.total)).toBe('0.0009');
  });

  it('44. per request', () => {
    // 1 request × 0.005 = 0.005, whatever the tokens
    const price = compilePrice(manualPrice({
      model: 'q', unit: 'per_request', itemRates: [{ kind: 'request', unit: 'per_request', rate: '0.005' }],
    }));
    const c = computeCost({}, price);
    expect(usd(c.total)).toBe('0.005');
    expect(c.incomplete).toBe(false);
  });

  it('45. per_1k_tokens unit converts exactly', () => {
    // 0.0025 per 1k = 2.5 per 1M: 1000 × 2.5 + 100 × 10 = 3500 → 0.0035
    const price = compilePrice(manualPrice({ model: 'k', unit: 'per_1k_tokens', rates: { input: '0.0025', output: '0.01' } }));
    expect(usd(computeCost({ inputTokens: 1000, outputTokens: 100 }, price).total)).toBe('0.0035');
  });

  it('the breakdown parts add up to the computed total', () => {
    const c = cost('openai', 'gpt-4o-audio-preview', { inputTokens: 1000, cachedInputTokens: 100, audioInputTokens: 300, outputTokens: 500, audioOutputTokens: 200, reasoningTokens: 50 });
    expect(c.input + c.cachedInput + c.cacheWrite + c.output + c.reasoning + c.audio + c.image + c.items).toBe(c.computedTotal);
    expect(builtin('openai', 'gpt-4o-audio-preview').id).toBe(c.priceId);
  });
});
