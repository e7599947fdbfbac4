/**
 * xAI's `GET /v1/language-models`: the provider's own price list. Prices are integers in USD
 * cents per 100M tokens (= 1e-10 USD per token, xAI's "ticks"), so USD per 1M tokens is the
 * figure / 10^4, exactly. Only the text prices map onto our rate kinds; image-prompt and
 * search prices are not token rates of ours and are left out.
 */
import { attoToUsd, usdToAtto } from '../core/money.js';
import type { Rates } from '../pricing/index.js';
import { literalToPlain } from './decimal.js';
import { SourceUnavailable } from './http.js';
import { providerGet, type ProviderAccess } from './providers.js';
import type { DiscoveredPrice } from './types.js';

/** The adapter this source belongs to. */
export const XAI_LANGUAGE_MODELS_PROVIDER = 'xai';

const FIELDS: ReadonlyArray<[field: string, kind: keyof Rates]> = [
  ['prompt_text_token_price', 'input'],
  ['cached_prompt_text_token_price', 'cachedInput'],
  ['completion_text_token_price', 'output'],
];

/** Ticks per token → USD per 1M tokens: atto per token is ticks × 1e8, per 1M × 1e6. */
export function ticksToPer1M(ticks: number | string): string {
  const plain = literalToPlain(String(ticks));
  if (plain.startsWith('-')) throw new RangeError(`negative price ${plain}`);
  const attoPer1M = usdToAtto(plain) / 10_000n; // plain × 1e18 / 1e4 = ticks × 1e14 atto per 1M tokens
  if (attoPer1M * 10_000n !== usdToAtto(plain)) throw new RangeError(`${plain} ticks is finer than 1e-18 USD per 1M tokens`);
  return attoToUsd(attoPer1M);
}

export function parseLanguageModels(body: unknown, origin: string): DiscoveredPrice[] {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new SourceUnavailable(origin, 'unexpected answer (no "models" list)');
  const out: DiscoveredPrice[] = [];
  for (const item of models as unknown[]) {
    const entry = (item ?? {}) as Record<string, unknown>;
    if (typeof entry.id !== 'string' || entry.id === '') continue;
    const rates: Rates = {};
    const problems: string[] = [];
    for (const [field, kind] of FIELDS) {
      const value = entry[field];
      if (value === undefined || value === null) continue;
      try {
        if (typeof value !== 'number' && typeof value !== 'string') throw new RangeError('not a number');
        rates[kind] = ticksToPer1M(value);
      } catch (error) {
        problems.push(`${field}: ${(error as Error).message}`);
      }
    }
    out.push({ provider: XAI_LANGUAGE_MODELS_PROVIDER, model: entry.id, source: 'xai-language-models', origin, rates, problems, confidence: 0, reasons: [] });
  }
  return out;
}

export async function readLanguageModels(access: ProviderAccess, timeoutMs: number): Promise<DiscoveredPrice[]> {
  const body = await providerGet(access, '/language-models', {}, timeoutMs);
  return parseLanguageModels(body, `xai-language-models ${access.baseUrl}/language-models`);
}
