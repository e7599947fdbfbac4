import type { PrismaClient } from '../generated/prisma/client.js';
import { nanoToUsd } from '../core/money.js';
import { budgetRule } from '../budgets/directory.js';
import type { BudgetStore } from '../budgets/types.js';
import { NotFoundError } from './hierarchy.js';

/**
 * A budget's live status: limit, spent, reserved, remaining and reset time, in USD strings.
 * For a default (inherited) budget, `entityId` names the child whose counter to read.
 */
export async function budgetStatuses(prisma: PrismaClient, store: BudgetStore, budgetId: string, entityId?: string, now = new Date()) {
  const row = await prisma.budget.findUnique({ where: { id: budgetId } });
  if (!row) throw new NotFoundError(`budget ${budgetId} does not exist`);
  const rule = budgetRule(row);
  if (row.appliesTo && !entityId) throw new NotFoundError(`budget ${budgetId} is a default for each ${row.appliesTo}; pass ?entityId= to read one ${row.appliesTo}'s counter`);
  const counterEntityId = entityId ?? row.entityId;
  const status = await store.status(rule, counterEntityId, now);
  const utilization = status.limitNano === 0n ? null : Number((status.spentNano * 10_000n) / status.limitNano) / 100;
  return {
    budgetId,
    level: rule.level,
    entityId: counterEntityId,
    period: rule.period,
    periodId: status.periodId,
    timezone: rule.timezone,
    hard: rule.hard,
    source: rule.inheritedFrom ? { inherited: true, from: rule.inheritedFrom } : { inherited: false },
    limitUsd: nanoToUsd(status.limitNano),
    spentUsd: nanoToUsd(status.spentNano),
    reservedUsd: nanoToUsd(status.reservedNano),
    remainingUsd: nanoToUsd(status.remainingNano < 0n ? 0n : status.remainingNano),
    utilizationPercent: utilization,
    resetsAt: status.resetAt?.toISOString() ?? null,
  };
}
