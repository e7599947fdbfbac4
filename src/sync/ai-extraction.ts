/**
 * AI-assisted price extraction: a pricing page's text goes THROUGH THE GATEWAY (a Tollgate key,
 * so the call is budgeted and recorded like any other) to a configured chat model, which must
 * answer with the `price_extraction` JSON schema. The answer is only read here; whether a
 * figure is trusted is confidence.ts's business. Nothing here runs inside the gateway.
 */
import { adapterById } from '../providers/registry.js';
import type { Rates } from '../pricing/index.js';
import { canonicalDecimal } from './decimal.js';
import { fetchJson, SourceUnavailable } from './http.js';
import type { DiscoveredPrice } from './types.js';

export interface AiSettings {
  gatewayUrl: string;
  gatewayKey: string;
  /** Adapter id of the provider serving `model`; must have a chat route below. */
  provider: string;
  model: string;
  maxOutputTokens: number;
  maxPageChars: number;
  timeoutMs: number;
}

/** OpenAI-compatible chat paths by adapter id (a table, not an adapter method: see model-lists.ts). */
const CHAT_PATH: Readonly<Record<string, string>> = { openai: '/chat/completions', xai: '/chat/completions' };

export const aiProviders = (): string[] => Object.keys(CHAT_PATH);

const INSTRUCTIONS = [
  'You extract API list prices from the text of a provider pricing page.',
  'Return every model on the page that has a per-token price, one entry per model id exactly as the page writes it.',
  'Give prices in US dollars per 1 million tokens as plain decimal strings without a currency sign or thousands separators.',
  'Use the standard (non-batch, non-priority, short-context) price. Use null for a cached-input price the page does not give.',
  'Never guess or compute a price the page does not state.',
].join(' ');

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['prices'],
  properties: {
    prices: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['model', 'input_per_1m', 'cached_input_per_1m', 'output_per_1m'],
        properties: {
          model: { type: 'string' },
          input_per_1m: { type: 'string' },
          cached_input_per_1m: { type: ['string', 'null'] },
          output_per_1m: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface ExtractionRequest {
  url: string;
  body: Record<string, unknown>;
  /** Every message's text, for the cost estimate. */
  promptText: string;
  /** True when the page text was cut at maxPageChars. */
  truncated: boolean;
}

export function extractionRequest(settings: AiSettings, pageProvider: string, location: string, pageText: string): ExtractionRequest {
  const adapter = adapterById(settings.provider);
  const path = CHAT_PATH[settings.provider];
  if (!adapter || !path) throw new RangeError(`AI discovery needs a provider with a chat route (${aiProviders().join(', ')}), not "${settings.provider}"`);
  const truncated = pageText.length > settings.maxPageChars;
  const text = truncated ? pageText.slice(0, settings.maxPageChars) : pageText;
  const user = `Provider: ${pageProvider}\nPage: ${location}\n\nPage text:\n${text}`;
  const body = {
    model: settings.model,
    temperature: 0,
    max_completion_tokens: settings.maxOutputTokens,
    messages: [
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: user },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'price_extraction', strict: true, schema: SCHEMA } },
  };
  return { url: `${settings.gatewayUrl.replace(/\/+$/, '')}${adapter.routePrefixes[0]}${path}`, body, promptText: `${INSTRUCTIONS}\n${user}`, truncated };
}

/** A figure from the model as a canonical decimal string, or a problem. */
function figure(value: unknown, field: string, problems: string[]): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.replace(/^\$/, '').trim() : undefined;
  try {
    if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a plain decimal: ${JSON.stringify(value)}`);
    return canonicalDecimal(text);
  } catch (error) {
    problems.push(`${field}: ${(error as Error).message}`);
    return undefined;
  }
}

export function parseExtraction(content: unknown, pageProvider: string, origin: string): DiscoveredPrice[] {
  let parsed: unknown;
  try {
    parsed = typeof content === 'string' ? JSON.parse(content) : undefined;
  } catch {
    parsed = undefined;
  }
  const prices = (parsed as { prices?: unknown } | undefined)?.prices;
  if (!Array.isArray(prices)) throw new SourceUnavailable(origin, 'the model did not answer with the price_extraction JSON');
  const out: DiscoveredPrice[] = [];
  const seen = new Set<string>();
  for (const raw of prices as unknown[]) {
    const entry = (raw ?? {}) as Record<string, unknown>;
    if (typeof entry.model !== 'string' || entry.model.trim() === '' || seen.has(entry.model.trim())) continue;
    const model = entry.model.trim();
    seen.add(model);
    const problems: string[] = [];
    const rates: Rates = {};
    const input = figure(entry.input_per_1m, 'input_per_1m', problems);
    const cached = figure(entry.cached_input_per_1m, 'cached_input_per_1m', problems);
    const output = figure(entry.output_per_1m, 'output_per_1m', problems);
    if (input !== undefined) rates.input = input;
    if (cached !== undefined) rates.cachedInput = cached;
    if (output !== undefined) rates.output = output;
    out.push({ provider: pageProvider, model, source: 'ai', origin, rates, problems, confidence: 0, reasons: [] });
  }
  return out;
}

/** Sends the request through the gateway and reads the prices from the answer. */
export async function runExtraction(settings: AiSettings, request: ExtractionRequest, pageProvider: string, location: string): Promise<DiscoveredPrice[]> {
  const origin = `ai ${settings.provider}/${settings.model} on ${location}`;
  const answer = await fetchJson(
    request.url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.gatewayKey}` },
      body: JSON.stringify(request.body),
      timeoutMs: settings.timeoutMs,
    },
    `gateway ${request.url}`,
  );
  const content = (answer as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0]?.message?.content;
  return parseExtraction(content, pageProvider, origin);
}
