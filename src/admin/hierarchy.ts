import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';

/** Inputs for creating the organization → project → team → user hierarchy. */
export const organizationInput = z.object({ name: z.string().min(1).max(200) }).strict();
export const projectInput = z.object({ organizationId: z.string().min(1), name: z.string().min(1).max(200) }).strict();
export const teamInput = z
  .object({ organizationId: z.string().min(1), projectId: z.string().min(1).optional(), name: z.string().min(1).max(200) })
  .strict();
export const userInput = z
  .object({
    organizationId: z.string().min(1),
    teamId: z.string().min(1).optional(),
    name: z.string().min(1).max(200),
    email: z.string().email().optional(),
  })
  .strict();

export type HierarchyKind = 'organization' | 'project' | 'team' | 'user';

export async function createEntity(prisma: PrismaClient, kind: HierarchyKind, input: unknown) {
  switch (kind) {
    case 'organization':
      return prisma.organization.create({ data: organizationInput.parse(input) });
    case 'project':
      return prisma.project.create({ data: projectInput.parse(input) });
    case 'team': {
      const data = teamInput.parse(input);
      if (data.projectId) await sameOrganization(prisma, 'project', data.projectId, data.organizationId);
      return prisma.team.create({ data });
    }
    case 'user': {
      const data = userInput.parse(input);
      if (data.teamId) await sameOrganization(prisma, 'team', data.teamId, data.organizationId);
      return prisma.user.create({ data });
    }
  }
}

export async function listEntities(prisma: PrismaClient, kind: HierarchyKind, organizationId?: string) {
  const where = organizationId && kind !== 'organization' ? { organizationId } : {};
  switch (kind) {
    case 'organization':
      return prisma.organization.findMany({ orderBy: { createdAt: 'asc' } });
    case 'project':
      return prisma.project.findMany({ where, orderBy: { createdAt: 'asc' } });
    case 'team':
      return prisma.team.findMany({ where, orderBy: { createdAt: 'asc' } });
    case 'user':
      return prisma.user.findMany({ where, orderBy: { createdAt: 'asc' } });
  }
}

/** A child must live in the organization it names; a budget of one org must not see another's. */
async function sameOrganization(prisma: PrismaClient, kind: 'project' | 'team', id: string, organizationId: string) {
  const row = kind === 'project' ? await prisma.project.findUnique({ where: { id } }) : await prisma.team.findUnique({ where: { id } });
  if (!row) throw new NotFoundError(`${kind} ${id} does not exist`);
  if (row.organizationId !== organizationId) throw new z.ZodError([{ code: 'custom', path: [`${kind}Id`], message: `${kind} belongs to another organization`, input: id }]);
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
