import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.js';
import { usdToAtto } from '../core/money.js';
import { NotFoundError } from './hierarchy.js';

const level = z.enum(['organization', 'project', 'team', 'user', 'key']);

export const budgetInput = z
  .object({
    level,
    entityId: z.string().min(1),
    /** Set for a default that each child of this level below the entity receives. */
    appliesTo: level.optional(),
    period: z.enum(['daily', 'weekly', 'monthly', 'total']),
    timezone: z.string().default('UTC').refine(validTimeZone, 'not an IANA time zone'),
    limitUsd: z.union([z.string(), z.number()]).transform(String).refine((v) => /^\d+(\.\d{1,9})?$/.test(v), 'a non-negative USD amount with at most 9 decimals'),
    hard: z.boolean().default(true),
    thresholds: z.array(z.number().int().min(1).max(1000)).default([50, 75, 90, 100]),
    modelScope: z.string().min(1).optional(),
    providerScope: z.string().min(1).optional(),
    failMode: z.enum(['open', 'closed']).optional(),
  })
  .strict()
  .refine((b) => !b.appliesTo || rank(b.appliesTo) < rank(b.level), { message: 'a default applies to a level below the one it is set on', path: ['appliesTo'] });

export type BudgetInput = z.input<typeof budgetInput>;

const RANK = { key: 0, user: 1, team: 2, project: 3, organization: 4 } as const;
function rank(value: keyof typeof RANK): number {
  return RANK[value];
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Creates a budget; the entity it binds must exist. */
export async function createBudget(prisma: PrismaClient, input: unknown) {
  const data = budgetInput.parse(input);
  await assertEntity(prisma, data.level, data.entityId);
  usdToAtto(data.limitUsd); // exact by construction; throws on anything else
  return prisma.budget.create({ data });
}

export async function listBudgets(prisma: PrismaClient, filter: { level?: string; entityId?: string } = {}) {
  return prisma.budget.findMany({
    where: { ...(filter.level ? { level: level.parse(filter.level) } : {}), ...(filter.entityId ? { entityId: filter.entityId } : {}) },
    orderBy: { createdAt: 'asc' },
  });
}

export async function removeBudget(prisma: PrismaClient, id: string): Promise<boolean> {
  const result = await prisma.budget.deleteMany({ where: { id } });
  return result.count > 0;
}

async function assertEntity(prisma: PrismaClient, kind: z.infer<typeof level>, id: string) {
  const found =
    kind === 'organization'
      ? await prisma.organization.findUnique({ where: { id } })
      : kind === 'project'
        ? await prisma.project.findUnique({ where: { id } })
        : kind === 'team'
          ? await prisma.team.findUnique({ where: { id } })
          : kind === 'user'
            ? await prisma.user.findUnique({ where: { id } })
            : await prisma.apiKey.findUnique({ where: { id } });
  if (!found) throw new NotFoundError(`${kind} ${id} does not exist`);
}
