/**
 * A price list in LiteLLM's catalog format (model_prices_and_context_window.json): one entry
 * per model, USD per token as JSON numbers, `litellm_provider` naming the provider, keys
 * "<model>" (OpenAI) or "<provider>/<model>". Numbers are read from their literal text, not
 * through a float, so "2.5e-06" becomes exactly 2.5 per 1M tokens.
 */
import { RATE_KINDS, type RateKind, type Rates, type ServiceTierName, type ServiceTierRates, type Tier } from '../pricing/index.js';
import { perTokenToPer1M } from './decimal.js';
import type { DiscoveredPrice } from './types.js';

/** LiteLLM field of each rate kind; also what the built-in prices are checked against in tests. */
export const KIND_KEY: Readonly<Record<RateKind, string>> = {
  input: 'input_cost_per_token',
  cachedInput: 'cache_read_input_token_cost',
  cacheWrite: 'cache_creation_input_token_cost',
  output: 'output_cost_per_token',
  reasoning: 'output_cost_per_reasoning_token',
  audioInput: 'input_cost_per_audio_token',
  audioOutput: 'output_cost_per_audio_token',
  imageInput: 'input_cost_per_image_token',
  imageOutput: 'output_cost_per_image_token',
};
const SERVICE_SUFFIX: Readonly<Record<string, ServiceTierName>> = { _flex: 'flex', _priority: 'priority', _batches: 'batch' };
const FIELD = /^(.+?)(?:_above_(\d+)k_tokens)?(_flex|_priority|_batches)?$/;
const KIND_OF_KEY = new Map(RATE_KINDS.map((kind) => [KIND_KEY[kind], kind]));

/** litellm_provider → adapter id; Vertex and every other provider are not ours. */
const PROVIDERS: Readonly<Record<string, string>> = { openai: 'openai', gemini: 'gemini', xai: 'xai' };

/** Marks a number's literal text so it survives JSON.parse unchanged. */
class Literal {
  constructor(readonly text: string) {}
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

/** JSON.parse keeping every number as its source text (Node ≥ 21); older runtimes fall back to the shortest round-trip text. */
export function parseJsonKeepingNumbers(text: string): unknown {
  const reviver: Reviver = (_key, value, context) => (typeof value === 'number' ? new Literal(context?.source ?? String(value)) : value);
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Literal);

function entryPrice(provider: string, model: string, entry: Record<string, unknown>, origin: string): DiscoveredPrice | undefined {
  const base: Rates = {};
  const tiers = new Map<number, Tier>();
  const services: ServiceTierRates = {};
  const problems: string[] = [];
  for (const [field, raw] of Object.entries(entry)) {
    const match = FIELD.exec(field);
    const kind = match ? KIND_OF_KEY.get(match[1]!) : undefined;
    if (!match || !kind) continue;
    const literal = raw instanceof Literal ? raw.text : typeof raw === 'string' ? raw : undefined;
    let per1M: string;
    try {
      if (literal === undefined) throw new RangeError('not a number');
      per1M = perTokenToPer1M(literal);
      if (per1M.startsWith('-')) throw new RangeError('negative');
    } catch (error) {
      problems.push(`${field}: ${(error as Error).message}`);
      continue;
    }
    const service = match[3] ? SERVICE_SUFFIX[match[3]] : undefined;
    let target: Rates;
    if (match[2]) {
      const above = Number(match[2]) * 1000;
      const tier = tiers.get(above) ?? { aboveInputTokens: above, rates: {} };
      tiers.set(above, tier);
      if (service) {
        const own = (tier.serviceTiers ??= {});
        target = own[service] ??= {};
      } else target = tier.rates;
    } else target = service ? (services[service] ??= {}) : base;
    target[kind] = per1M;
  }
  // Entries without a per-token input price are images, audio seconds, ...: not ours to sync.
  if (base.input === undefined && problems.length === 0) return undefined;
  const price: DiscoveredPrice = { provider, model, source: 'litellm', origin, rates: base, problems, confidence: 0, reasons: [] };
  if (tiers.size > 0) price.tiers = [...tiers.values()].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  if (Object.keys(services).length > 0) price.serviceTiers = services;
  return price;
}

/** Every token-priced entry of our providers in a LiteLLM catalog text. Throws when it is not a catalog. */
export function parseLiteLlmCatalog(text: string, origin: string): DiscoveredPrice[] {
  const catalog = parseJsonKeepingNumbers(text);
  if (!isRecord(catalog)) throw new RangeError('not a LiteLLM catalog (the top level must be an object of models)');
  const out: DiscoveredPrice[] = [];
  const seen = new Set<string>();
  for (const [key, entry] of Object.entries(catalog)) {
    if (!isRecord(entry) || typeof entry.litellm_provider !== 'string') continue; // e.g. "sample_spec"
    const provider = PROVIDERS[entry.litellm_provider];
    if (!provider) continue;
    const prefix = `${entry.litellm_provider}/`;
    const model = key.startsWith(prefix) ? key.slice(prefix.length) : key;
    // "gpt-4o" and "openai/gpt-4o" may both exist: the first one wins, as LiteLLM's lookup does.
    if (seen.has(`${provider}/${model}`)) continue;
    const price = entryPrice(provider, model, entry, origin);
    if (price) {
      seen.add(`${provider}/${model}`);
      out.push(price);
    }
  }
  return out;
}
