import type { EndpointKind, RouteMatch } from '../types.js';
import { headerValue, normalizePath, type HeaderBag } from '../shared/http.js';

/** `/models/{model}:{method}`; model ids never contain '/' or ':'. */
const MODEL_METHOD = /^\/models\/([^/:]+):([A-Za-z]+)$/;
const MODEL_GET = /^\/models\/([^/:]+)$/;

const METHODS: Readonly<Record<string, { kind: EndpointKind; streams: boolean }>> = {
  generateContent: { kind: 'generate', streams: false },
  streamGenerateContent: { kind: 'generate', streams: true },
  countTokens: { kind: 'count-tokens', streams: false },
  embedContent: { kind: 'embeddings', streams: false },
  batchEmbedContents: { kind: 'embeddings', streams: false },
};

const BILLABLE: ReadonlySet<EndpointKind> = new Set(['generate', 'embeddings']);

/** Routes of the Gemini Developer API (v1beta). Anything unnamed passes through, unpriced. */
export function matchGeminiRoute(method: string, path: string): RouteMatch {
  const upstreamPath = normalizePath(path);
  const verb = method.toUpperCase();
  if (verb === 'POST') {
    const match = MODEL_METHOD.exec(upstreamPath);
    const known = match ? METHODS[match[2]!] : undefined;
    if (match && known) {
      return { kind: known.kind, upstreamPath, pathModel: match[1]!, pathStreams: known.streams, billable: BILLABLE.has(known.kind) };
    }
  } else if (verb === 'GET') {
    if (upstreamPath === '/models') return { kind: 'models', upstreamPath, pathStreams: false, billable: false };
    const match = MODEL_GET.exec(upstreamPath);
    if (match) return { kind: 'models', upstreamPath, pathModel: match[1]!, pathStreams: false, billable: false };
  }
  return { kind: 'other', upstreamPath, pathStreams: false, billable: false };
}

/** js-genai sends `x-goog-api-key`; older clients and curl examples use `?key=`. */
export function googleKey(headers: HeaderBag, query: URLSearchParams): string | undefined {
  return headerValue(headers, 'x-goog-api-key') ?? (query.get('key')?.trim() || undefined);
}
