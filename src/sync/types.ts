/** Shapes shared by the price sources, the confidence scoring and the sync planner. */
import type { Rates, ServiceTierRates, Tier } from '../pricing/index.js';

export type DiscoverySource = 'litellm' | 'xai-language-models' | 'ai';

/** A price read from a discovery source, always USD per 1M tokens. */
export interface DiscoveredPrice {
  provider: string;
  model: string;
  source: DiscoverySource;
  /** Where it came from, for notes and reports: "litellm https://…/catalog.json". */
  origin: string;
  rates: Rates;
  tiers?: Tier[];
  serviceTiers?: ServiceTierRates;
  /** Found while reading (a figure that is not a decimal, ...); any makes confidence 0. */
  problems: string[];
  /** 0..1, set by confidence.ts; applied only at or above sync.discovery.confidenceThreshold. */
  confidence: number;
  /** Why the confidence is what it is, for the report. */
  reasons: string[];
}

export const keyOf = (provider: string, model: string): string => `${provider}/${model}`;
