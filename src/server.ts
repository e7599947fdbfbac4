import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import type { KeyStore } from './auth/key-store.js';
import type { ProviderAdapter, GatewayError } from './providers/types.js';
import type { Accounting } from './proxy/accounting.js';
import { createForwardHandler, sendError, type ForwardDeps, type ProviderRuntime } from './proxy/forward.js';
import { findAdapter, prefixTable } from './providers/registry.js';
import { clientErrorHandler } from './proxy/client-errors.js';
import { saneRequestId } from './proxy/headers.js';
import type { UpstreamPools } from './proxy/upstream.js';

export interface ServerDeps {
  logger: Logger;
  providers: ProviderRuntime[];
  pools: UpstreamPools;
  keys: KeyStore;
  accounting: Accounting;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Metrics hook: how long each upstream exchange took (see ForwardDeps). */
  onUpstreamTiming?: ForwardDeps['onUpstreamTiming'];
  /** Extra routes (admin API, metrics, health) registered by their own plugins. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
}

const RESPONSE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Builds the Fastify app: one catch-all route per provider prefix, each with its adapter. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own request logs would print URLs with `?key=`; we log sanitized lines instead.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: the gateway logs with its own logger and request ids, and a
    // child per request showed up in the saturation profile (bench/RESULTS.md).
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => saneRequestId(req.headers['x-request-id']) ?? randomUUID(),
    routerOptions: { ignoreTrailingSlash: false },
    // What Node's parser refuses (control characters, oversized headers) in the provider's shape.
    clientErrorHandler: clientErrorHandler((path) => adapterFor(path)),
  });

  // Bodies stay bytes: JSON is parsed once by the forward handler, other types pass through.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  for (const runtime of deps.providers) {
    for (const prefix of runtime.adapter.routePrefixes) {
      const handler = createForwardHandler(runtime, prefix, {
        pools: deps.pools,
        keys: deps.keys,
        accounting: deps.accounting,
        logger: deps.logger,
        responseLimitBytes: RESPONSE_LIMIT_BYTES,
        onUpstreamTiming: deps.onUpstreamTiming,
      });
      app.all(`${prefix}/*`, handler);
    }
  }
  // The registry's own lookup (longest prefix, normalised path), over the providers served here.
  const table = prefixTable(deps.providers.map((runtime) => runtime.adapter));
  const adapterFor = (url: string): ProviderAdapter | undefined => findAdapter(url, table)?.adapter;

  app.setNotFoundHandler((request, reply) => {
    const error: GatewayError = { kind: 'not_found', status: 404, message: `No route for ${request.method} ${request.url.split('?')[0]}.` };
    const adapter = adapterFor(request.url) ?? deps.providers[0]?.adapter;
    return adapter ? sendError(reply, adapter, error) : reply.code(404).send({ error: { message: error.message, type: 'not_found' } });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const adapter = adapterFor(request.url) ?? deps.providers[0]!.adapter;
    const mapped = errorFromFastify(error);
    if (mapped.status >= 500) deps.logger.error({ requestId: request.id, err: error.message }, 'request failed');
    return sendError(reply, adapter, mapped);
  });

  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}

/** Fastify's own errors (body too large, bad content type ...) in the gateway's vocabulary. */
function errorFromFastify(error: FastifyError): GatewayError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { kind: 'payload_too_large', status: 413, message: 'The request body is larger than this gateway accepts.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { kind: 'unsupported_media_type', status: 415, message: 'Unsupported Content-Type.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { kind: 'invalid_request', status: 400, message: error.message };
    default:
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return { kind: 'invalid_request', status: error.statusCode, message: error.message };
      }
      return { kind: 'internal', status: 500, message: 'The gateway failed to handle this request.' };
  }
}
