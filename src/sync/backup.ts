/**
 * `pricing migrate --backup FILE` / `--rollback FILE`: every ModelPrice row as JSON with exact
 * strings (rates are the stored decimal strings, dates ISO 8601 with milliseconds, the way
 * PostgreSQL keeps them), and the exact restore: rows not in the backup are deleted, the rest
 * upserted by id with every column, in one transaction, so after a rollback the table reads
 * back deep-equal to the moment of the backup.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { PrismaClient } from '../generated/prisma/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { BILLING_MODELS, PRICING_UNITS } from '../pricing/index.js';

export const BACKUP_FORMAT = 'tollgate-model-prices';
export const BACKUP_VERSION = 1;

type StoredRow = Awaited<ReturnType<PrismaClient['modelPrice']['findMany']>>[number];

export interface BackupRow {
  id: string;
  providerId: string;
  model: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  source: string;
  currency: string;
  billingModel: string;
  unit: string;
  rates: unknown;
  itemRates: unknown;
  tiers: unknown;
  serviceTiers: unknown;
  confidence: number | null;
  note: string | null;
  createdAt: string;
}

export interface Backup {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  takenAt: string;
  rows: BackupRow[];
}

function toBackupRow(row: StoredRow): BackupRow {
  return {
    id: row.id,
    providerId: row.providerId,
    model: row.model,
    effectiveFrom: row.effectiveFrom.toISOString(),
    effectiveTo: row.effectiveTo ? row.effectiveTo.toISOString() : null,
    source: row.source,
    currency: row.currency,
    billingModel: row.billingModel,
    unit: row.unit,
    rates: row.rates,
    itemRates: row.itemRates,
    tiers: row.tiers,
    serviceTiers: row.serviceTiers,
    confidence: row.confidence,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function writeBackup(prisma: PrismaClient, file: string, now = new Date()): Promise<number> {
  const rows = await prisma.modelPrice.findMany({ orderBy: { id: 'asc' } });
  const backup: Backup = { format: BACKUP_FORMAT, version: BACKUP_VERSION, takenAt: now.toISOString(), rows: rows.map(toBackupRow) };
  // wx: never overwrite an existing backup (it may be the only copy of a good state).
  await writeFile(file, `${JSON.stringify(backup, null, 2)}\n`, { encoding: 'utf8', flag: 'wx' });
  return rows.length;
}

const SOURCES: readonly string[] = ['builtin', 'sync', 'manual', 'discovered'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Reads and checks a backup file; throws an Error naming the first thing wrong with it. */
export async function readBackup(file: string): Promise<Backup> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not a readable JSON backup (${(error as Error).message})`);
  }
  const backup = parsed as Partial<Backup> | null;
  if (backup?.format !== BACKUP_FORMAT || backup.version !== BACKUP_VERSION || !Array.isArray(backup.rows)) {
    throw new Error(`${file}: not a ${BACKUP_FORMAT} backup, version ${BACKUP_VERSION}`);
  }
  const ids = new Set<string>();
  backup.rows.forEach((row, i) => {
    const where = `${file}: rows[${i}]`;
    if (typeof row?.id !== 'string' || row.id === '' || ids.has(row.id)) throw new Error(`${where}: missing or duplicate id`);
    ids.add(row.id);
    for (const field of ['providerId', 'model', 'source', 'currency', 'billingModel', 'unit'] as const) {
      if (typeof row[field] !== 'string') throw new Error(`${where}.${field}: must be a string`);
    }
    // The database would refuse these too, but only after the transaction started: say which row.
    const allowed = { source: SOURCES, billingModel: BILLING_MODELS, unit: PRICING_UNITS } as const;
    for (const [field, values] of Object.entries(allowed) as [keyof typeof allowed, readonly string[]][]) {
      if (!values.includes(row[field])) throw new Error(`${where}.${field}: unknown value ${JSON.stringify(row[field])}`);
    }
    for (const field of ['effectiveFrom', 'createdAt'] as const) if (!ISO.test(String(row[field]))) throw new Error(`${where}.${field}: not an ISO date-time`);
    if (row.effectiveTo !== null && !ISO.test(String(row.effectiveTo))) throw new Error(`${where}.effectiveTo: not an ISO date-time or null`);
    if (row.confidence !== null && typeof row.confidence !== 'number') throw new Error(`${where}.confidence: must be a number or null`);
  });
  return backup as Backup;
}

function restoreData(row: BackupRow) {
  const json = (value: unknown) => (value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue));
  return {
    providerId: row.providerId,
    model: row.model,
    effectiveFrom: new Date(row.effectiveFrom),
    effectiveTo: row.effectiveTo === null ? null : new Date(row.effectiveTo),
    source: row.source as StoredRow['source'],
    currency: row.currency,
    billingModel: row.billingModel as StoredRow['billingModel'],
    unit: row.unit as StoredRow['unit'],
    rates: row.rates as Prisma.InputJsonValue,
    itemRates: json(row.itemRates),
    tiers: json(row.tiers),
    serviceTiers: json(row.serviceTiers),
    confidence: row.confidence,
    note: row.note,
    createdAt: new Date(row.createdAt),
  };
}

export interface RollbackResult {
  deleted: number;
  restored: number;
}

export async function restoreBackup(prisma: PrismaClient, backup: Backup): Promise<RollbackResult> {
  const ids = backup.rows.map((row) => row.id);
  const [deleted, ...restored] = await prisma.$transaction([
    prisma.modelPrice.deleteMany({ where: { id: { notIn: ids } } }),
    ...backup.rows.map((row) => {
      const data = restoreData(row);
      return prisma.modelPrice.upsert({ where: { id: row.id }, create: { id: row.id, ...data }, update: data });
    }),
  ]);
  return { deleted: (deleted as { count: number }).count, restored: restored.length };
}
