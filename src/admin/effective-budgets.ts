import type { PrismaClient } from '../generated/prisma/client.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import type { BudgetLevel, BudgetStore, CounterEntityIds } from '../budgets/types.js';
import { entityLineage } from '../auth/key-lineage.js';
import { nanoToUsd } from '../core/money.js';
import { NotFoundError } from './hierarchy.js';

/** Every level above an entity (admin path only, never per request); NotFoundError when it does not exist. */
export async function entityAncestry(prisma: PrismaClient, level: BudgetLevel, id: string): Promise<CounterEntityIds> {
  const lineage = await entityLineage(prisma, level, id);
  if (!lineage) throw new NotFoundError(`${level} ${id} does not exist`);
  return lineage;
}

/**
 * The budgets that bind one entity, as the gateway resolves them: its own, or the default it
 * inherits and from where, each with its live counter.
 */
export async function effectiveBudgets(prisma: PrismaClient, store: BudgetStore, directory: BudgetDirectory, level: BudgetLevel, id: string, now = new Date()) {
  const entities = await entityAncestry(prisma, level, id);
  const shardKey = entities.organization ?? entities.key;
  const rules = directory.budgetsOf(level, entities);
  return Promise.all(
    rules.map(async (rule) => {
      const status = await store.status(rule, id, now, shardKey);
      return {
        budgetId: rule.id,
        level,
        entityId: id,
        source: rule.inheritedFrom ? 'inherited' : 'own',
        inheritedFrom: rule.inheritedFrom ?? null,
        period: rule.period,
        timezone: rule.timezone,
        hard: rule.hard,
        scope: { model: rule.modelScope ?? null, provider: rule.providerScope ?? null },
        limitUsd: nanoToUsd(status.limitNano),
        spentUsd: nanoToUsd(status.spentNano),
        reservedUsd: nanoToUsd(status.reservedNano),
        remainingUsd: nanoToUsd(status.remainingNano < 0n ? 0n : status.remainingNano),
        resetsAt: status.resetAt?.toISOString() ?? null,
      };
    }),
  );
}
