import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import type { BudgetLevel, BudgetStore } from '../budgets/types.js';
import { effectiveBudgets } from './effective-budgets.js';
import type { ChangeTopic } from '../runtime/change-feed.js';
import { recentUsage, usageByRequestId } from '../ledger/queries.js';
import { parseUsageQuery } from './usage-query.js';
import { adminGuard } from './auth.js';
import { budgetStatuses } from './budget-status.js';
import { createBudget, listBudgets, removeBudget } from './budgets.js';
import { createEntity, listEntities, NotFoundError, type HierarchyKind } from './hierarchy.js';
import { createKey, listKeys, revokeKey } from './keys.js';
import { listPrices, priceHistory, setManualPrice, validateCatalog } from './prices.js';

export interface AdminDeps {
  prisma: PrismaClient;
  store: BudgetStore;
  directory: BudgetDirectory;
  /** Applies a change on this instance, then tells the others (awaited, so the answer is current). */
  changed(topic: ChangeTopic): Promise<void>;
  adminToken: string;
  keyHashSecret: string;
}

const KINDS: Record<string, HierarchyKind> = { organizations: 'organization', projects: 'project', teams: 'team', users: 'user' };

/** The admin API under /admin: hierarchy, keys, budgets, prices and usage. JSON in, JSON out. */
export function adminRoutes(deps: AdminDeps) {
  return async (root: FastifyInstance) => {
    await root.register(
      async (app) => {
        app.addHook('onRequest', adminGuard(deps.adminToken));
        // Admin bodies are small JSON documents; the gateway's raw parser hands them over as bytes.
        app.addHook('preValidation', async (request) => {
          if (Buffer.isBuffer(request.body) && request.body.length > 0) request.body = JSON.parse(request.body.toString('utf8'));
        });
        app.setErrorHandler((error, _request, reply) => sendAdminError(reply, error));
        const { prisma, changed } = deps;

        for (const [path, kind] of Object.entries(KINDS)) {
          app.post(`/${path}`, async (request, reply) => reply.code(201).send(await createEntity(prisma, kind, request.body)));
          app.get<{ Querystring: { organizationId?: string } }>(`/${path}`, async (request) => listEntities(prisma, kind, request.query.organizationId));
        }

        app.get('/keys', async () => listKeys(prisma));
        app.post('/keys', async (request, reply) => {
          const body = (request.body ?? {}) as Record<string, unknown>;
          const created = await createKey(prisma, deps.keyHashSecret, {
            ...(body as object),
            name: String(body.name ?? ''),
            expiresAt: typeof body.expiresAt === 'string' ? new Date(body.expiresAt) : undefined,
          } as Parameters<typeof createKey>[2]);
          return reply.code(201).send(created);
        });
        app.delete<{ Params: { id: string } }>('/keys/:id', async (request, reply) => {
          const count = await revokeKey(prisma, request.params.id);
          await changed('keys');
          return count === 0 ? reply.code(404).send({ error: { message: 'no active key with that id or prefix', type: 'not_found' } }) : { revoked: count };
        });

        app.get<{ Querystring: { level?: string; entityId?: string } }>('/budgets', async (request) => listBudgets(prisma, request.query));
        app.post('/budgets', async (request, reply) => {
          const budget = await createBudget(prisma, request.body);
          await changed('budgets');
          return reply.code(201).send(budget);
        });
        app.delete<{ Params: { id: string } }>('/budgets/:id', async (request, reply) => {
          const removed = await removeBudget(prisma, request.params.id);
          await changed('budgets');
          return removed ? { removed: true } : reply.code(404).send({ error: { message: 'no budget with that id', type: 'not_found' } });
        });
        app.get<{ Params: { id: string }; Querystring: { entityId?: string } }>('/budgets/:id/status', async (request) =>
          budgetStatuses(prisma, deps.store, request.params.id, request.query.entityId),
        );

        // The budgets that bind an entity as the gateway resolves them: own or inherited, and from where.
        app.get<{ Params: { level: string; id: string } }>('/entities/:level/:id/budgets', async (request, reply) => {
          const level = request.params.level as BudgetLevel;
          if (!['organization', 'project', 'team', 'user', 'key'].includes(level)) {
            return reply.code(400).send({ error: { message: 'level must be organization, project, team, user or key', type: 'invalid_request' } });
          }
          return effectiveBudgets(prisma, deps.store, deps.directory, level, request.params.id);
        });

        app.get<{ Querystring: { provider?: string } }>('/prices', async (request) => listPrices(prisma, request.query));
        app.get('/prices/validate', async () => {
          const issues = await validateCatalog(prisma);
          return { valid: issues.length === 0, issues };
        });
        app.get<{ Params: { provider: string; '*': string } }>('/prices/:provider/*', async (request) => priceHistory(prisma, request.params.provider, request.params['*']));
        app.post('/prices', async (request, reply) => {
          const result = await setManualPrice(prisma, request.body as Parameters<typeof setManualPrice>[1]);
          if (!result.price) return reply.code(400).send({ error: { message: 'invalid price', type: 'invalid_request', issues: result.issues } });
          await changed('prices');
          return reply.code(201).send(result.price);
        });

        app.get<{ Params: { requestId: string } }>('/usage/:requestId', async (request, reply) => {
          const row = await usageByRequestId(prisma, request.params.requestId);
          return row ?? reply.code(404).send({ error: { message: 'no usage row with that request id', type: 'not_found' } });
        });
        app.get('/usage', async (request, reply) => {
          const parsed = parseUsageQuery(request.query);
          if (!parsed.ok) return reply.code(400).send({ error: { message: parsed.message, type: 'invalid_request' } });
          return recentUsage(prisma, parsed.filters);
        });
      },
      { prefix: '/admin' },
    );
  };
}

function sendAdminError(reply: FastifyReply, error: unknown) {
  if (error instanceof ZodError) {
    return reply.code(400).send({ error: { message: 'invalid input', type: 'invalid_request', issues: error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) } });
  }
  if (error instanceof SyntaxError) return reply.code(400).send({ error: { message: 'the body is not valid JSON', type: 'invalid_request' } });
  if (error instanceof NotFoundError) return reply.code(404).send({ error: { message: error.message, type: 'not_found' } });
  const code = (error as { code?: string }).code;
  if (code === 'P2002') return reply.code(409).send({ error: { message: 'already exists', type: 'conflict' } });
  if (code === 'P2003' || code === 'P2025') return reply.code(404).send({ error: { message: 'a referenced entity does not exist', type: 'not_found' } });
  reply.log.error({ err: (error as Error).message }, 'admin request failed');
  return reply.code(500).send({ error: { message: 'the admin request failed', type: 'internal' } });
}
