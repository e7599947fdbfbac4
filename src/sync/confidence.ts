/**
 * How far a discovered price is trusted, 0..1. It starts from how the source states prices
 * (the provider's own API > a maintained catalog > a model reading a web page), rises when an
 * independent source or the shipped built-in says exactly the same, and is 0 when the figures
 * fail a sanity check (missing input/output, out of range, cached dearer than input, not a
 * decimal). Confidence says whether a figure was READ right; whether a big CHANGE may be
 * applied is the change threshold's business (pricing sync --yes), so a real price rise from
 * a trusted source is not marked down for being a rise.
 */
import { usdToAtto } from '../core/money.js';
import { rateToAttoPerBase, type Price, type Rates } from '../pricing/index.js';
import { keyOf, type DiscoveredPrice, type DiscoverySource } from './types.js';

export const BASE_CONFIDENCE: Readonly<Record<DiscoverySource, number>> = { 'xai-language-models': 0.9, litellm: 0.8, ai: 0.7 };
/** Another source (not the same kind) gives the same input and output price. */
const AGREEMENT_BONUS = 0.1;
/** The built-in shipped with Tollgate gives the same input and output price. */
const BUILTIN_BONUS = 0.1;
/** Order among equally confident candidates. */
const PRECEDENCE: readonly DiscoverySource[] = ['xai-language-models', 'litellm', 'ai'];

/**
 * USD per 1M tokens above which a figure is a misread, not a list price: the dearest token
 * rate in the reference catalog is in the low hundreds.
 */
export const MAX_SANE_PER_1M = '1000';
const MAX_SANE = usdToAtto(MAX_SANE_PER_1M);

function allRates(price: DiscoveredPrice): Array<[string, Rates]> {
  const out: Array<[string, Rates]> = [['rates', price.rates]];
  for (const [name, rates] of Object.entries(price.serviceTiers ?? {})) out.push([name, rates]);
  for (const tier of price.tiers ?? []) out.push([`above ${tier.aboveInputTokens}`, tier.rates]);
  return out;
}

/** Why a discovered price cannot be trusted at all; empty when it passes. */
export function sanityProblems(price: DiscoveredPrice): string[] {
  const problems = [...price.problems];
  if (price.rates.input === undefined) problems.push('no input price');
  if (price.rates.output === undefined) problems.push('no output price');
  for (const [where, rates] of allRates(price)) {
    for (const [kind, rate] of Object.entries(rates)) {
      if (rate !== undefined && usdToAtto(rate) > MAX_SANE) problems.push(`${where === 'rates' ? '' : `${where} `}${kind} ${rate} per 1M is above the sane maximum ${MAX_SANE_PER_1M}`);
    }
  }
  const { input, cachedInput } = price.rates;
  if (input !== undefined && cachedInput !== undefined && usdToAtto(cachedInput) > usdToAtto(input)) problems.push(`cached input ${cachedInput} dearer than input ${input}`);
  return problems;
}

function attoPerToken(rates: Rates, kind: 'input' | 'output', unit: Price['unit']): bigint | undefined {
  const rate = rates[kind];
  if (rate === undefined) return undefined;
  try {
    return rateToAttoPerBase(rate, unit);
  } catch {
    return undefined;
  }
}

function sameInputOutput(a: Rates, aUnit: Price['unit'], b: Rates, bUnit: Price['unit']): boolean {
  return (['input', 'output'] as const).every((kind) => {
    const x = attoPerToken(a, kind, aUnit);
    return x !== undefined && x === attoPerToken(b, kind, bUnit);
  });
}

/** Sets `confidence` and `reasons` on every discovered price, in place. */
export function scoreDiscovered(all: readonly DiscoveredPrice[], builtinOf: (provider: string, model: string) => Price | undefined): void {
  const groups = new Map<string, DiscoveredPrice[]>();
  for (const price of all) {
    const key = keyOf(price.provider, price.model);
    groups.set(key, [...(groups.get(key) ?? []), price]);
  }
  const sane = new Map(all.map((p) => [p, sanityProblems(p)]));
  for (const price of all) {
    const problems = sane.get(price)!;
    if (problems.length > 0) {
      price.confidence = 0;
      price.reasons = problems;
      continue;
    }
    let score = BASE_CONFIDENCE[price.source];
    const reasons = [`${price.source} ${BASE_CONFIDENCE[price.source].toFixed(2)}`];
    const agreeing = groups
      .get(keyOf(price.provider, price.model))!
      .filter((o) => o.source !== price.source && sane.get(o)!.length === 0 && sameInputOutput(o.rates, 'per_1m_tokens', price.rates, 'per_1m_tokens'));
    if (agreeing.length > 0) {
      score += AGREEMENT_BONUS;
      reasons.push(`agrees with ${[...new Set(agreeing.map((o) => o.source))].join(', ')} +${AGREEMENT_BONUS}`);
    }
    const builtin = builtinOf(price.provider, price.model);
    if (builtin && sameInputOutput(builtin.rates, builtin.unit, price.rates, 'per_1m_tokens')) {
      score += BUILTIN_BONUS;
      reasons.push(`agrees with the built-in +${BUILTIN_BONUS}`);
    } else reasons.push(builtin ? 'differs from the built-in' : 'no built-in to compare');
    price.confidence = Math.min(1, Math.round(score * 100) / 100);
    price.reasons = reasons;
  }
}

export interface Choice {
  /** Per model key, the most confident price at or above the threshold. */
  chosen: Map<string, DiscoveredPrice>;
  /** Below the threshold: reported, never applied. */
  rejected: DiscoveredPrice[];
}

export function chooseDiscovered(all: readonly DiscoveredPrice[], threshold: number): Choice {
  const chosen = new Map<string, DiscoveredPrice>();
  const rejected: DiscoveredPrice[] = [];
  const ranked = [...all].sort((a, b) => b.confidence - a.confidence || PRECEDENCE.indexOf(a.source) - PRECEDENCE.indexOf(b.source));
  for (const price of ranked) {
    const key = keyOf(price.provider, price.model);
    if (price.confidence < threshold) rejected.push(price);
    else if (!chosen.has(key)) chosen.set(key, price);
  }
  return { chosen, rejected };
}
