import type { PrismaClient } from '../generated/prisma/client.js';
import { generateKeySecret } from '../auth/key-secret.js';
import { NotFoundError } from './hierarchy.js';

export interface CreateKeyInput {
  name: string;
  /** A team id or name; a team name not yet known is created in the default organization. */
  team?: string;
  organizationId?: string;
  projectId?: string;
  userId?: string;
  allowedModels?: string[];
  allowedProviders?: string[];
  expiresAt?: Date;
}

export interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  /** The whole secret: shown once, never stored. */
  secret: string;
  teamId?: string;
  organizationId?: string;
}

export const DEFAULT_ORGANIZATION = 'default';

export async function createKey(prisma: PrismaClient, hashSecret: string, input: CreateKeyInput): Promise<CreatedKey> {
  if (!input.name.trim()) throw new Error('a key needs a name');
  let teamId: string | undefined;
  let organizationId = input.organizationId;
  if (input.team) {
    const team = await findOrCreateTeam(prisma, input.team, organizationId);
    teamId = team.id;
    organizationId ??= team.organizationId;
  }
  const { secret, prefix, hash } = generateKeySecret(hashSecret);
  const row = await prisma.apiKey.create({
    data: {
      name: input.name.trim(),
      prefix,
      secretHash: hash,
      teamId,
      organizationId,
      projectId: input.projectId,
      userId: input.userId,
      allowedModels: input.allowedModels ?? [],
      allowedProviders: input.allowedProviders ?? [],
      expiresAt: input.expiresAt,
    },
  });
  return { id: row.id, name: row.name, prefix, secret, teamId, organizationId };
}

async function findOrCreateTeam(prisma: PrismaClient, team: string, organizationId?: string) {
  const matches = await prisma.team.findMany({
    where: { OR: [{ id: team }, { name: team }], ...(organizationId ? { organizationId } : {}) },
  });
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new Error(`team "${team}" exists in several organizations; pass its id`);
  const organization = organizationId
    ? { id: organizationId }
    : await prisma.organization.upsert({ where: { name: DEFAULT_ORGANIZATION }, update: {}, create: { name: DEFAULT_ORGANIZATION } });
  return prisma.team.create({ data: { name: team, organizationId: organization.id } });
}

type OwnerKind = 'organization' | 'project' | 'user';

export interface KeyOwners {
  organizationId?: string;
  projectId?: string;
  userId?: string;
  /**
   * The organization the named owners live in (the one given, else the project's, else the
   * user's): where a team named alongside them is looked up, so `--user ada --team ranking`
   * never finds or creates a "ranking" team in another organization.
   */
  scopeOrganizationId?: string;
}

/**
 * The owners of a new key named by id or by name (the CLI's --org, --project, --user). Projects
 * and users are looked up inside the organization when one is known, so a project and a user of
 * two different organizations cannot be combined. Unlike a team, nothing is created: a user or a
 * project needs details a key cannot supply.
 */
export async function resolveKeyOwners(prisma: PrismaClient, names: { organization?: string; project?: string; user?: string }): Promise<KeyOwners> {
  const organization = names.organization ? await findOwner(prisma, 'organization', names.organization) : undefined;
  const project = names.project ? await findOwner(prisma, 'project', names.project, organization?.id) : undefined;
  const user = names.user ? await findOwner(prisma, 'user', names.user, organization?.id ?? project?.organizationId) : undefined;
  return {
    organizationId: organization?.id,
    projectId: project?.id,
    userId: user?.id,
    scopeOrganizationId: organization?.id ?? project?.organizationId ?? user?.organizationId,
  };
}

async function findOwner(prisma: PrismaClient, kind: OwnerKind, idOrName: string, organizationId?: string): Promise<{ id: string; organizationId: string }> {
  const where = { OR: [{ id: idOrName }, { name: idOrName }], ...(organizationId && kind !== 'organization' ? { organizationId } : {}) };
  const matches =
    kind === 'organization'
      ? (await prisma.organization.findMany({ where })).map((o) => ({ id: o.id, organizationId: o.id }))
      : kind === 'project'
        ? await prisma.project.findMany({ where })
        : await prisma.user.findMany({ where });
  if (matches.length === 1) return { id: matches[0]!.id, organizationId: matches[0]!.organizationId };
  if (matches.length > 1) throw new Error(`${kind} "${idOrName}" exists in several organizations; pass its id or name the organization`);
  throw new NotFoundError(`${kind} "${idOrName}" does not exist${organizationId && kind !== 'organization' ? ` in organization ${organizationId}` : ''}`);
}

export interface KeyListing {
  id: string;
  name: string;
  prefix: string;
  team?: string;
  status: 'active' | 'revoked' | 'expired';
  createdAt: Date;
}

export async function listKeys(prisma: PrismaClient, now = new Date()): Promise<KeyListing[]> {
  const rows = await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' }, include: { team: true } });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    team: row.team?.name,
    status: row.revokedAt ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active',
    createdAt: row.createdAt,
  }));
}

/** Revokes by id or by visible prefix; returns how many keys it revoked. */
export async function revokeKey(prisma: PrismaClient, idOrPrefix: string): Promise<number> {
  const isUuid = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
  const result = await prisma.apiKey.updateMany({
    where: { ...(isUuid ? { id: idOrPrefix } : { prefix: idOrPrefix }), revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return result.count;
}
