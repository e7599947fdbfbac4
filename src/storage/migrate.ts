// Applying prisma/migrations/*/migration.sql without the Prisma CLI. Production images may not
// ship or be able to run the CLI (it needs its WASM engine and a config file), and PGlite cannot
// be migrated by the CLI at all. We keep Prisma's own `_prisma_migrations` bookkeeping, so
// `prisma migrate status|deploy` agree with what we did on PostgreSQL, and the same table on PGlite.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, MigrationTarget } from './database.js';

/**
 * The key Prisma's schema engine passes to pg_advisory_lock. Using the same one serializes us
 * with a concurrent `prisma migrate deploy` as well as with other gateway processes. Advisory
 * locks are per database, so gateways on other databases of the same server are not blocked.
 */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Exactly the table Prisma creates, so the CLI accepts rows we write and vice versa. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  /** Folder name, e.g. `20261122163314_init`: Prisma's migration_name. */
  name: string;
  sql: string;
  /** sha256 hex of the file's bytes, as Prisma computes it. */
  checksum: string;
}

export interface MigrateOptions {
  /** Folder holding `<name>/migration.sql` (default: the repository's prisma/migrations). */
  migrationsDir?: string;
  /** Give up waiting for another process's migration lock after this long (PostgreSQL only). */
  lockTimeoutMs?: number;
}

export interface MigrateResult {
  /** Migrations this call applied, in order. */
  applied: string[];
  /** Applied earlier whose file has changed since (Prisma only warns about these, as do we). */
  modified: string[];
}

type Target = MigrationTarget | Database;

/** Finds prisma/migrations from this module upwards (works from src/ and from a dist/ build). */
export function defaultMigrationsDir(): string {
  if (process.env.TOLLGATE_MIGRATIONS_DIR) return resolve(process.env.TOLLGATE_MIGRATIONS_DIR);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(join(candidate, 'migration_lock.toml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return resolve('prisma', 'migrations');
    dir = parent;
  }
}

/** Reads every `<dir>/<name>/migration.sql`, ordered by name (the timestamp prefix). */
export function readMigrations(migrationsDir = defaultMigrationsDir()): MigrationFile[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(migrationsDir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

function toTarget(target: Target): MigrationTarget {
  return 'prisma' in target ? target.target : target;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
}

const SELECT_ROWS = `SELECT migration_name, checksum, finished_at, rolled_back_at
  FROM "_prisma_migrations" ORDER BY started_at`;

/** Splits the bookkeeping rows into applied names and failures, like `prisma migrate deploy`. */
function classify(rows: AppliedRow[], files: MigrationFile[]) {
  const live = rows.filter((r) => r.rolled_back_at === null);
  const failed = live.filter((r) => r.finished_at === null).map((r) => r.migration_name);
  const done = new Map(live.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  const pending = files.filter((f) => !done.has(f.name));
  const modified = files.filter((f) => done.has(f.name) && done.get(f.name) !== f.checksum).map((f) => f.name);
  return { failed, pending, modified };
}

function failedError(failed: string[]): Error {
  // Same stance as Prisma (P3009): a half-applied migration needs a human, not a retry.
  return new Error(
    `migration(s) ${failed.join(', ')} failed earlier and are recorded as unfinished in ` +
      `_prisma_migrations; fix the database, then mark them with \`prisma migrate resolve\``,
  );
}

/** Applies every pending migration; a second call applies nothing. */
export async function applyMigrations(target: Target, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = readMigrations(options.migrationsDir);
  const t = toTarget(target);
  return t.kind === 'postgres'
    ? applyPostgres(t.databaseUrl, files, options.lockTimeoutMs ?? 120_000)
    : applyPglite(t.pglite, files);
}

/** Names of migrations not yet applied (empty when up to date). Never changes the database. */
export async function migrationStatus(target: Target, options: MigrateOptions = {}): Promise<string[]> {
  const files = readMigrations(options.migrationsDir);
  const t = toTarget(target);
  const rows = t.kind === 'postgres' ? await readRowsPostgres(t.databaseUrl) : await readRowsPglite(t.pglite);
  return classify(rows, files).pending.map((f) => f.name);
}

// ------------------------------------------------------------------------------- PostgreSQL

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-migration (server restart, DROP ... WITH (FORCE)) must reject the
  // pending query, not crash the process as an unhandled 'error' event.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function readRowsPostgres(databaseUrl: string): Promise<AppliedRow[]> {
  return withClient(databaseUrl, async (client) => {
    const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
    if (exists.rows[0]?.t === null) return [];
    return (await client.query<AppliedRow>(SELECT_ROWS)).rows;
  });
}

async function applyPostgres(databaseUrl: string, files: MigrationFile[], lockTimeoutMs: number) {
  return withClient(databaseUrl, async (client) => {
    // The lock comes before CREATE TABLE IF NOT EXISTS: two sessions racing on that statement can
    // both pass the existence check and one then fails on a duplicate pg_type row.
    await client.query(`SET lock_timeout = ${Math.max(0, Math.floor(lockTimeoutMs))}`);
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    await client.query('SET lock_timeout = 0'); // migrations themselves may wait on table locks
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { failed, pending, modified } = classify((await client.query<AppliedRow>(SELECT_ROWS)).rows, files);
      if (failed.length > 0) throw failedError(failed);
      const applied: string[] = [];
      for (const file of pending) {
        // Prisma's order: record the start, run the script, then mark it finished. The script is
        // sent as one simple-protocol query, which PostgreSQL runs as a single implicit
        // transaction, so a failing migration leaves no partial schema, only the unfinished row.
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 0)`,
          [id, file.checksum, file.name],
        );
        try {
          await client.query(file.sql);
        } catch (err) {
          await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(err)]);
          throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
        }
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        applied.push(file.name);
      }
      return { applied, modified };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    }
  });
}

// ------------------------------------------------------------------------------------ PGlite

async function readRowsPglite(pglite: PGlite): Promise<AppliedRow[]> {
  const exists = await pglite.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"') AS t`);
  if (exists.rows[0]?.t === null) return [];
  return (await pglite.query<AppliedRow>(SELECT_ROWS)).rows;
}

async function applyPglite(pglite: PGlite, files: MigrationFile[]): Promise<MigrateResult> {
  // PGlite is one connection inside this process, so there is no other migrator to lock out.
  // Each migration and its bookkeeping row commit together: nothing can be left half-applied.
  await pglite.exec(CREATE_MIGRATIONS_TABLE);
  const { failed, pending, modified } = classify(await readRowsPglite(pglite), files);
  if (failed.length > 0) throw failedError(failed);
  const applied: string[] = [];
  for (const file of pending) {
    try {
      await pglite.transaction(async (tx) => {
        await tx.exec(file.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
      });
    } catch (err) {
      throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(file.name);
  }
  return { applied, modified };
}
