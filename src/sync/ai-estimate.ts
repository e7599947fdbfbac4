/**
 * What the AI extraction call will cost at most, before it runs, with the gateway's own
 * estimator and price catalog (the same numbers the gateway reserves against a budget):
 * prompt tokens counted from the exact request text plus the full output allowance.
 */
import { attoToUsd } from '../core/money.js';
import { estimateUsage } from '../estimate/estimate.js';
import { computeCost, PriceCatalog, type FallbackConfig, type Price } from '../pricing/index.js';

export interface AiCostEstimate {
  usd: string;
  inputTokens: number;
  outputTokens: number;
  /** 'database', 'builtin' or 'fallback' (the conservative price of an unknown model). */
  priceSource: string;
  tokenCount: 'exact' | 'approximate';
}

export function catalogFor(rows: readonly Price[], fallback: FallbackConfig): PriceCatalog {
  const catalog = new PriceCatalog({ fallback });
  catalog.replaceDatabaseRows(rows); // invalid rows are left out, as the gateway does
  return catalog;
}

export function estimateAiCall(catalog: PriceCatalog, provider: string, model: string, promptText: string, maxOutputTokens: number): AiCostEstimate {
  const estimate = estimateUsage({ model, stream: false, maxOutputTokens, promptText }, maxOutputTokens, true);
  const found = catalog.lookup(provider, model);
  const cost = computeCost(estimate.usage, found.price);
  return {
    usd: attoToUsd(cost.total),
    inputTokens: estimate.usage.inputTokens ?? 0,
    outputTokens: estimate.outputAllowance,
    priceSource: found.source,
    tokenCount: estimate.prompt.method,
  };
}
