// Opening the gateway's database: a real PostgreSQL server when a URL is configured, otherwise an
// embedded PGlite (PostgreSQL compiled to WASM) in a local data folder, so `tollgate demo` and
// single-node setups need no server. Both run the same generated Prisma client and the same
// migrations (see migrate.ts).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export const DEFAULT_PGLITE_DIR = '.tollgate/pglite';

/** Where migrations go; kept beside the client so migrate.ts needs no second configuration. */
export type MigrationTarget =
  | { kind: 'postgres'; databaseUrl: string }
  | { kind: 'pglite'; pglite: PGlite };

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** What applyMigrations/migrationStatus need to reach the same database without Prisma. */
  target: MigrationTarget;
  /** Disconnects Prisma (and closes PGlite). Safe to call more than once. */
  close(): Promise<void>;
  /** True when a trivial query answers within `timeoutMs`; never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
}

export interface OpenDatabaseOptions {
  /** postgresql:// URL. When absent, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder (default `.tollgate/pglite`, relative to the working directory). */
  dataDir?: string;
  /**
   * PostgreSQL only: how long close() waits for the connection pool to end (default 5 s).
   * Prisma never returns a connection whose ROLLBACK failed because the server vanished mid-
   * transaction, and the pool's end waits for it forever; past this bound close() returns and
   * the dead connection is left to the process's exit. PGlite always closes fully: cutting
   * its close short would corrupt the data folder.
   */
  closeTimeoutMs?: number;
  /** Told when close() gave up waiting (default: console.warn). */
  warn?: (message: string) => void;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

type PrismaAdapter = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter'];

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, options.warn ?? console.warn);
  return openPglite(options.dataDir ?? DEFAULT_PGLITE_DIR);
}

function openPostgres(databaseUrl: string, closeTimeoutMs: number, warn: (message: string) => void): Database {
  // At run time a plain PrismaPg is right: the adapter defects worked around in
  // prisma/cli-adapter.ts only concern the schema engine's catalog queries and shadow databases.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const disconnect = async () => {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), closeTimeoutMs);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([prisma.$disconnect(), gaveUp]);
      if (outcome === 'timeout') {
        warn(`the PostgreSQL pool did not end within ${closeTimeoutMs} ms (a connection lost inside a transaction is never returned to it); closing without waiting further`);
      }
    } finally {
      clearTimeout(timer);
    }
  };
  return wrap(prisma, { kind: 'postgres', databaseUrl }, async () => {}, disconnect);
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  // Loaded only here: importing PGlite and its adapter costs about 45 MB of resident memory,
  // which a gateway on PostgreSQL (DATABASE_URL) should not carry.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  // A data folder opens in well under a second after the first initdb; in-memory PGlite would
  // run initdb (~5 s) on every open.
  const pglite = await PGlite.create(dir);
  // pglite-prisma-adapter 0.6.1 is typed against its own copy of @prisma/driver-adapter-utils,
  // which lags the client's; the runtime contract is the same, hence the cast.
  const adapter = new PrismaPGlite(pglite) as unknown as PrismaAdapter;
  const prisma = new PrismaClient({ adapter });
  return wrap(prisma, { kind: 'pglite', pglite }, async () => {
    // Only from an explicit close, never from `beforeExit`: a cut-off close corrupts the folder.
    if (!pglite.closed) await pglite.close();
  });
}

function wrap(
  prisma: PrismaClient,
  target: MigrationTarget,
  closeDriver: () => Promise<void>,
  disconnect: () => Promise<void> = () => prisma.$disconnect(),
): Database {
  let closing: Promise<void> | undefined;
  return {
    prisma,
    kind: target.kind,
    target,
    close() {
      closing ??= (async () => {
        try {
          await disconnect();
        } finally {
          await closeDriver();
        }
      })();
      return closing;
    },
    async ping(timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((done) => {
        timer = setTimeout(() => done(false), timeoutMs);
        timer.unref();
      });
      const query = prisma.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([query, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
