// Our own migrator must leave PostgreSQL in a state the Prisma CLI considers up to date, so that
// operators can still use `prisma migrate status|deploy` against a gateway-migrated database.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.js';
import { createEmptyTestDatabase } from '../support/database.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(drops.map((drop) => drop()));
});

function migrateStatus(databaseUrl: string) {
  return spawnSync(process.execPath, [prismaCli, 'migrate', 'status'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('prisma migrate status after applyMigrations', () => {
  // Two Prisma CLI runs of up to 60 s each (spawnSync's timeout) and the migrations in between.
  it('exits 1 before and 0 after our migrator ran', { timeout: 150_000 }, async () => {
    const db = await createEmptyTestDatabase();
    drops.push(db.drop);

    const before = migrateStatus(db.url);
    expect(before.status, before.stdout + before.stderr).toBe(1);
    expect(before.stdout).toMatch(/not yet been applied/);

    await applyMigrations({ kind: 'postgres', databaseUrl: db.url });
    const after = migrateStatus(db.url);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toMatch(/Database schema is up to date/);
  });
});
