/** Shared helpers for the pricing tests. */
import { attoToUsd } from '../../src/core/money.js';
import { BUILTIN_PRICES } from '../../src/pricing/catalog.js';
import { compilePrice } from '../../src/pricing/compile.js';
import { computeCost } from '../../src/pricing/cost.js';
import type { CostBreakdown, CostOptions, PricedUsage } from '../../src/pricing/cost.js';
import type { CompiledPrice, Price } from '../../src/pricing/types.js';

const compiled = new Map<string, CompiledPrice>();

/** The compiled built-in price of provider/model (exact id; throws when absent). */
export function builtin(provider: string, model: string): CompiledPrice {
  const key = `${provider}/${model}`;
  let price = compiled.get(key);
  if (!price) {
    const source = BUILTIN_PRICES.find((p) => p.provider === provider && p.model === model);
    if (!source) throw new Error(`no built-in price for ${key}`);
    price = compilePrice(source);
    compiled.set(key, price);
  }
  return price;
}

export function cost(provider: string, model: string, usage: PricedUsage, options?: CostOptions): CostBreakdown {
  return computeCost(usage, builtin(provider, model), options);
}

export const usd = (atto: bigint): string => attoToUsd(atto);

/** A hand-made price for shapes the built-ins do not have (per request, own reasoning rate). */
export function manualPrice(overrides: Partial<Price> & Pick<Price, 'model'>): Price {
  return {
    id: `manual:test:${overrides.model}`,
    provider: 'test',
    effectiveFrom: '2026-01-01',
    source: 'manual',
    currency: 'USD',
    billingModel: 'pay_per_use',
    unit: 'per_1m_tokens',
    rates: {},
    ...overrides,
  };
}
