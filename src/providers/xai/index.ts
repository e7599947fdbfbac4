import { openaiAdapter, usageMethods } from '../openai/index.js';
import type { ProviderAdapter, RouteMatch } from '../types.js';
import { builtinPrices } from './prices.js';
import { xaiUsageMappers } from './usage.js';

/** xAI's extra, free listing with prices: GET /language-models and /language-models/{id}. */
const LANGUAGE_MODELS = /^\/language-models(\/[^/]+)?$/;

/**
 * xAI is the OpenAI adapter with overrides: same SDK (openai), same routes, same auth, same
 * error shape for the gateway's own errors (xAI's native `{code, error}` body is only what its
 * upstream sends); its own prefix, base URL, key and usage semantics.
 */
export const xaiAdapter: ProviderAdapter = {
  ...openaiAdapter,
  id: 'xai',
  displayName: 'xAI',
  routePrefixes: ['/xai/v1'],
  defaultBaseUrl: 'https://api.x.ai/v1',
  apiKeyEnv: 'XAI_API_KEY',
  builtinPrices,

  matchRoute(method: string, path: string): RouteMatch {
    const route = openaiAdapter.matchRoute(method, path);
    if (route.kind === 'other' && method.toUpperCase() === 'GET' && LANGUAGE_MODELS.test(route.upstreamPath)) {
      return { ...route, kind: 'models' };
    }
    return route;
  },

  ...usageMethods(xaiUsageMappers),
};
