// Fresh, migrated PostgreSQL databases for tests. Each test file (or test) gets its own
// `tollgate_test_<random>` database on the local server, so test files can run in parallel
// forks without sharing rows, and drop() removes exactly that database and nothing else.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { applyMigrations } from '../../src/storage/migrate.js';

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** postgresql:// URL of the new database. */
  url: string;
  /** Opened with openDatabase({ databaseUrl: url }), migrations applied. */
  database: Database;
  /** Closes `database` and drops the test database (WITH (FORCE)). Safe to call twice. */
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  client.on('error', () => {}); // a lost connection rejects the query below instead
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (no migrations); the caller owns dropping it via the result. */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  // Hex only, so the name needs no quoting rules beyond the double quotes below.
  const name = `tollgate_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () => (dropped ??= admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyTestDatabase();
  try {
    // applyMigrations uses pg directly: a few hundred ms, versus seconds for the Prisma CLI.
    await applyMigrations({ kind: 'postgres', databaseUrl: empty.url });
    const database = await openDatabase({ databaseUrl: empty.url });
    let dropping: Promise<void> | undefined;
    return {
      url: empty.url,
      database,
      drop: () =>
        (dropping ??= (async () => {
          try {
            await database.close();
          } finally {
            await empty.drop();
          }
        })()),
    };
  } catch (err) {
    await empty.drop();
    throw err;
  }
}
