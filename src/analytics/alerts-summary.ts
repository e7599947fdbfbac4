/** The alerts summary: counts by kind and delivery status, and the most recent alerts. */
import type { PrismaClient } from '../generated/prisma/client.js';

export interface AlertQuery {
  limit: number;
  kind?: string;
  status?: string;
  /** Count alerts raised since this instant (default: 30 days). */
  since?: Date;
}

export async function alertsSummary(prisma: PrismaClient, q: AlertQuery, now = new Date()) {
  const since = q.since ?? new Date(now.getTime() - 30 * 86_400_000);
  const where = { createdAt: { gte: since }, ...(q.kind ? { kind: q.kind } : {}), ...(q.status ? { status: q.status } : {}) };
  const [byKind, byStatus, recent] = await Promise.all([
    prisma.budgetAlert.groupBy({ by: ['kind'], where, _count: { _all: true } }),
    prisma.budgetAlert.groupBy({ by: ['status'], where, _count: { _all: true } }),
    prisma.budgetAlert.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      take: q.limit,
      select: {
        id: true, kind: true, budgetId: true, level: true, entityId: true, periodId: true, threshold: true, provider: true, model: true,
        message: true, status: true, attempts: true, deliveries: true, lastError: true, deliveredAt: true, createdAt: true,
      },
    }),
  ]);
  const counts = (rows: Array<{ _count: { _all: number } } & Record<string, unknown>>, key: string) =>
    Object.fromEntries(rows.map((r) => [String(r[key]), r._count._all]));
  return {
    since: since.toISOString(),
    total: byKind.reduce((sum, r) => sum + r._count._all, 0),
    byKind: counts(byKind, 'kind'),
    byStatus: counts(byStatus, 'status'),
    recent,
  };
}
