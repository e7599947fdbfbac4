import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Metrics } from './definitions.js';
import type { CounterSeries } from './fast.js';

/**
 * GET /metrics in the Prometheus text format, and a count of every HTTP response by route
 * pattern (`/openai/v1/*`, `/admin/keys/:id`; `unmatched` for 404s without a route), so
 * rejected keys and malformed requests, which never reach accounting, are visible too.
 */
export function metricsRoutes(registry: Registry, http: Metrics['http']) {
  return (app: FastifyInstance) => {
    const byRoute = new Map<string, Map<number, CounterSeries>>();
    // A hook rather than per-route code: it runs for hijacked (streamed) replies as well,
    // once the response has finished. The statuses and route patterns are both bounded.
    // Callback style, not async: no promise per response.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      let byStatus = byRoute.get(route);
      if (!byStatus) byRoute.set(route, (byStatus = new Map()));
      let series = byStatus.get(reply.statusCode);
      if (!series) byStatus.set(reply.statusCode, (series = http.series(route, String(reply.statusCode))));
      series.inc();
      done();
    });
    app.get('/metrics', async (_request, reply) => {
      const text = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(text);
    });
  };
}
