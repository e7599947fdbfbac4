import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../metrics/index.js';

/**
 * /healthz: the process answers (no dependency is asked, so a slow database never gets a live
 * process restarted). /readyz: PostgreSQL reachable with every migration applied, and Redis
 * reachable when one is configured; 503 names what is failing. `database` and `budgets` stay
 * top-level booleans for scripts that already read them.
 */
export function healthRoutes(deps: { readiness: () => Promise<Readiness> }) {
  return (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_request, reply) => {
      const r = await deps.readiness();
      return reply.code(r.ready ? 200 : 503).send({
        status: r.ready ? 'ready' : 'not ready',
        failing: r.failing,
        database: r.database.migrated,
        budgets: r.redis.reachable,
        checks: { database: r.database, redis: r.redis },
      });
    });
  };
}
