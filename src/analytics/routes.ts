/**
 * The analytics API under /analytics: admin token (Bearer / x-admin-token), or a dashboard
 * session cookie, since the dashboard reads the same endpoints. GET only, JSON out.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z, ZodError } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { adminGuard } from '../admin/auth.js';
import { NotFoundError } from '../admin/hierarchy.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import type { BudgetLevel, BudgetStore } from '../budgets/types.js';
import type { PriceCatalog } from '../pricing/index.js';
import { readCookie, type SessionKeys } from '../dashboard/session.js';
import { alertsSummary } from './alerts-summary.js';
import { allCounters, entityStatus, presentAll } from './budgets.js';
import { DAY_MS, HOUR_MS, parseRange } from './range.js';
import { realtime } from './realtime.js';
import { recommendations } from './recommendations.js';
import { breakdown, compare, trends, usageReport, type Bucket } from './reports.js';
import { DIMENSION_NAMES, FILTERS, type Dimension, type Filters } from './sql.js';

export interface AnalyticsDeps {
  prisma: PrismaClient;
  store: BudgetStore;
  directory: BudgetDirectory;
  catalog: PriceCatalog;
  adminToken: string;
  sessions: SessionKeys;
}

const dimension = z.enum(DIMENSION_NAMES as [Dimension, ...Dimension[]]);
const id = z.string().min(1).max(200);
const base = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  organizationId: id.optional(),
  projectId: id.optional(),
  teamId: id.optional(),
  userId: id.optional(),
  apiKeyId: id.optional(),
  provider: id.optional(),
  model: id.optional(),
});
const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

function filtersOf(q: z.infer<typeof base>): Filters {
  return Object.fromEntries(Object.keys(FILTERS).flatMap((name) => (q[name as keyof Filters] === undefined ? [] : [[name, q[name as keyof Filters]]]))) as Filters;
}

const DEFAULT_SPAN: Record<Bucket, number> = { hour: 48 * HOUR_MS, day: 30 * DAY_MS, week: 12 * 7 * DAY_MS };
const DASHBOARD_RANGES = { '24h': { ms: DAY_MS, bucket: 'hour' }, '7d': { ms: 7 * DAY_MS, bucket: 'hour' }, '30d': { ms: 30 * DAY_MS, bucket: 'day' }, '90d': { ms: 90 * DAY_MS, bucket: 'week' } } as const;

export function analyticsRoutes(deps: AnalyticsDeps) {
  return async (root: FastifyInstance) => {
    await root.register(
      async (app) => {
        const guard = adminGuard(deps.adminToken);
        app.addHook('onRequest', async (request, reply) => {
          if (deps.sessions.verify(readCookie(request))) return;
          return guard(request, reply);
        });
        app.setErrorHandler((error, _request, reply) => sendError(reply, error));
        const { prisma } = deps;
        const budgetViews = async () => presentAll(prisma, await allCounters(deps));

        app.get('/usage', async (request) => {
          const q = base.extend({ groupBy: dimension.optional(), limit: count(1, 1000, 50) }).parse(request.query);
          return usageReport(prisma, parseRange(q, 7 * DAY_MS), filtersOf(q), q.groupBy, q.limit);
        });
        app.get('/trends', async (request) => {
          const q = base.extend({ bucket: z.enum(['hour', 'day', 'week']).default('day'), by: dimension.optional(), top: count(1, 20, 6) }).parse(request.query);
          return trends(prisma, parseRange(q, DEFAULT_SPAN[q.bucket]), q.bucket, filtersOf(q), q.by, q.top);
        });
        app.get('/breakdown', async (request) => {
          const q = base.extend({ by: dimension.default('provider'), limit: count(1, 1000, 50) }).parse(request.query);
          return breakdown(prisma, parseRange(q, 30 * DAY_MS), q.by, filtersOf(q), q.limit);
        });
        app.get('/compare', async (request) => {
          const q = base.extend({ period: z.enum(['day', 'week', 'month']).default('week'), by: dimension.default('provider') }).parse(request.query);
          return compare(prisma, q.period, q.by, filtersOf(q));
        });
        app.get('/realtime', async (request) => {
          const q = base.extend({ minutes: count(1, 60, 15) }).parse(request.query);
          return realtime(prisma, q.minutes, filtersOf(q));
        });
        app.get('/recommendations', async (request) => {
          const q = z.object({ days: count(1, 90, 7) }).parse(request.query);
          return recommendations(prisma, deps.catalog, await budgetViews(), q.days);
        });
        app.get('/alerts', async (request) => {
          const q = z.object({ limit: count(1, 500, 50), kind: z.string().max(40).optional(), status: z.string().max(40).optional(), since: z.string().optional() }).parse(request.query);
          const since = q.since ? new Date(q.since) : undefined;
          if (since && Number.isNaN(since.getTime())) throw new RangeError('`since` is not a date');
          return alertsSummary(prisma, { limit: q.limit, kind: q.kind, status: q.status, since });
        });
        app.get('/budgets', async () => ({ budgets: await budgetViews() }));
        app.get<{ Params: { level: string; id: string } }>('/budgets/:level/:id', async (request) => {
          const level = z.enum(['organization', 'project', 'team', 'user', 'key']).parse(request.params.level) as BudgetLevel;
          return entityStatus(deps, level, request.params.id);
        });

        // Everything the dashboard shows, in one round trip (the queries run side by side).
        app.get('/dashboard', async (request) => {
          const q = z.object({ range: z.enum(['24h', '7d', '30d', '90d']).default('7d') }).parse(request.query);
          const { ms, bucket } = DASHBOARD_RANGES[q.range];
          const range = parseRange({}, ms);
          const [usage, trend, byModel, byTeam, byKey, budgets, alerts, live] = await Promise.all([
            usageReport(prisma, range, {}, 'provider', 20),
            trends(prisma, range, bucket, {}, 'provider', 6),
            breakdown(prisma, range, 'model', {}, 10),
            breakdown(prisma, range, 'team', {}, 10),
            breakdown(prisma, range, 'key', {}, 10),
            budgetViews(),
            alertsSummary(prisma, { limit: 10 }),
            realtime(prisma, 15, {}),
          ]);
          return { generatedAt: new Date().toISOString(), range: q.range, bucket, usage, trend, byModel, byTeam, byKey, budgets, alerts, realtime: live };
        });
      },
      { prefix: '/analytics' },
    );
  };
}

function sendError(reply: FastifyReply, error: unknown) {
  if (error instanceof ZodError) {
    return reply.code(400).send({ error: { message: 'invalid query', type: 'invalid_request', issues: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) } });
  }
  if (error instanceof RangeError) return reply.code(400).send({ error: { message: error.message, type: 'invalid_request' } });
  if (error instanceof NotFoundError) return reply.code(404).send({ error: { message: error.message, type: 'not_found' } });
  reply.log.error({ err: (error as Error).message }, 'analytics request failed');
  return reply.code(500).send({ error: { message: 'the analytics request failed', type: 'internal' } });
}
