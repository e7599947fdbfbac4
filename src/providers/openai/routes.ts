import type { EndpointKind, RouteMatch } from '../types.js';
import { headerValue, normalizePath, type HeaderBag } from '../shared/http.js';

const BILLABLE: ReadonlySet<EndpointKind> = new Set(['chat', 'responses', 'embeddings']);

/**
 * Routes of the OpenAI surface. Only the calls the gateway can price are named; the rest are
 * passed through as "other" (not budgeted: see the report on /completions, /images ...).
 */
export function matchOpenAiRoute(method: string, path: string): RouteMatch {
  const upstreamPath = normalizePath(path);
  const kind = openAiKind(method.toUpperCase(), upstreamPath);
  return { kind, upstreamPath, pathStreams: false, billable: BILLABLE.has(kind) };
}

function openAiKind(method: string, path: string): EndpointKind {
  if (method === 'POST') {
    if (path === '/chat/completions') return 'chat';
    if (path === '/responses') return 'responses';
    if (path === '/embeddings') return 'embeddings';
    return 'other';
  }
  if (method === 'GET' && (path === '/models' || /^\/models\/[^/]+$/.test(path))) return 'models';
  return 'other';
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** The OpenAI SDKs (and xAI's docs) send `Authorization: Bearer <key>`. */
export function bearerKey(headers: HeaderBag): string | undefined {
  const value = headerValue(headers, 'authorization');
  return value ? BEARER.exec(value)?.[1] : undefined;
}
