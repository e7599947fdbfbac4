// Closing the database after PostgreSQL vanished in the middle of an interactive transaction.
// Prisma then fails its ROLLBACK on the dead connection and never hands that connection back to
// the pool, so the pool's end() waits forever: a gateway told to stop would hang until a second
// signal. The close is bounded instead, and says what it left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { createEmptyTestDatabase } from '../support/database.js';
import { applyMigrations } from '../../src/storage/migrate.js';
import { TcpProxy } from '../support/tcp-proxy.js';

let empty: { url: string; drop(): Promise<void> };
let proxy: TcpProxy;
beforeAll(async () => {
  empty = await createEmptyTestDatabase();
  await applyMigrations({ kind: 'postgres', databaseUrl: empty.url });
  const target = new URL(empty.url);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
});
afterAll(async () => {
  await proxy?.close();
  await empty?.drop();
});

/** Opens a transaction, cuts the connection inside it, and waits for the transaction to fail. */
async function cutInsideTransaction(db: Database): Promise<void> {
  const failed = db.prisma
    .$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      proxy.cut('reset');
      await tx.$queryRaw`SELECT 2`;
    })
    .then(
      () => 'committed',
      () => 'failed',
    );
  expect(await failed).toBe('failed');
  proxy.restore();
}

describe('closing the database after a connection died inside a transaction', () => {
  it('returns within its bound, and the database opens again afterwards', { timeout: 60_000 }, async () => {
    const warnings: string[] = [];
    const db = await openDatabase({ databaseUrl: proxy.rewrite(empty.url), closeTimeoutMs: 2_000, warn: (message) => warnings.push(message) });
    await cutInsideTransaction(db);

    const started = performance.now();
    await db.close();
    expect(performance.now() - started).toBeLessThan(10_000);

    const again = await openDatabase({ databaseUrl: proxy.rewrite(empty.url) });
    try {
      expect(await again.ping(5_000)).toBe(true);
    } finally {
      await again.close();
    }
    // The pool never ended on its own: the bound cut the wait short, and said so once.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('did not end within 2000 ms');
  });
});
