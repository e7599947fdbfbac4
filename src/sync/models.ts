/**
 * `tollgate models sync`: each provider's model list → the `Model` table. New models are
 * added, listed facts that changed are updated, a retired model listed again is restored,
 * and a model no longer listed is RETIRED (retiredAt set), never deleted: usage rows and
 * prices still name it. A provider whose list cannot be read is left exactly as it is (its
 * models are not retired on the strength of a failed request) and reported.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { SourceUnavailable } from './http.js';
import { listModels, type ListedModel } from './model-lists.js';
import type { ProviderAccess } from './providers.js';

export type ModelChangeKind = 'new' | 'updated' | 'restored' | 'retired';

export interface ModelChange {
  provider: string;
  name: string;
  kind: ModelChangeKind;
  /** For updates: "contextWindow 128000 → 200000", ... */
  details: string[];
  listed?: ListedModel;
}

export interface ProviderModels {
  provider: string;
  listed: number;
  /** Why the list could not be read; the provider's rows were left untouched. */
  unavailable?: string;
  changes: ModelChange[];
}

export interface ModelSyncOptions {
  dryRun: boolean;
  pageSize: number;
  timeoutMs: number;
  now?: Date;
  /** Progress and warnings, one line each (stderr in the CLI). */
  progress: (line: string) => void;
}

type StoredModel = Awaited<ReturnType<PrismaClient['model']['findMany']>>[number];

/** Fields a listing may carry, compared one by one; a field the listing lacks is never cleared. */
const FIELDS = ['displayName', 'mode', 'contextWindow', 'maxOutput'] as const;

function differences(stored: StoredModel, listed: ListedModel): string[] {
  const out: string[] = [];
  for (const field of FIELDS) {
    const next = listed[field];
    if (next !== undefined && next !== stored[field]) out.push(`${field} ${String(stored[field] ?? '-')} → ${String(next)}`);
  }
  if (listed.aliases !== undefined) {
    const before = [...stored.aliases].sort().join(',');
    const after = [...listed.aliases].sort().join(',');
    if (before !== after) out.push(`aliases [${before}] → [${after}]`);
  }
  return out;
}

export function planModelChanges(provider: string, stored: readonly StoredModel[], listed: readonly ListedModel[]): ModelChange[] {
  const byName = new Map(stored.map((m) => [m.name, m]));
  const changes: ModelChange[] = [];
  for (const model of listed) {
    const row = byName.get(model.name);
    if (!row) changes.push({ provider, name: model.name, kind: 'new', details: [], listed: model });
    else if (row.retiredAt !== null) changes.push({ provider, name: model.name, kind: 'restored', details: differences(row, model), listed: model });
    else {
      const details = differences(row, model);
      if (details.length > 0) changes.push({ provider, name: model.name, kind: 'updated', details, listed: model });
    }
  }
  const listedNames = new Set(listed.map((m) => m.name));
  for (const row of stored) {
    if (row.retiredAt === null && !listedNames.has(row.name)) changes.push({ provider, name: row.name, kind: 'retired', details: [] });
  }
  return changes.sort((a, b) => a.name.localeCompare(b.name));
}

function listedData(model: ListedModel): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of FIELDS) if (model[field] !== undefined) data[field] = model[field];
  if (model.aliases !== undefined) data.aliases = model.aliases;
  return data;
}

async function apply(prisma: PrismaClient, access: ProviderAccess, changes: readonly ModelChange[], now: Date): Promise<void> {
  const provider = access.adapter.id;
  await prisma.$transaction([
    prisma.provider.upsert({ where: { id: provider }, create: { id: provider, displayName: access.adapter.displayName }, update: {} }),
    ...changes.map((change) => {
      const where = { providerId_name: { providerId: provider, name: change.name } };
      if (change.kind === 'new') return prisma.model.create({ data: { providerId: provider, name: change.name, ...listedData(change.listed!) } });
      if (change.kind === 'retired') return prisma.model.update({ where, data: { retiredAt: now } });
      return prisma.model.update({ where, data: { ...listedData(change.listed!), retiredAt: null } });
    }),
  ]);
}

export async function syncModels(prisma: PrismaClient, providers: readonly ProviderAccess[], options: ModelSyncOptions): Promise<ProviderModels[]> {
  const now = options.now ?? new Date();
  const results: ProviderModels[] = [];
  for (const [index, access] of providers.entries()) {
    const provider = access.adapter.id;
    const step = `[${index + 1}/${providers.length}] ${provider}`;
    options.progress(`${step}: reading the model list ...`);
    let listed: ListedModel[];
    try {
      listed = await listModels(access, {
        pageSize: options.pageSize,
        timeoutMs: options.timeoutMs,
        onPage: (page, count) => options.progress(`${step}: page ${page}, ${count} models so far`),
      });
    } catch (error) {
      if (!(error instanceof SourceUnavailable)) throw error;
      options.progress(`warning: ${error.message}; ${provider} models left unchanged`);
      results.push({ provider, listed: 0, unavailable: error.message, changes: [] });
      continue;
    }
    const stored = await prisma.model.findMany({ where: { providerId: provider } });
    const changes = planModelChanges(provider, stored, listed);
    if (!options.dryRun && changes.length > 0) await apply(prisma, access, changes, now);
    else if (!options.dryRun) await prisma.provider.upsert({ where: { id: provider }, create: { id: provider, displayName: access.adapter.displayName }, update: {} });
    options.progress(`${step}: ${listed.length} listed, ${changes.length} change${changes.length === 1 ? '' : 's'}`);
    results.push({ provider, listed: listed.length, changes });
  }
  return results;
}
