import { geminiAdapter } from './gemini/index.js';
import { openaiAdapter } from './openai/index.js';
import type { ProviderAdapter } from './types.js';
import { normalizePath } from './shared/http.js';
import { xaiAdapter } from './xai/index.js';

/** Every provider the gateway serves. Adding one = one new folder + one line here. */
export const adapters: readonly ProviderAdapter[] = [openaiAdapter, geminiAdapter, xaiAdapter];

export interface AdapterMatch {
  adapter: ProviderAdapter;
  /** The route prefix that matched, e.g. "/openai/v1". */
  prefix: string;
  /** The rest of the path, below the provider's version root ("/" when nothing is left). */
  upstreamPath: string;
}

interface PrefixEntry {
  prefix: string;
  adapter: ProviderAdapter;
}

/** All prefixes, longest first, so "/openai/v1" wins over "/v1"; a prefix claimed twice fails at boot. */
export function prefixTable(list: readonly ProviderAdapter[]): readonly PrefixEntry[] {
  const seen = new Map<string, string>();
  const table: PrefixEntry[] = [];
  for (const adapter of list) {
    for (const prefix of adapter.routePrefixes) {
      const owner = seen.get(prefix);
      if (owner !== undefined) throw new Error(`route prefix ${prefix} claimed by both ${owner} and ${adapter.id}`);
      seen.set(prefix, adapter.id);
      table.push({ prefix, adapter });
    }
  }
  return table.sort((a, b) => b.prefix.length - a.prefix.length);
}

const TABLE = prefixTable(adapters);

/**
 * The adapter serving a request path (query allowed, ignored), by longest prefix on a segment
 * boundary: "/v1beta/..." is not "/v1" + "beta/...". The path is normalised first, the same way
 * the adapters match routes, so "//openai/v1/chat/completions" is served, not lost.
 */
export function findAdapter(path: string, table: readonly PrefixEntry[] = TABLE): AdapterMatch | undefined {
  const clean = normalizePath(path);
  for (const { prefix, adapter } of table) {
    if (clean === prefix) return { adapter, prefix, upstreamPath: '/' };
    if (clean.startsWith(prefix) && clean.charCodeAt(prefix.length) === 0x2f) {
      return { adapter, prefix, upstreamPath: clean.slice(prefix.length) };
    }
  }
  return undefined;
}

export function adapterById(id: string): ProviderAdapter | undefined {
  return adapters.find((adapter) => adapter.id === id);
}
