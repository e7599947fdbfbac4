import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { KeyStore } from '../auth/key-store.js';
import { sanitizeUrl } from '../logging.js';
import type { GatewayError, ProviderAdapter, RequestFacts } from '../providers/types.js';
import type { Accounting, CallContext } from './accounting.js';
import { forwardableRequestHeaders, forwardableResponseHeaders } from './headers.js';
import { readWhole, relayStream } from './relay.js';
import { transportError, type UpstreamPools } from './upstream.js';

/** A provider as this gateway reaches it: the adapter, where its upstream is, and its key. */
export interface ProviderRuntime {
  adapter: ProviderAdapter;
  baseUrl: string;
  providerKey?: string;
  /** Served by the built-in simulator (demo mode), not by the real provider. */
  simulated?: boolean;
}

export interface ForwardDeps {
  pools: UpstreamPools;
  keys: KeyStore;
  accounting: Accounting;
  logger: Logger;
  /** Largest upstream JSON body the gateway buffers to read its usage. */
  responseLimitBytes: number;
  /** Told when an upstream answer ended, so metrics can tell the gateway's time from the provider's. */
  onUpstreamTiming?: (call: CallContext, timing: UpstreamTiming) => void;
}

/** performance.now() instants of one upstream exchange. */
export interface UpstreamTiming {
  /** The request was handed to the pool. */
  sentAt: number;
  /** The response headers arrived. */
  headersAt: number;
  /** The body ended (streams: the relay finished). */
  endedAt: number;
}


const AUTH_MESSAGES = {
  missing: 'No Tollgate key was provided. Put it where your SDK puts its API key.',
  invalid: 'The Tollgate key is not valid.',
  expired: 'The Tollgate key has expired.',
  revoked: 'The Tollgate key has been revoked.',
} as const;

export function sendError(reply: FastifyReply, adapter: ProviderAdapter, error: GatewayError, headers: Record<string, string> = {}) {
  return reply.code(error.status).headers(headers).send(adapter.errorBody(error));
}

/** The handler behind every provider route: auth, admit, forward, relay, finish. */
export function createForwardHandler(runtime: ProviderRuntime, prefix: string, deps: ForwardDeps) {
  const { adapter } = runtime;
  const base = new URL(runtime.baseUrl);
  const origin = base.origin;

  return async function forward(request: FastifyRequest, reply: FastifyReply) {
    const receivedAt = performance.now();
    // Watch for the client going away from the very start: it may leave while we check its key
    // or its budget, and a listener attached later would never hear of it.
    const abort = new AbortController();
    let clientGone = false;
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) {
        clientGone = true;
        abort.abort();
      }
    });
    const rawUrl = request.raw.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1));
    const upstreamPath = pathname.slice(prefix.length) || '/';
    // Only origin-form targets ("/openai/v1/..."): an absolute-form one ("http://host/openai/v1/...")
    // is routed by its path but would be cut here at the wrong place, so it is refused.
    if (!pathname.startsWith(`${prefix}/`) || !safePath(upstreamPath)) {
      return sendError(reply, adapter, { kind: 'invalid_request', status: 400, message: 'The request path is not allowed.' });
    }

    let check;
    try {
      check = await deps.keys.verify(adapter.extractClientKey(request.headers, query));
    } catch (error) {
      deps.logger.error({ requestId: request.id, err: (error as Error).message }, 'key check failed: the database did not answer');
      return sendError(reply, adapter, { kind: 'service_unavailable', status: 503, message: 'The Tollgate key cannot be checked right now; the request was not sent.' });
    }
    if (!check.ok) {
      return sendError(reply, adapter, { kind: 'unauthorized', status: 401, message: AUTH_MESSAGES[check.reason] });
    }
    const key = check.key;
    if (key.allowedProviders.length > 0 && !key.allowedProviders.includes(adapter.id)) {
      return sendError(reply, adapter, { kind: 'forbidden', status: 403, message: `This key may not use provider ${adapter.id}.` });
    }

    const route = adapter.matchRoute(request.method, upstreamPath);
    const parsed = parseBody(request, route.billable);
    if ('error' in parsed) return sendError(reply, adapter, parsed.error);
    const facts = adapter.requestFacts(route, parsed.json);
    const invalid = invalidRequest(route.kind, route.billable, facts);
    if (invalid) return sendError(reply, adapter, invalid);
    if (facts.model && key.allowedModels.length > 0 && !key.allowedModels.includes(facts.model)) {
      return sendError(reply, adapter, { kind: 'forbidden', status: 403, message: `This key may not use model ${facts.model}.` });
    }

    const call: CallContext = { requestId: request.id, receivedAt, receivedAtDate: new Date(), key, adapter, route, facts };
    const admitted = await deps.accounting.admit(call);
    if (!admitted.ok) return sendError(reply, adapter, admitted.error, admitted.headers);
    const { admission } = admitted;

    let body: Buffer | undefined = parsed.raw;
    let stripInjectedUsage = false;
    if (parsed.json !== undefined) {
      const prepared = adapter.prepareBody(route, parsed.json, facts);
      stripInjectedUsage = prepared.stripInjectedUsage;
      if (prepared.body !== parsed.json) body = Buffer.from(JSON.stringify(prepared.body));
    }
    const target = adapter.buildUpstream(runtime.baseUrl, route, query, runtime.providerKey);
    const targetUrl = new URL(target.url);
    if (targetUrl.origin !== origin) throw new Error('adapter built an upstream URL outside its origin');
    const headers = { ...forwardableRequestHeaders(request.headers), ...target.headers };
    if (body) headers['content-length'] = String(body.length);

    const finish = (status: number, streamed: boolean, extra: { usage?: ReturnType<typeof adapter.usageFromJson>; responseModel?: string; ttftMs?: number; errorCode?: string }) =>
      deps.accounting.finish(call, admission, { status, streamed, latencyMs: performance.now() - receivedAt, ...extra });

    // A client that went away while it was admitted is not forwarded; one that goes away later
    // cancels the upstream request (the signal), so nobody pays for tokens no one reads.
    if (clientGone) {
      finish(499, facts.stream || route.pathStreams, { errorCode: 'client_abort' });
      return abandon(reply);
    }

    let upstream;
    const sentAt = performance.now();
    try {
      upstream = await deps.pools.for(origin).request({
        path: targetUrl.pathname + targetUrl.search,
        method: request.method as 'POST',
        headers,
        body,
        signal: abort.signal,
      });
    } catch (error) {
      const mapped = clientGone ? undefined : transportError(error);
      finish(mapped?.status ?? 499, facts.stream || route.pathStreams, { errorCode: clientGone ? 'client_abort' : mapped!.kind });
      if (!mapped) return abandon(reply);
      deps.logger.warn({ requestId: request.id, provider: adapter.id, url: sanitizeUrl(rawUrl), cause: mapped.details?.cause }, 'upstream transport error');
      return sendError(reply, adapter, mapped, admission.headers);
    }

    const headersAt = performance.now();
    const responseHeaders = forwardableResponseHeaders(upstream.headers);
    const contentType = String(upstream.headers['content-type'] ?? '');
    if (contentType.includes('text/event-stream')) {
      reply.hijack();
      reply.raw.writeHead(upstream.statusCode, { ...responseHeaders, 'x-request-id': request.id, ...admission.headers });
      const tap = adapter.createStreamTap(route, { stripInjectedUsage });
      const result = await relayStream(upstream.body, reply.raw, tap, () => clientGone);
      const endedAt = performance.now();
      finish(upstream.statusCode, true, {
        usage: tap.usage(),
        responseModel: tap.responseModel(),
        ttftMs: result.firstByteAt === undefined ? undefined : result.firstByteAt - receivedAt,
        errorCode: result.errorCode,
      });
      deps.onUpstreamTiming?.(call, { sentAt, headersAt, endedAt });
      return reply;
    }

    let whole: Buffer;
    try {
      whole = await readWhole(upstream.body, deps.responseLimitBytes);
    } catch (error) {
      const mapped = transportError(error);
      finish(mapped.status, false, { errorCode: clientGone ? 'client_abort' : 'upstream_reset' });
      return clientGone ? abandon(reply) : sendError(reply, adapter, mapped, admission.headers);
    }
    const endedAt = performance.now();
    const json = contentType.includes('json') ? parseJson(whole) : undefined;
    const { costUsd } = finish(upstream.statusCode, false, {
      usage: json === undefined ? undefined : adapter.usageFromJson(route, json),
      responseModel: json === undefined ? undefined : adapter.responseModelFromJson(json),
    });
    reply.code(upstream.statusCode).headers(responseHeaders).headers(admission.headers);
    if (costUsd !== undefined) reply.header('x-tollgate-cost-usd', costUsd);
    deps.onUpstreamTiming?.(call, { sentAt, headersAt, endedAt });
    return reply.send(whole);
  };
}


/** The client is gone: end the exchange at once instead of leaving Fastify waiting for a reply. */
function abandon(reply: FastifyReply): FastifyReply {
  reply.hijack();
  reply.raw.destroy();
  return reply;
}

type ParsedBody = { raw?: Buffer; json?: unknown } | { error: GatewayError };

/** JSON bodies are parsed once, here; other bodies pass through as bytes. */
function parseBody(request: FastifyRequest, billable: boolean): ParsedBody {
  const raw = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
  if (!raw) return {};
  const contentType = String(request.headers['content-type'] ?? '');
  if (!/\bjson\b/i.test(contentType)) {
    if (billable) return { error: { kind: 'unsupported_media_type', status: 415, message: 'The request body must be JSON (Content-Type: application/json).' } };
    return { raw };
  }
  const json = parseJson(raw);
  if (json === undefined) return { error: { kind: 'invalid_request', status: 400, message: 'The request body is not valid JSON.' } };
  return { raw, json };
}

function invalidRequest(kind: string, billable: boolean, facts: RequestFacts): GatewayError | undefined {
  if (billable && !facts.model) return { kind: 'invalid_request', status: 400, message: 'The request names no model.' };
  if (facts.stream && kind === 'embeddings') return { kind: 'invalid_request', status: 400, message: 'This endpoint does not stream; remove "stream": true.' };
  return undefined;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** No dot segments, backslashes or encoded separators: the path stays below the provider root. */
function safePath(path: string): boolean {
  return !/(^|\/)\.\.?(\/|$)|\\|%2e|%2f|%5c/i.test(path) && !path.startsWith('//');
}
