/**
 * Where sync reaches each provider: the adapter's base URL (or the configured override, which
 * is how tests point at the simulator) and the provider key from the gateway config. Requests
 * are built by the adapter's own `matchRoute` + `buildUpstream`, so the auth header each
 * provider wants (Bearer, x-goog-api-key) comes from src/providers and is not repeated here.
 */
import type { GatewayConfig, ProviderConfig } from '../config/schema.js';
import { adapterById, adapters } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/types.js';
import { fetchJson, SourceUnavailable } from './http.js';

export interface ProviderAccess {
  adapter: ProviderAdapter;
  baseUrl: string;
  apiKey?: string;
}

function providerConfig(config: Readonly<GatewayConfig>, id: string): ProviderConfig | undefined {
  return config.providers[id];
}

export const providerIds = (): string[] => adapters.map((a) => a.id);

export function isProviderId(id: string): boolean {
  return adapterById(id) !== undefined;
}

/** The providers a run covers: one when named, else every enabled one, in registry order. */
export function providersInScope(config: Readonly<GatewayConfig>, only?: string): ProviderAccess[] {
  return adapters
    .filter((adapter) => (only ? adapter.id === only : providerConfig(config, adapter.id)?.enabled !== false))
    .map((adapter) => {
      const own = providerConfig(config, adapter.id);
      return { adapter, baseUrl: own?.baseUrl ?? adapter.defaultBaseUrl, ...(own?.apiKey ? { apiKey: own.apiKey } : {}) };
    });
}

/**
 * GET one provider API path below its version root. Without a key and without a base URL
 * override the real API would refuse us anyway: say so instead of sending a doomed request.
 */
export async function providerGet(access: ProviderAccess, path: string, query: Record<string, string>, timeoutMs: number): Promise<unknown> {
  const { adapter } = access;
  const source = `${adapter.id} ${path}`;
  if (!access.apiKey && access.baseUrl === adapter.defaultBaseUrl) {
    throw new SourceUnavailable(source, `no API key (set ${adapter.apiKeyEnv} or providers.${adapter.id}.apiKey)`);
  }
  const route = adapter.matchRoute('GET', path);
  const upstream = adapter.buildUpstream(access.baseUrl, route, new URLSearchParams(query), access.apiKey);
  return fetchJson(upstream.url, { headers: { accept: 'application/json', ...upstream.headers }, timeoutMs }, source);
}
