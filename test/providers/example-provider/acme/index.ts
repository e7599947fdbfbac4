/**
 * Acme speaks the OpenAI wire format (chat completions, responses, embeddings, models, SSE with
 * `stream_options.include_usage`), so it is the OpenAI adapter with its own identity, base URL,
 * key and prices. Everything else (routes, auth header, usage taps, error shape) is inherited.
 */
import { openaiAdapter } from '../../../../src/providers/openai/index.js';
import type { ProviderAdapter } from '../../../../src/providers/types.js';
import { builtinPrices } from './prices.js';

export const acmeAdapter: ProviderAdapter = {
  ...openaiAdapter,
  id: 'acme',
  displayName: 'Acme AI',
  routePrefixes: ['/acme/v1'],
  defaultBaseUrl: 'https://api.acme.example/v1',
  apiKeyEnv: 'ACME_API_KEY',
  builtinPrices,
  // Without ACME_API_KEY, a fresh gateway serves Acme from the simulator's OpenAI surface.
  simulatorPrefix: '/openai/v1',
};
