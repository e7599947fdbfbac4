import type { BudgetLevel, CounterEntityIds } from '../budgets/types.js';
import type { PrismaClient } from '../generated/prisma/client.js';

/**
 * Where a key (or any entity) sits in the hierarchy. A key may be bound at any level (to a user, a team, a
 * project or an organization); the levels it does not name are read from the entity it is bound
 * to, so a key bound only to a user still answers to the budgets of that user's team, project and
 * organization. The gateway's key lookup, the admin and analytics views and reconciliation all use
 * this one reading.
 */

/** The Prisma `include` that `keyLineage` needs. */
export const KEY_LINEAGE_INCLUDE = { team: true, project: true, user: { include: { team: true } } } as const;

interface TeamRow {
  projectId: string | null;
  organizationId: string;
}

export interface KeyLineageRow {
  id: string;
  organizationId: string | null;
  projectId: string | null;
  teamId: string | null;
  userId: string | null;
  team: TeamRow | null;
  project: { organizationId: string } | null;
  user: { teamId: string | null; organizationId: string; team: TeamRow | null } | null;
}

export interface KeyLineage {
  key: string;
  user?: string;
  team?: string;
  project?: string;
  organization?: string;
}

export function keyLineage(row: KeyLineageRow): KeyLineage {
  // The key's own team wins over its user's team.
  const team = row.team ?? row.user?.team ?? null;
  return {
    key: row.id,
    user: row.userId ?? undefined,
    team: row.teamId ?? row.user?.teamId ?? undefined,
    project: row.projectId ?? team?.projectId ?? undefined,
    organization: row.organizationId ?? row.project?.organizationId ?? team?.organizationId ?? row.user?.organizationId ?? undefined,
  };
}

/**
 * Every level above an entity, read from the database; undefined when the entity does not exist.
 * Admin, analytics and reconciliation paths only: the gateway reads a key's lineage once, when
 * it loads the key.
 */
export async function entityLineage(prisma: PrismaClient, level: BudgetLevel, id: string): Promise<CounterEntityIds | undefined> {
  switch (level) {
    case 'organization':
      return (await prisma.organization.findUnique({ where: { id } })) ? { organization: id } : undefined;
    case 'project': {
      const project = await prisma.project.findUnique({ where: { id } });
      return project ? { project: id, organization: project.organizationId } : undefined;
    }
    case 'team': {
      const team = await prisma.team.findUnique({ where: { id } });
      return team ? { team: id, project: team.projectId ?? undefined, organization: team.organizationId } : undefined;
    }
    case 'user': {
      const user = await prisma.user.findUnique({ where: { id }, include: { team: true } });
      return user ? { user: id, team: user.teamId ?? undefined, project: user.team?.projectId ?? undefined, organization: user.organizationId } : undefined;
    }
    case 'key': {
      const key = await prisma.apiKey.findUnique({ where: { id }, include: KEY_LINEAGE_INCLUDE });
      return key ? keyLineage(key) : undefined;
    }
  }
}
