// How applyMigrations behaves when things go wrong: a broken migration, an edited migration, a
// lock held by someone else. Uses throwaway copies of prisma/migrations plus extra folders.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, defaultMigrationsDir, migrationStatus } from '../../src/storage/migrate.js';
import { createEmptyTestDatabase } from '../support/database.js';

const temp: string[] = [];
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(drops.map((drop) => drop()));
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the real migrations plus `extra` folders (name -> SQL). */
function migrationsWith(extra: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-migrations-'));
  temp.push(dir);
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

async function freshTarget() {
  const db = await createEmptyTestDatabase();
  drops.push(db.drop);
  return { kind: 'postgres' as const, databaseUrl: db.url };
}

describe('applyMigrations failure handling (PostgreSQL)', () => {
  it('records a failing migration as unfinished, leaves no partial schema, and refuses to continue', async () => {
    const target = await freshTarget();
    const migrationsDir = migrationsWith({
      '99990101000000_broken': 'CREATE TABLE "Half" (id int);\nSELECT * FROM "NoSuchTable";\n',
    });
    await expect(applyMigrations(target, { migrationsDir })).rejects.toThrow(/99990101000000_broken failed/);

    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const half = await client.query(`SELECT to_regclass('"Half"') AS t`);
      expect(half.rows[0].t).toBeNull(); // the script ran as one implicit transaction
      const row = await client.query(
        `SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`,
      );
      expect(row.rows).toHaveLength(1);
      expect(row.rows[0].finished_at).toBeNull();
      expect(row.rows[0].logs).toMatch(/NoSuchTable/);
    } finally {
      await client.end();
    }

    expect(await migrationStatus(target, { migrationsDir })).toEqual(['99990101000000_broken']);
    await expect(applyMigrations(target, { migrationsDir })).rejects.toThrow(/failed earlier/);
  });

  it('reports a migration edited after it was applied as modified, without reapplying it', async () => {
    const target = await freshTarget();
    const original = migrationsWith({ '99990101000000_extra': 'CREATE TABLE "Extra" (id int);\n' });
    expect((await applyMigrations(target, { migrationsDir: original })).applied).toContain('99990101000000_extra');
    const edited = migrationsWith({ '99990101000000_extra': 'CREATE TABLE "Extra" (id bigint);\n' });
    expect(await applyMigrations(target, { migrationsDir: edited })).toEqual({
      applied: [],
      modified: ['99990101000000_extra'],
    });
  });

  it('gives up after lockTimeoutMs while another session holds the migration lock', async () => {
    const target = await freshTarget();
    const holder = new pg.Client({ connectionString: target.databaseUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      await expect(applyMigrations(target, { lockTimeoutMs: 200 })).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.end();
    }
    expect((await applyMigrations(target)).applied.length).toBeGreaterThan(0);
  });
});
