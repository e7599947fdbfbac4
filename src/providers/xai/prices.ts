/**
 * xAI built-in list prices, effective 2026-07-24. DATA ONLY.
 *
 * Source: /work/shared/reference/pricing, the `xai/<model>` entries of the LiteLLM catalog.
 * USD per 1M tokens, copied exactly; test/pricing/builtin-reference.test.ts checks every
 * figure against the JSON. `*_above_128k_tokens` / `*_above_200k_tokens` → a long-context
 * tier on the whole request. xAI reports `cost_in_usd_ticks`; when present it is the billed
 * total and these prices only produce the computed figure kept beside it.
 *
 * Known gaps in the reference, kept as found:
 * - grok-4 has no cached-input price (PROVENANCE.md), so cached tokens bill at the input rate;
 *   it also lacks the 128k tier that grok-4-0709 and grok-4-latest carry.
 * - grok-4.3 and grok-4.5 have a 200k tier (not 128k) in the reference.
 * - The 128k tiers of the grok-4 fast models name no cached rate: cached keeps its base rate.
 * - Deprecation dates in the catalog: grok-3 2026-05-15, grok-3-mini 2026-02-28, grok-4-0709,
 *   the grok-4(-1) fast models and grok-code-fast-1 2026-05-15, grok-3-mini-beta 2026-02-28.
 * - grok-2-vision and grok-vision-beta list input_cost_per_image (per INPUT image): the `image`
 *   item bills generated images and no usage counts input images, so it is not carried.
 * - Ids whose figures equal their family's (grok-2-1212, grok-3-latest, ...) resolve to it by
 *   their date or -latest suffix and have no entry of their own.
 */
import { builtinPrice, type BuiltinSpec } from '../../pricing/builtin.js';
import type { Price } from '../../pricing/types.js';
import type { Tier } from '../../pricing/types.js';

const P = 'xai';

/** One price under several ids the reference lists with identical figures. */
const each = (models: readonly string[], spec: BuiltinSpec): Price[] => models.map((model) => builtinPrice(P, model, spec));

const deprecated = (date: string): string => `deprecation_date ${date} in the reference catalog`;

/** The grok-4 fast models share one price in the reference. */
const fast = {
  rates: { input: '0.2', cachedInput: '0.05', output: '0.5' },
  tiers: [{ aboveInputTokens: 128_000, rates: { input: '0.4', output: '1' } }] as readonly Tier[],
  note: deprecated('2026-05-15'),
};

const grok4Long = {
  rates: { input: '3', output: '15' },
  tiers: [{ aboveInputTokens: 128_000, rates: { input: '6', output: '30' } }] as readonly Tier[],
};

export const builtinPrices: readonly Price[] = Object.freeze([
  builtinPrice(P, 'grok-3', {
    rates: { input: '3', cachedInput: '0.75', output: '15' },
    note: deprecated('2026-05-15'),
  }),
  builtinPrice(P, 'grok-3-mini', {
    rates: { input: '0.3', cachedInput: '0.075', output: '0.5' },
    note: deprecated('2026-02-28'),
  }),
  builtinPrice(P, 'grok-4', { rates: { input: '3', output: '15' } }),
  builtinPrice(P, 'grok-4-0709', { ...grok4Long, note: deprecated('2026-05-15') }),
  builtinPrice(P, 'grok-4-latest', grok4Long),
  builtinPrice(P, 'grok-4-fast-reasoning', fast),
  builtinPrice(P, 'grok-4-fast-non-reasoning', fast),
  builtinPrice(P, 'grok-4-1-fast-reasoning', fast),
  builtinPrice(P, 'grok-4-1-fast-non-reasoning', fast),
  builtinPrice(P, 'grok-4.20-0309-reasoning', {
    rates: { input: '2', cachedInput: '0.2', output: '6' },
  }),
  builtinPrice(P, 'grok-4.3', {
    rates: { input: '1.25', cachedInput: '0.2', output: '2.5' },
    tiers: [{ aboveInputTokens: 200_000, rates: { input: '2.5', cachedInput: '0.4', output: '5' } }],
  }),
  builtinPrice(P, 'grok-4.5', {
    rates: { input: '2', cachedInput: '0.5', output: '6' },
    tiers: [{ aboveInputTokens: 200_000, rates: { input: '4', cachedInput: '1', output: '12' } }],
  }),
  builtinPrice(P, 'grok-code-fast-1', {
    rates: { input: '0.2', cachedInput: '0.02', output: '1.5' },
    note: deprecated('2026-05-15'),
  }),
  builtinPrice(P, 'grok-code-fast', { rates: { input: '0.2', cachedInput: '0.02', output: '1.5' } }),
  builtinPrice(P, 'grok-4-1-fast', { rates: fast.rates, tiers: fast.tiers }),
  ...each(['grok-4.20-beta-0309-reasoning', 'grok-4.20-beta-0309-non-reasoning', 'grok-4.20-multi-agent-beta-0309'], {
    rates: { input: '2', cachedInput: '0.2', output: '6' },
  }),

  // ---- Earlier and beta ids still listed in the reference
  ...each(['grok-2', 'grok-2-vision'], { rates: { input: '2', output: '10' } }),
  ...each(['grok-beta', 'grok-vision-beta'], { rates: { input: '5', output: '15' } }),
  builtinPrice(P, 'grok-3-beta', { rates: { input: '3', cachedInput: '0.75', output: '15' } }),
  ...each(['grok-3-fast-beta', 'grok-3-fast-latest'], { rates: { input: '5', cachedInput: '1.25', output: '25' } }),
  builtinPrice(P, 'grok-3-mini-beta', { rates: { input: '0.3', cachedInput: '0.075', output: '0.5' }, note: deprecated('2026-02-28') }),
  ...each(['grok-3-mini-fast', 'grok-3-mini-fast-beta'], { rates: { input: '0.6', cachedInput: '0.15', output: '4' } }),
]);
