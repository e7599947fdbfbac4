/**
 * The universal fallback: what a model nobody priced costs. It must be conservative (a budget
 * must not be under-charged because a client typed a new model id), so for each provider it is,
 * rate by rate, the HIGHER of
 *   - the configured floor (`pricing.fallbackInputPer1M` / `fallbackOutputPer1M`, or a
 *     per-provider entry), and
 *   - the highest input and output rate any known price of that provider (built-in or database row) names in any layer
 *     (base, long-context tier, service tier): OpenAI's is o1-pro's $150 / $600 per 1M.
 * A configured figure can raise the fallback but never lower it below a known model's price:
 * an unknown `o1-pro-2027` must not cost less than o1-pro. A provider without built-ins has
 * no known family to protect: it gets its configured rates, and only with nothing configured
 * the highest rate of all built-ins. Cached, reasoning, audio and image tokens then follow
 * input/output.
 */
import type { Price, Rates } from './types.js';
import { isTokenUnit, rateToAttoPerBase } from './units.js';
import { attoToUsd } from '../core/money.js';

export interface FallbackConfig {
  /** Per-1M-token floor for every provider (the gateway passes the pricing.fallback* config). */
  rates?: Rates;
  /** Per-1M-token floor for one provider, instead of `rates`. */
  perProvider?: Readonly<Record<string, Rates>>;
}

const FALLBACK_FROM = '1970-01-01';
const PER_MILLION = 1_000_000n;

interface Maxima {
  input: bigint;
  output: bigint;
}

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

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** Every rate layer of a price: base, service tiers, long-context tiers and their service tiers. */
function layersOf(price: Price): Rates[] {
  const services = (s: Price['serviceTiers']): Rates[] => Object.values(s ?? {}).filter((r): r is Rates => r !== undefined);
  return [price.rates, ...services(price.serviceTiers), ...(price.tiers ?? []).flatMap((t) => [t.rates, ...services(t.serviceTiers)])];
}

/** Highest input/output rate (atto per token) over each provider's token prices. */
function maxima(prices: readonly Price[]): Map<string, Maxima> {
  const out = new Map<string, Maxima>();
  for (const price of prices) {
    if (!isTokenUnit(price.unit)) continue;
    const acc = out.get(price.provider) ?? { input: 0n, output: 0n };
    for (const rates of layersOf(price)) {
      if (rates.input !== undefined) acc.input = max(acc.input, rateToAttoPerBase(rates.input, price.unit));
      if (rates.output !== undefined) acc.output = max(acc.output, rateToAttoPerBase(rates.output, price.unit));
    }
    out.set(price.provider, acc);
  }
  return out;
}

/** A configured per-1M floor as atto per token; an unset rate is no floor (0). */
function floorOf(rates: Rates | undefined): Maxima {
  const atto = (rate: string | undefined): bigint => (rate === undefined ? 0n : rateToAttoPerBase(rate, 'per_1m_tokens'));
  return { input: atto(rates?.input), output: atto(rates?.output) };
}

/** atto per token → decimal string per 1M tokens (exact: 1M × an integer). */
const perMillion = (atto: bigint): string => attoToUsd(atto * PER_MILLION);

function higher(floor: Maxima, known: Maxima): Rates {
  return { input: perMillion(max(floor.input, known.input)), output: perMillion(max(floor.output, known.output)) };
}

export function fallbackPrices(
  builtins: readonly Price[],
  config: FallbackConfig = {},
): { perProvider: Map<string, Price>; default: Price } {
  const derived = maxima(builtins);
  const floorFor = (provider: string): Maxima => floorOf(config.perProvider?.[provider] ?? config.rates);
  const perProvider = new Map<string, Price>();
  let overall: Maxima = { input: 0n, output: 0n };
  for (const [provider, known] of derived) {
    overall = { input: max(overall.input, known.input), output: max(overall.output, known.output) };
    perProvider.set(provider, fallbackPrice(provider, higher(floorFor(provider), known)));
  }
  for (const [provider, rates] of Object.entries(config.perProvider ?? {})) {
    if (!perProvider.has(provider)) perProvider.set(provider, fallbackPrice(provider, rates));
  }
  return { perProvider, default: fallbackPrice('*', config.rates ?? higher(floorOf(undefined), overall)) };
}
