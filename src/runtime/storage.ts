import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../config/schema.js';
import { openDatabase, type Database } from '../storage/database.js';
import { applyMigrations } from '../storage/migrate.js';

/**
 * Opens the configured database and brings its schema up to date. The embedded database
 * (PGlite) belongs to one process at a time: a lock file says which, so a CLI command run
 * beside a running embedded gateway fails with advice instead of corrupting the data.
 */
export async function openStorage(config: Readonly<GatewayConfig>, warn?: (message: string) => void): Promise<Database> {
  const { databaseUrl, dataDir } = config.storage;
  if (databaseUrl) {
    const database = await openDatabase({ databaseUrl, ...(warn ? { warn } : {}) });
    await applyMigrations(database);
    return database;
  }
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, 'embedded.lock');
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : undefined;
  if (holder && holder !== process.pid && alive(holder)) {
    throw new Error(
      `the embedded database in ${dataDir} is in use by a running gateway (pid ${holder}). ` +
        'Stop it first, or use the admin API of the running gateway.',
    );
  }
  writeFileSync(lock, String(process.pid));
  const database = await openDatabase({ dataDir: join(dataDir, 'pglite') });
  await applyMigrations(database);
  const close = database.close.bind(database);
  return Object.assign(database, {
    close: async () => {
      await close();
      rmSync(lock, { force: true });
    },
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
