/**
 * How the ledger reads a failed query: the SQLSTATE that decides "row error" (dead-letter the
 * row) versus "retry the batch", and the one-line text that goes into logs and dead letters.
 * The shapes are the ones Prisma's two driver adapters produce; the text and empty-batch
 * cases run against real databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDbError, insertWithCreateMany, insertWithRecordset, isRowError, sqlState } from '../../src/ledger/rows.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeEvents } from '../support/usage-events.js';

describe('errors that are not from the database', () => {
  it('have no SQLSTATE and are never row errors (the batch is retried, nothing dead-lettered)', () => {
    for (const err of [new Error('socket hang up'), 'a string', undefined, null, { cause: 'not an object' }]) {
      expect(sqlState(err)).toBeUndefined();
      expect(isRowError(err)).toBe(false);
    }
  });

  it('are described by the last line of their message (Prisma puts the useful part there)', () => {
    const prismaLike = new Error('\nInvalid `prisma.$executeRawUnsafe()` invocation:\n\n\nCan\'t reach database server at `db:5432`\n');
    expect(describeDbError(prismaLike)).toBe("Can't reach database server at `db:5432`");
    expect(describeDbError('  plain text  ')).toBe('plain text');
  });
});

describe('driver errors', () => {
  it('adapter-pg (under meta.driverAdapterError.cause): SQLSTATE and the server message', () => {
    const err = { meta: { driverAdapterError: { cause: { originalCode: '23505', originalMessage: 'duplicate key value' } } } };
    expect(sqlState(err)).toBe('23505');
    expect(isRowError(err)).toBe(true);
    expect(describeDbError(err)).toBe('23505: duplicate key value');
  });

  it('PGlite (a bare cause of kind postgres): the same', () => {
    const err = { cause: { kind: 'postgres', code: '22003', message: 'numeric field overflow' } };
    expect(sqlState(err)).toBe('22003');
    expect(isRowError(err)).toBe(true);
    expect(describeDbError(err)).toBe('22003: numeric field overflow');
  });

  it('a cause without a valid SQLSTATE: its message alone, and not a row error', () => {
    for (const code of [undefined, 'ECONNRESET', 42]) {
      const err = { cause: { kind: 'postgres', code, message: 'connection reset' } };
      expect(sqlState(err)).toBeUndefined();
      expect(isRowError(err)).toBe(false);
      expect(describeDbError(err)).toBe('connection reset');
    }
  });

  it('a server error outside classes 22 and 23 (e.g. a missing table) is retried, not blamed on the rows', () => {
    const err = { cause: { kind: 'postgres', code: '42P01', message: 'relation "UsageRecord" does not exist' } };
    expect(isRowError(err)).toBe(false);
  });
});

describe('real databases', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a refused row is described with its SQLSTATE and the server\'s words', async () => {
    const events = makeEvents(1);
    const tooBig = { ...events[0]!, inputTokens: 2 ** 31 }; // beyond INT4: class 22
    const err = await insertWithRecordset(db.database.prisma, [tooBig]).then(() => undefined, (e: unknown) => e);
    expect(isRowError(err)).toBe(true);
    expect(describeDbError(err)).toMatch(/^22003: .*out of range/);
  });

  it('an empty batch sends no statement: it succeeds with 0 rows even when the database is away', async () => {
    const gone: Database = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      expect(await insertWithRecordset(gone.prisma, [])).toBe(0);
      expect(await insertWithCreateMany(gone.prisma, [])).toBe(0);
      await expect(insertWithRecordset(gone.prisma, makeEvents(1))).rejects.toBeDefined();
    } finally {
      await gone.close();
    }
  });
});
