import type { Usage } from '../../core/usage.js';
import type { ProviderAdapter, RouteMatch, StreamTap, TapOptions } from '../types.js';
import { joinUrl } from '../shared/http.js';
import { isRecord, nonEmptyString } from '../shared/json.js';
import { openAiErrorBody } from './errors.js';
import { builtinPrices } from './prices.js';
import { openAiPrepareBody, openAiRequestFacts } from './facts.js';
import { bearerKey, matchOpenAiRoute } from './routes.js';
import { openAiStreamTap } from './stream.js';
import { openAiUsageMappers, usageFromBody, type UsageMappers } from './usage.js';

/**
 * The two methods that depend on a provider's usage semantics, built from its mappers.
 * OpenAI-compatible providers (xAI) spread the OpenAI adapter and replace just these.
 */
export function usageMethods(mappers: UsageMappers): Pick<ProviderAdapter, 'usageFromJson' | 'createStreamTap'> {
  return {
    usageFromJson: (route: RouteMatch, body: unknown): Usage | undefined => usageFromBody(mappers, route.kind, body),
    createStreamTap: (route: RouteMatch, options: TapOptions): StreamTap => openAiStreamTap(mappers, route, options),
  };
}

export const openaiAdapter: ProviderAdapter = {
  id: 'openai',
  displayName: 'OpenAI',
  // `/v1` too, so that clients whose base URL is just the gateway's origin + /v1 work.
  routePrefixes: ['/openai/v1', '/v1'],
  defaultBaseUrl: 'https://api.openai.com/v1',
  apiKeyEnv: 'OPENAI_API_KEY',
  builtinPrices,

  matchRoute: matchOpenAiRoute,
  extractClientKey: (headers) => bearerKey(headers),
  requestFacts: openAiRequestFacts,
  prepareBody: (route, body) => openAiPrepareBody(route, body),

  buildUpstream(baseUrl, route, query, providerKey) {
    const headers: Record<string, string> = {};
    if (providerKey) headers.authorization = `Bearer ${providerKey}`;
    return { url: joinUrl(baseUrl, route.upstreamPath, query), headers };
  },

  ...usageMethods(openAiUsageMappers),

  responseModelFromJson: (body) => (isRecord(body) ? nonEmptyString(body.model) : undefined),
  errorBody: openAiErrorBody,
};
