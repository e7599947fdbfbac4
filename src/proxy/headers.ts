import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 hop-by-hop headers: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request headers the gateway replaces or must never pass on: the client's Tollgate key (in
 * any of the places an SDK puts it), the Host, the length (the body may be rewritten), and
 * Accept-Encoding (the tap reads usage from the bytes, so the upstream must not compress).
 */
const CLIENT_ONLY = new Set([
  'host',
  'content-length',
  'authorization',
  'x-goog-api-key',
  'x-api-key',
  'api-key',
  'accept-encoding',
  'cookie',
  'x-request-id',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);

/** Headers the gateway sets itself on responses. */
const RESPONSE_DROP = new Set(['content-length', 'set-cookie', 'alt-svc', 'x-request-id']);

/**
 * A provider's CORS answer (often `Access-Control-Allow-Origin: *`) speaks for the provider's
 * origin, not the gateway's: passed through, it would open the gateway to every web page.
 * CORS is closed unless the gateway itself decides otherwise.
 */
const CORS_PREFIX = 'access-control-';

function connectionListed(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Set<string> {
  const value = headers.connection;
  const listed = new Set<string>();
  if (typeof value === 'string') for (const name of value.split(',')) listed.add(name.trim().toLowerCase());
  return listed;
}

export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const listed = connectionListed(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || CLIENT_ONLY.has(name) || listed.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  out['accept-encoding'] = 'identity';
  return out;
}

export function forwardableResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || RESPONSE_DROP.has(name) || listed.has(name) || name.startsWith(CORS_PREFIX)) continue;
    out[name] = value;
  }
  return out;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client's own request id is kept when it is short and plain; anything else is replaced. */
export function saneRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : undefined;
}
