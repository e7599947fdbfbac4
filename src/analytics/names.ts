/** Names for ids in reports (one query per level, admin path only). */
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Dimension } from './sql.js';

export type EntityLevel = 'organization' | 'project' | 'team' | 'user' | 'key';

export async function namesOf(prisma: PrismaClient, level: EntityLevel, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id) => id !== ''))];
  if (wanted.length === 0) return new Map();
  const where = { id: { in: wanted } };
  const select = { id: true, name: true } as const;
  let rows: Array<{ id: string; name: string; prefix?: string }>;
  switch (level) {
    case 'organization':
      rows = await prisma.organization.findMany({ where, select });
      break;
    case 'project':
      rows = await prisma.project.findMany({ where, select });
      break;
    case 'team':
      rows = await prisma.team.findMany({ where, select });
      break;
    case 'user':
      rows = await prisma.user.findMany({ where, select });
      break;
    case 'key':
      rows = await prisma.apiKey.findMany({ where, select: { id: true, name: true, prefix: true } });
      break;
  }
  return new Map(rows.map((r) => [r.id, r.prefix ? `${r.name} (${r.prefix})` : r.name]));
}

/** Adds `name` to grouped rows whose key is an entity id. */
export async function withNames<T extends { key: string }>(prisma: PrismaClient, by: Dimension, rows: T[]): Promise<Array<T & { name: string }>> {
  if (by === 'provider' || by === 'model') return rows.map((r) => ({ ...r, name: r.key === '' ? '(none)' : r.key }));
  const names = await namesOf(prisma, by, rows.map((r) => r.key));
  return rows.map((r) => ({ ...r, name: r.key === '' ? `(no ${by})` : (names.get(r.key) ?? r.key) }));
}
