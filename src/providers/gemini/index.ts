import type { ProviderAdapter } from '../types.js';
import { joinUrl } from '../shared/http.js';
import { isRecord, nonEmptyString } from '../shared/json.js';
import { blindTap } from '../shared/tap.js';
import { geminiErrorBody } from './errors.js';
import { geminiRequestFacts } from './facts.js';
import { builtinPrices } from './prices.js';
import { googleKey, matchGeminiRoute } from './routes.js';
import { GeminiStreamTap } from './stream.js';
import { geminiEmbeddingUsage, geminiUsage } from './usage.js';

/** The Gemini Developer API (generativelanguage.googleapis.com, v1beta), as js-genai calls it. */
export const geminiAdapter: ProviderAdapter = {
  id: 'gemini',
  displayName: 'Google Gemini',
  // @google/genai 3.x calls `v1` by default and `v1beta` when asked; both are served, and both
  // go to the configured base (v1beta by default), whose surface is a superset of v1's.
  routePrefixes: ['/gemini/v1beta', '/gemini/v1'],
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  apiKeyEnv: 'GEMINI_API_KEY',
  builtinPrices,

  matchRoute: matchGeminiRoute,
  extractClientKey: googleKey,
  requestFacts: geminiRequestFacts,
  // Gemini reports usage in every response and stream chunk: nothing to ask for.
  prepareBody: (_route, body) => ({ body, stripInjectedUsage: false }),

  buildUpstream(baseUrl, route, query, providerKey) {
    // The client's `?key=` is its Tollgate key: it must never reach Google. `alt=sse` and
    // every other parameter are the client's business and pass unchanged.
    const forwarded = new URLSearchParams(query);
    forwarded.delete('key');
    const headers: Record<string, string> = {};
    if (providerKey) headers['x-goog-api-key'] = providerKey;
    return { url: joinUrl(baseUrl, route.upstreamPath, forwarded), headers };
  },

  usageFromJson(route, body) {
    if (!isRecord(body)) return undefined;
    if (route.kind === 'generate') return geminiUsage(body.usageMetadata);
    if (route.kind === 'embeddings') return geminiEmbeddingUsage(body.usageMetadata);
    return undefined; // countTokens and listings are free
  },

  responseModelFromJson: (body) => (isRecord(body) ? nonEmptyString(body.modelVersion) : undefined),
  createStreamTap: (route) => (route.kind === 'generate' ? new GeminiStreamTap() : blindTap()),
  errorBody: geminiErrorBody,
};
