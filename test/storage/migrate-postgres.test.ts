// applyMigrations / migrationStatus against real PostgreSQL databases created for this file.
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { applyMigrations, migrationStatus, readMigrations } from '../../src/storage/migrate.js';
import { createEmptyTestDatabase, createTestDatabase } from '../support/database.js';

const migrationNames = readMigrations().map((m) => m.name);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((drop) => drop()));
});

async function emptyDatabase() {
  const db = await createEmptyTestDatabase();
  cleanups.push(db.drop);
  return db;
}

async function migrationRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs
         FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('applyMigrations on PostgreSQL', () => {
  it('finds at least the initial migration', () => {
    expect(migrationNames.length).toBeGreaterThan(0);
    expect(migrationNames[0]).toMatch(/^\d{14}_init$/);
  });

  it('applies every migration once and is idempotent', async () => {
    const { url } = await emptyDatabase();
    const target = { kind: 'postgres' as const, databaseUrl: url };
    expect(await migrationStatus(target)).toEqual(migrationNames);

    const first = await applyMigrations(target);
    expect(first.applied).toEqual(migrationNames);
    expect(await migrationStatus(target)).toEqual([]);

    const second = await applyMigrations(target);
    expect(second).toEqual({ applied: [], modified: [] });

    // Prisma's bookkeeping format: sha256 checksums, finished, one step each.
    const checksums = new Map(readMigrations().map((m) => [m.name, m.checksum]));
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      expect(row.checksum).toBe(checksums.get(row.migration_name));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('lets two concurrent migrators share one fresh database, applying each migration once', async () => {
    const { url } = await emptyDatabase();
    const target = { kind: 'postgres' as const, databaseUrl: url };
    const results = await Promise.all([applyMigrations(target), applyMigrations(target)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
    expect(results.some((r) => r.applied.length === 0)).toBe(true);
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
  });

  it('accepts an open Database as the target', async () => {
    const test = await createTestDatabase();
    cleanups.push(test.drop);
    expect(test.database.kind).toBe('postgres');
    expect(await migrationStatus(test.database)).toEqual([]);
    expect((await applyMigrations(test.database)).applied).toEqual([]);
    expect(await test.database.ping()).toBe(true);
  });
});
