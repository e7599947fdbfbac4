// The same client code and migrations on both storage kinds: PostgreSQL and a PGlite data folder.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { isUniqueViolation } from '../../src/storage/errors.js';
import { applyMigrations, defaultMigrationsDir, migrationStatus, readMigrations } from '../../src/storage/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const migrationNames = readMigrations().map((m) => m.name);

let pgTest: TestDatabase;
let pgliteDir: string;
let pglite: Database;

beforeAll(async () => {
  pgTest = await createTestDatabase();
  pgliteDir = mkdtempSync(join(tmpdir(), 'tollgate-pglite-'));
  pglite = await openDatabase({ dataDir: pgliteDir });
});

afterAll(async () => {
  await pglite?.close();
  if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  await pgTest?.drop();
});

describe('PGlite migrations', () => {
  it('applies the same migration files to a fresh data folder, once', async () => {
    expect(pglite.kind).toBe('pglite');
    expect(await migrationStatus(pglite)).toEqual(migrationNames);
    expect((await applyMigrations(pglite)).applied).toEqual(migrationNames);
    expect(await migrationStatus(pglite)).toEqual([]);
    expect((await applyMigrations(pglite)).applied).toEqual([]);
    expect(await pglite.ping()).toBe(true);
  });

  it('rolls a failing migration back entirely, bookkeeping included', async () => {
    const migrationsDir = mkdtempSync(join(tmpdir(), 'tollgate-migrations-'));
    try {
      cpSync(defaultMigrationsDir(), migrationsDir, { recursive: true });
      mkdirSync(join(migrationsDir, '99990101000000_broken'));
      writeFileSync(
        join(migrationsDir, '99990101000000_broken', 'migration.sql'),
        'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";\n',
      );
      await expect(applyMigrations(pglite, { migrationsDir })).rejects.toThrow(/99990101000000_broken failed/);
      expect(await migrationStatus(pglite, { migrationsDir })).toEqual(['99990101000000_broken']);
      const half = await pglite.prisma.$queryRaw<Array<{ t: string | null }>>`SELECT to_regclass('"Half"')::text AS t`;
      expect(half[0]?.t).toBeNull();
    } finally {
      rmSync(migrationsDir, { recursive: true, force: true });
    }
  });
});

describe.each([
  ['postgres', () => pgTest.database],
  ['pglite', () => pglite],
] as const)('%s round trip', (kind, db) => {
  it('creates an Organization and reads it back', async () => {
    const { prisma } = db();
    expect(db().kind).toBe(kind);
    const created = await prisma.organization.create({ data: { name: `acme-${kind}` } });
    const read = await prisma.organization.findUniqueOrThrow({ where: { id: created.id } });
    expect(read).toEqual(created);
    expect(read.createdAt).toBeInstanceOf(Date);
  });

  it('reports a duplicate Organization name as a unique violation', async () => {
    const { prisma } = db();
    const name = `dup-${kind}`;
    await prisma.organization.create({ data: { name } });
    const err = await prisma.organization.create({ data: { name } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('does not report other errors as unique violations', async () => {
    const { prisma } = db();
    const err = await prisma.organization.update({ where: { id: 'missing' }, data: { name: 'x' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isUniqueViolation(err)).toBe(false);
  });
});

describe('PGlite data folder', () => {
  it('keeps data and migration records across close and reopen', async () => {
    await pglite.prisma.organization.create({ data: { name: 'persisted' } });
    await pglite.close();
    pglite = await openDatabase({ dataDir: pgliteDir });
    expect(await migrationStatus(pglite)).toEqual([]);
    expect(await pglite.prisma.organization.findUnique({ where: { name: 'persisted' } })).not.toBeNull();
  });
});

describe('isUniqueViolation', () => {
  it('is false for values that are not database errors', () => {
    for (const value of [undefined, null, 'P2002', new Error('boom'), { code: 'P2025' }, { code: '23503' }]) {
      expect(isUniqueViolation(value)).toBe(false);
    }
  });
});
