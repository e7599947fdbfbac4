import type { PrismaClient } from '../generated/prisma/client.js';
import { nanoToUsd } from '../core/money.js';
import { BudgetDirectory, budgetRule } from '../budgets/directory.js';
import { entityAncestry } from './effective-budgets.js';
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
  let applies = true;
  if (row.appliesTo && entityId) {
    // Only a child below the default's owner has this counter; and a child whose own budget
    // (or a nearer default) covers the same scope is not bound by it, though it may still
    // hold what it spent while it was.
    const ancestry = await entityAncestry(prisma, row.appliesTo, entityId);
    if (ancestry[row.level] !== row.entityId) {
      throw new NotFoundError(`${row.appliesTo} ${entityId} is not under ${row.level} ${row.entityId}: budget ${budgetId} does not apply to it`);
    }
    const directory = new BudgetDirectory();
    directory.replace(await prisma.budget.findMany());
    applies = directory.budgetsOf(row.appliesTo, ancestry).some((r) => r.id === budgetId);
  }
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
    source: rule.inheritedFrom ? { inherited: true, from: rule.inheritedFrom, applies } : { inherited: false },
    limitUsd: nanoToUsd(status.limitNano),
    spentUsd: nanoToUsd(status.spentNano),
    reservedUsd: nanoToUsd(status.reservedNano),
    remainingUsd: nanoToUsd(status.remainingNano < 0n ? 0n : status.remainingNano),
    utilizationPercent: utilization,
    resetsAt: status.resetAt?.toISOString() ?? null,
  };
}
