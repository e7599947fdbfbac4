import type { PrismaClient } from '../generated/prisma/client.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import type { BudgetLevel, BudgetStore, CounterEntityIds } from '../budgets/types.js';
import { nanoToUsd } from '../core/money.js';
import { NotFoundError } from './hierarchy.js';

/** Every level above an entity, read from the database (admin path only, never per request). */
export async function entityAncestry(prisma: PrismaClient, level: BudgetLevel, id: string): Promise<CounterEntityIds> {
  switch (level) {
    case 'organization': {
      if (!(await prisma.organization.findUnique({ where: { id } }))) break;
      return { organization: id };
    }
    case 'project': {
      const project = await prisma.project.findUnique({ where: { id } });
      if (!project) break;
      return { project: id, organization: project.organizationId };
    }
    case 'team': {
      const team = await prisma.team.findUnique({ where: { id } });
      if (!team) break;
      return { team: id, project: team.projectId ?? undefined, organization: team.organizationId };
    }
    case 'user': {
      const user = await prisma.user.findUnique({ where: { id }, include: { team: true } });
      if (!user) break;
      return { user: id, team: user.teamId ?? undefined, project: user.team?.projectId ?? undefined, organization: user.organizationId };
    }
    case 'key': {
      const key = await prisma.apiKey.findUnique({ where: { id }, include: { team: true, user: true, project: true } });
      if (!key) break;
      const team = key.teamId ?? key.user?.teamId ?? undefined;
      return {
        key: id,
        user: key.userId ?? undefined,
        team,
        project: key.projectId ?? key.team?.projectId ?? undefined,
        organization: key.organizationId ?? key.project?.organizationId ?? key.team?.organizationId ?? key.user?.organizationId ?? undefined,
      };
    }
  }
  throw new NotFoundError(`${level} ${id} does not exist`);
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
