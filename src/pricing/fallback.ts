/**
 * The universal fallback: what a model nobody priced costs. It must be conservative (a budget
 * must not be under-charged because a client typed a new model id), so by default it is, per
 * provider, the HIGHEST input and output rate any built-in of that provider names at standard
 * service (base or long-context tier) — derived from the data, not a made-up figure. Cached,
 * reasoning, audio and image tokens then follow input/output. Configurable per deployment.
 */
import type { Price, Rates } from './types.js';
import { isTokenUnit, rateToAttoPerBase } from './units.js';
import { attoToUsd } from '../core/money.js';

export interface FallbackConfig {
  /** Per-1M-token rates used for every provider without its own entry. */
  rates?: Rates;
  /** Per-1M-token rates for one provider. */
  perProvider?: Readonly<Record<string, Rates>>;
}

const FALLBACK_FROM = '1970-01-01';
const PER_MILLION = 1_000_000n;

function fallbackPrice(provider: string, rates: Rates): Price {
  return {
    id: `fallback:${provider}`,
    provider,
    model: '*',
    effectiveFrom: FALLBACK_FROM,
    source: 'fallback',
    currency: 'USD',
    billingModel: 'pay_per_use',
    unit: 'per_1m_tokens',
    rates,
    note: 'conservative fallback for a model without a price',
  };
}

/** Highest standard input/output rate (atto per token) over each provider's token prices. */
function maxima(prices: readonly Price[]): Map<string, { input: bigint; output: bigint }> {
  const out = new Map<string, { input: bigint; output: bigint }>();
  for (const price of prices) {
    if (!isTokenUnit(price.unit)) continue;
    const acc = out.get(price.provider) ?? { input: 0n, output: 0n };
    for (const rates of [price.rates, ...(price.tiers ?? []).map((t) => t.rates)]) {
      if (rates.input !== undefined) acc.input = max(acc.input, rateToAttoPerBase(rates.input, price.unit));
      if (rates.output !== undefined) acc.output = max(acc.output, rateToAttoPerBase(rates.output, price.unit));
    }
    out.set(price.provider, acc);
  }
  return out;
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** atto per token → decimal string per 1M tokens (exact: 1M × an integer). */
const perMillion = (atto: bigint): string => attoToUsd(atto * PER_MILLION);

export function fallbackPrices(
  builtins: readonly Price[],
  config: FallbackConfig = {},
): { perProvider: Map<string, Price>; default: Price } {
  const derived = maxima(builtins);
  const perProvider = new Map<string, Price>();
  let overall = { input: 0n, output: 0n };
  for (const [provider, m] of derived) {
    overall = { input: max(overall.input, m.input), output: max(overall.output, m.output) };
    const rates = config.perProvider?.[provider] ?? config.rates ?? { input: perMillion(m.input), output: perMillion(m.output) };
    perProvider.set(provider, fallbackPrice(provider, rates));
  }
  for (const [provider, rates] of Object.entries(config.perProvider ?? {})) {
    if (!perProvider.has(provider)) perProvider.set(provider, fallbackPrice(provider, rates));
  }
  const defaultRates = config.rates ?? { input: perMillion(overall.input), output: perMillion(overall.output) };
  return { perProvider, default: fallbackPrice('*', defaultRates) };
}
