/**
 * Hand-computed cost cases, part 2: Gemini, xAI, missing and inconsistent usage. Each comment gives the formula in USD (rates per 1M tokens, so
 * "86 × 1.1" means 86 tokens at $1.1/1M = $0.0000946). Expected values are exact decimal
 * strings from attoToUsd: equality is exact at 1e-18, well inside the required 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { cost, usd } from './helpers.js';

describe('Gemini shapes', () => {
  it('18. thoughts billed as reasoning (gemini-2.5-flash, gemini_generate.json)', () => {
    // prompt 5 ⊃ cached 3; candidates 238 + thoughts 41 = output 279 ⊃ reasoning 41
    // uncached 2 × 0.3 = 0.6; cached 3 × 0.03 = 0.09; text 238 × 2.5 = 595; thoughts 41 × 2.5 = 102.5
    // → 698.19 per 1M → 0.00069819
    const c = cost('gemini', 'gemini-2.5-flash', { inputTokens: 5, cachedInputTokens: 3, outputTokens: 279, reasoningTokens: 41 });
    expect(usd(c.reasoning)).toBe('0.0001025');
    expect(usd(c.total)).toBe('0.00069819');
  });

  it('19. tool-use prompt tokens at the input rate (gemini-2.5-flash, tooluse recording)', () => {
    // (22 + 247) × 0.3 = 80.7; text 90 × 2.5 = 225; thoughts 225 × 2.5 = 562.5 → 868.2 → 0.0008682
    const c = cost('gemini', 'gemini-2.5-flash', { inputTokens: 22, toolUseInputTokens: 247, outputTokens: 315, reasoningTokens: 225 });
    expect(usd(c.input)).toBe('0.0000807');
    expect(usd(c.total)).toBe('0.0008682');
  });

  it('20. audio input (gemini-2.5-flash)', () => {
    // text 500 × 0.3 = 150; audio 1500 × 1 = 1500; output 100 × 2.5 = 250 → 1900 → 0.0019
    const c = cost('gemini', 'gemini-2.5-flash', { inputTokens: 2000, audioInputTokens: 1500, outputTokens: 100 });
    expect(usd(c.total)).toBe('0.0019');
  });

  it('21. above 200k: the tier prices the whole request (gemini-2.5-pro)', () => {
    // uncached 200000 × 2.5 = 500000; cached 50000 × 0.25 = 12500; text 1000 × 15 = 15000;
    // thoughts 1000 × 15 = 15000 → 542500 → 0.5425
    const c = cost('gemini', 'gemini-2.5-pro', { inputTokens: 250000, cachedInputTokens: 50000, outputTokens: 2000, reasoningTokens: 1000 });
    expect(usd(c.total)).toBe('0.5425');
    expect(c.tierApplied).toBe(200000);
  });

  it('22. exactly 200k is not above 200k (gemini-2.5-pro)', () => {
    // 200000 × 1.25 = 250000; 1000 × 10 = 10000 → 260000 → 0.26
    const c = cost('gemini', 'gemini-2.5-pro', { inputTokens: 200000, outputTokens: 1000 });
    expect(usd(c.total)).toBe('0.26');
    expect(c.tierApplied).toBeUndefined();
  });

  it('23. tool-use prompt tokens count towards the threshold (gemini-2.5-pro)', () => {
    // 199000 + 2000 = 201000 > 200k: (199000 + 2000) × 2.5 = 502500; 100 × 15 = 1500 → 504000 → 0.504
    const c = cost('gemini', 'gemini-2.5-pro', { inputTokens: 199000, toolUseInputTokens: 2000, outputTokens: 100 });
    expect(usd(c.total)).toBe('0.504');
    expect(c.tierApplied).toBe(200000);
  });

  it('24. priority above 200k uses the tier\'s own priority rates (gemini-3-pro-preview)', () => {
    // uncached 200000 × 7.2 = 1440000; cached 50000 × 0.72 = 36000; output 1000 × 32.4 = 32400
    // → 1508400 → 1.5084
    const c = cost('gemini', 'gemini-3-pro-preview', { inputTokens: 250000, cachedInputTokens: 50000, outputTokens: 1000 }, { serviceTier: 'priority' });
    expect(usd(c.total)).toBe('1.5084');
    expect(c.tierApplied).toBe(200000);
    expect(c.serviceTierApplied).toBe('priority');
    expect(c.flags).not.toContain('tier-and-service-tier-combined');
  });

  it('25. embeddings (gemini-embedding-001)', () => {
    // 5000 × 0.15 = 750 → 0.00075
    const c = cost('gemini', 'gemini-embedding-001', { inputTokens: 5000 });
    expect(usd(c.total)).toBe('0.00075');
    expect(c.incomplete).toBe(false);
  });
});

describe('xAI shapes', () => {
  // xai_chat.json: prompt 10120 ⊃ cached 128; completion 1499 + reasoning 2809 (additive, so the
  // mapper reports outputTokens 4308 ⊃ reasoning 2809); cost_in_usd_ticks 232856000.
  const grokUsage = { inputTokens: 10120, cachedInputTokens: 128, outputTokens: 4308, reasoningTokens: 2809 };

  it('26. additive reasoning computed (grok-4.3) reproduces the ticks exactly', () => {
    // uncached 9992 × 1.25 = 12490; cached 128 × 0.2 = 25.6; text 1499 × 2.5 = 3747.5;
    // reasoning 2809 × 2.5 = 7022.5 → 23285.6 → 0.0232856 (= 232856000 ticks / 1e10)
    const c = cost('xai', 'grok-4.3', grokUsage);
    expect(usd(c.total)).toBe('0.0232856');
  });

  it('27. ticks are the total; the computed figure is kept beside it', () => {
    // billed: 232856000 ticks × 1e8 atto per tick (1 tick = 1e-10 USD) = 0.0232856 → total
    // computed as in 26: 9992 × 1.25 + 128 × 0.2 + 1499 × 2.5 + 2809 × 2.5
    //   = 12490 + 25.6 + 3747.5 + 7022.5 = 23285.6 per 1M → 0.0232856 (equal: nothing extra billed)
    const ticks = 232856000n;
    const c = cost('xai', 'grok-4.3', { ...grokUsage, providerCostAttoUsd: ticks * 10n ** 8n });
    expect(c.costSource).toBe('provider');
    expect(usd(c.total)).toBe('0.0232856');
    expect(usd(c.computedTotal)).toBe('0.0232856');
  });

  it('28. ticks include server-side tool fees the tokens do not (xai_responses_usage.json)', () => {
    // computed: uncached 6140 × 1.25 = 7675; cached 3072 × 0.2 = 614.4; output 3417 × 2.5 = 8542.5
    // → 16831.9 → 0.0168319. Billed 318319000 ticks = 0.0318319 (3 x_search calls on top).
    const c = cost('xai', 'grok-4.3', {
      inputTokens: 9212, cachedInputTokens: 3072, outputTokens: 3417, reasoningTokens: 0, providerCostAttoUsd: 318319000n * 10n ** 8n,
    });
    expect(usd(c.total)).toBe('0.0318319');
    expect(usd(c.computedTotal)).toBe('0.0168319');
  });

  it('29. above 128k (grok-4-fast-reasoning): cached keeps its base rate, the tier names none', () => {
    // uncached 127001 × 0.4 = 50800.4; cached 1000 × 0.05 = 50; output 1000 × 1 = 1000 → 51850.4 → 0.0518504
    const c = cost('xai', 'grok-4-fast-reasoning', { inputTokens: 128001, cachedInputTokens: 1000, outputTokens: 1000 });
    expect(usd(c.total)).toBe('0.0518504');
    expect(c.tierApplied).toBe(128000);
  });

  it('30. exactly 128k stays at the base rate (grok-4-fast-reasoning)', () => {
    // 128000 × 0.2 = 25600; 1000 × 0.5 = 500 → 26100 → 0.0261
    const c = cost('xai', 'grok-4-fast-reasoning', { inputTokens: 128000, outputTokens: 1000 });
    expect(usd(c.total)).toBe('0.0261');
    expect(c.tierApplied).toBeUndefined();
  });

  it('31. grok-4 has no cached rate: cached tokens bill at the input rate, once', () => {
    // 600 × 3 + 400 × 3 = 3000 → 0.003, cached part 1200 → 0.0012
    const c = cost('xai', 'grok-4', { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 0 });
    expect(usd(c.cachedInput)).toBe('0.0012');
    expect(usd(c.total)).toBe('0.003');
  });

  it('32. above 200k (grok-4.3)', () => {
    // 300000 × 2.5 = 750000; 1000 × 5 = 5000 → 755000 → 0.755
    expect(usd(cost('xai', 'grok-4.3', { inputTokens: 300000, outputTokens: 1000 }).total)).toBe('0.755');
  });

  it('33. a negative provider cost is rejected: computed total used, flagged', () => {
    // -5 atto is no bill: the computed total applies, as in 26:
    // 9992 × 1.25 + 128 × 0.2 + 1499 × 2.5 + 2809 × 2.5 = 23285.6 per 1M → 0.0232856
    const c = cost('xai', 'grok-4.3', { ...grokUsage, providerCostAttoUsd: -5n });
    expect(c.costSource).toBe('computed');
    expect(usd(c.total)).toBe('0.0232856');
    expect(c.flags).toContain('provider-cost-rejected');
  });
});

describe('missing, invalid and inconsistent usage', () => {
  it('37. missing output → incomplete, input still billed (gpt-4o)', () => {
    // 1000 × 2.5 = 2500 → 0.0025
    const c = cost('openai', 'gpt-4o', { inputTokens: 1000 });
    expect(usd(c.total)).toBe('0.0025');
    expect(c.incomplete).toBe(true);
    expect(c.flags).toContain('missing-output');
  });

  it('38. missing input → incomplete, known parts still billed (gpt-4o)', () => {
    // input unknown but cached 100 known: 100 × 1.25 = 125; output 100 × 10 = 1000 → 1125 → 0.001125
    const c = cost('openai', 'gpt-4o', { cachedInputTokens: 100, outputTokens: 100 });
    expect(usd(c.total)).toBe('0.001125');
    expect(c.incomplete).toBe(true);
    expect(c.clamped).toBe(false);
  });

  it('39. no usage at all → 0 and incomplete; a missing item count too', () => {
    // gpt-4o: input and output unknown → 0 × 2.5 + 0 × 10 = 0, incomplete (never a $0 "fact":
    // the accounting prices such a call by its estimate instead)
    // whisper-1: seconds unknown → 0 s × 0.0001 per second (0.006 per minute) = 0, incomplete
    const c = cost('openai', 'gpt-4o', {});
    expect(c.total).toBe(0n);
    expect(c.incomplete).toBe(true);
    expect(cost('openai', 'whisper-1', {}).incomplete).toBe(true);
    expect(cost('openai', 'whisper-1', {}).total).toBe(0n);
  });

  it('40. cached larger than input is clamped, never negative (gpt-4o)', () => {
    // cached 150 cut to 100: 100 × 1.25 = 125; uncached 0; output 10 × 10 = 100 → 225 → 0.000225
    const c = cost('openai', 'gpt-4o', { inputTokens: 100, cachedInputTokens: 150, outputTokens: 10 });
    expect(usd(c.total)).toBe('0.000225');
    expect(c.input).toBe(0n);
    expect(c.clamped).toBe(true);
    expect(c.flags).toContain('clamped-input-subsets');
  });

  it('41. reasoning larger than output is clamped (o3)', () => {
    // reasoning 50 cut to 30: 30 × 8 = 240 → 0.00024
    const c = cost('openai', 'o3', { inputTokens: 0, outputTokens: 30, reasoningTokens: 50 });
    expect(usd(c.total)).toBe('0.00024');
    expect(c.clamped).toBe(true);
  });

  it('42. a negative or fractional token count is unknown, not negative money', () => {
    // input -1000 and output 1.5 are not token counts → both unknown: 0 × 2.5 + 0 × 10 = 0
    // (not -1000 × 2.5 = -0.0025), incomplete and flagged invalid-count
    const c = cost('openai', 'gpt-4o', { inputTokens: -1000, outputTokens: 1.5 });
    expect(c.total).toBe(0n);
    expect(c.incomplete).toBe(true);
    expect(c.flags).toContain('invalid-count');
  });
});

