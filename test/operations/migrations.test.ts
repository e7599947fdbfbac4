// Database migrations as an operator meets them: `tollgate migrate` on an empty PostgreSQL
// database, `tollgate start` on an empty one (docker-compose starts the gateway against a fresh
// postgres volume and relies on this), and /readyz refusing traffic while a migration the
// running release needs is missing from the database, until `tollgate migrate` applies it.
// Every step is the real CLI in a child process.
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/admin/keys.js';
import { openDatabase } from '../../src/storage/database.js';
import { readMigrations } from '../../src/storage/migrate.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createEmptyTestDatabase } from '../support/database.js';
import { eventually } from '../support/faults.js';
import { childEnv, spawnGateway, type ChildGateway } from './child-gateway.js';

/** Every table prisma/schema.prisma defines (no model is @@map-ped, so model name = table name). */
const SCHEMA_TABLES = [...readFileSync('prisma/schema.prisma', 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!).sort();
const SHIPPED_MIGRATIONS = readMigrations().map((m) => m.name);
/** A migration of a newer release, sorted after every shipped one. */
const PROBE_MIGRATION = '29991231000000_operations_probe';

type EmptyDatabase = Awaited<ReturnType<typeof createEmptyTestDatabase>>;
let simulator: Simulator;
const databases: EmptyDatabase[] = [];
const gateways: ChildGateway[] = [];
let migrationsDir: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  // The shipped migrations plus PROBE_MIGRATION, for the gateway and `migrate` of the "newer release".
  migrationsDir = mkdtempSync(join(tmpdir(), 'tollgate-migrations-'));
  cpSync('prisma/migrations', migrationsDir, { recursive: true });
  mkdirSync(join(migrationsDir, PROBE_MIGRATION));
  writeFileSync(join(migrationsDir, PROBE_MIGRATION, 'migration.sql'), 'CREATE TABLE "OperationsProbe" ("id" INTEGER PRIMARY KEY);\n');
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.cleanup()));
  await simulator?.close();
  await Promise.all(databases.map((d) => d.drop()));
  if (migrationsDir) rmSync(migrationsDir, { recursive: true, force: true });
});

async function emptyDatabase(): Promise<EmptyDatabase> {
  const database = await createEmptyTestDatabase();
  databases.push(database);
  return database;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The tables of the public schema, Prisma's bookkeeping table left out. */
async function tables(url: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  return rows.map((r) => r.table_name).filter((t) => t !== '_prisma_migrations').sort();
}

async function appliedMigrations(url: string): Promise<string[]> {
  const rows = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`);
  return rows.map((r) => r.migration_name);
}

/** `node bin/tollgate.mjs <args>` to its end: exit code and everything it printed. */
async function cli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; output: string }> {
  const run = spawnGateway(env, args);
  const code = await run.exited;
  const output = run.output();
  await run.cleanup();
  return { code, output };
}

async function startGateway(env: Record<string, string>): Promise<{ gateway: ChildGateway; url: string }> {
  const gateway = spawnGateway(env);
  gateways.push(gateway);
  return { gateway, url: await gateway.listening() };
}

async function readyz(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: await response.json() };
}

/** /readyz once it answers 200: each answer is a fresh, time-bounded check, which a loaded machine can miss once. */
async function ready(url: string): Promise<{ status: number; body: any }> {
  return eventually(async () => {
    const answer = await readyz(url);
    return answer.status === 200 ? answer : undefined;
  }, 'ready', 10_000);
}

/**
 * /readyz until `accept` holds, for the same reason as ready(); the last answer either way, so
 * the caller's assertion shows what /readyz really said when it never got there.
 */
async function readyzUntil(url: string, accept: (answer: { status: number; body: any }) => boolean, timeoutMs = 10_000): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + timeoutMs;
  let answer = await readyz(url);
  while (!accept(answer) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    answer = await readyz(url);
  }
  return answer;
}

// Child processes on a loaded machine: start-up alone may take a good part of listening()'s 60 s
// deadline, so each test gets twice that.
describe('database migrations', () => {
  it('`tollgate migrate` on an empty PostgreSQL database creates every table of the schema and records every migration; run again, it changes nothing', async () => {
    const migrated = await emptyDatabase();
    expect(await tables(migrated.url)).toEqual([]);
    const env = childEnv(migrated.url, simulator);

    const first = await cli(env, ['migrate']);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('Database is up to date (postgres)');
    expect(await tables(migrated.url)).toEqual(SCHEMA_TABLES);
    expect(await appliedMigrations(migrated.url)).toEqual(SHIPPED_MIGRATIONS);

    const again = await cli(env, ['migrate']);
    expect(again.code, again.output).toBe(0);
    const rows = await query<{ n: number }>(migrated.url, 'SELECT count(*)::int AS n FROM "_prisma_migrations"');
    expect(rows[0]!.n).toBe(SHIPPED_MIGRATIONS.length);
  }, 120_000);

  it('`tollgate start` on an empty PostgreSQL database migrates it before it serves: ready, and a call lands in the ledger', async () => {
    const database = await emptyDatabase();
    const { gateway, url } = await startGateway(childEnv(database.url, simulator));
    expect(await tables(database.url)).toEqual(SCHEMA_TABLES);
    expect(await appliedMigrations(database.url)).toEqual(SHIPPED_MIGRATIONS);
    expect(await ready(url)).toMatchObject({ status: 200, body: { checks: { database: { migrated: true, pendingMigrations: [] } } } });

    // The schema is the one the code writes to: a call's usage row is there.
    const db = await openDatabase({ databaseUrl: database.url });
    try {
      const key = (await createKey(db.prisma, gateway.env.TOLLGATE_KEY_SECRET!, { name: 'fresh-database' })).secret;
      const response = await fetch(`${url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
      });
      expect(response.status).toBe(200);
      const requestId = response.headers.get('x-request-id')!;
      await response.arrayBuffer();
      await eventually(() => db.prisma.usageRecord.findUnique({ where: { requestId } }).then((row) => row ?? undefined), 'the usage row');
    } finally {
      await db.close();
    }
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited, gateway.output()).toBe(0);
  }, 120_000);

  it("/readyz is 503 naming a migration the running release needs and the database lacks (/healthz stays 200), and 200 once `tollgate migrate` applied it", async () => {
    // A newer release (the shipped migrations plus PROBE_MIGRATION) starts: it applies them all.
    const migrated = await emptyDatabase();
    const env = childEnv(migrated.url, simulator, { TOLLGATE_MIGRATIONS_DIR: migrationsDir });
    const { url } = await startGateway(env);
    expect((await ready(url)).status).toBe(200);
    expect(await tables(migrated.url)).toContain('OperationsProbe');

    // The database goes back to before that migration (restored from an older backup).
    await query(migrated.url, `DELETE FROM "_prisma_migrations" WHERE migration_name = '${PROBE_MIGRATION}'`);
    await query(migrated.url, 'DROP TABLE "OperationsProbe"');
    // A check that missed its 1 s bound reads reachable: false and leaves the gauge below as it
    // was: wait for one that reached the database and saw the migration missing.
    const pending = await readyzUntil(url, (a) => JSON.stringify(a.body?.checks?.database?.pendingMigrations) === JSON.stringify([PROBE_MIGRATION]) && a.body.failing?.length === 1);
    expect(pending).toMatchObject({
      status: 503,
      body: { status: 'not ready', failing: ['database'], database: false, checks: { database: { reachable: true, migrated: false, pendingMigrations: [PROBE_MIGRATION] } } },
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^tollgate_database_migrations_pending 1$/m);

    const migrate = await cli(env, ['migrate']);
    expect(migrate.code, migrate.output).toBe(0);
    expect(await tables(migrated.url)).toContain('OperationsProbe');
    expect(await ready(url)).toMatchObject({ status: 200, body: { status: 'ready', failing: [], checks: { database: { migrated: true, pendingMigrations: [] } } } });
  }, 120_000);
});
