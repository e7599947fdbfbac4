/**
 * Both INSERT methods on both storage kinds (PostgreSQL through @prisma/adapter-pg, and the
 * embedded PGlite): idempotent on requestId, exact values, refused rows recognised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryUsageQueue } from '../../src/budgets/usage-queue.js';
import { MemoryDeadLetters } from '../../src/ledger/dead-letter.js';
import { encodeUsageEvent } from '../../src/ledger/event.js';
import { insertWithCreateMany, insertWithRecordset, isRowError, sqlState, type InsertRows } from '../../src/ledger/rows.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openDatabase, type Database } from '../../src/storage/database.js';
import { applyMigrations } from '../../src/storage/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeEvents } from '../support/usage-events.js';

let pg: TestDatabase;
let pgliteDir: string;
let pglite: Database;

beforeAll(async () => {
  pg = await createTestDatabase();
  pgliteDir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-pglite-'));
  pglite = await openDatabase({ dataDir: pgliteDir });
  await applyMigrations(pglite.target);
  for (const db of [pg.database, pglite]) {
    await db.prisma.$executeRawUnsafe(`ALTER TABLE "UsageRecord" ADD CONSTRAINT no_poison CHECK ("provider" <> 'poison')`);
  }
});
afterAll(async () => {
  await pglite?.close();
  if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  await pg?.drop();
});

const kinds: [string, () => Database][] = [
  ['postgres', () => pg.database],
  ['pglite', () => pglite],
];
const methods: [string, InsertRows][] = [
  ['createMany', insertWithCreateMany],
  ['recordset', insertWithRecordset],
];

/** jsonb keeps keys in its own order: compare key-sorted. */
const sorted = (v: unknown): unknown => (v ? Object.fromEntries(Object.entries(v as object).sort()) : v);

describe.each(kinds)('ledger rows on %s', (kind, db) => {
  describe.each(methods)('%s', (method, insert) => {
    it('skips duplicates, within a batch and against earlier rows, and stores exact values', async () => {
      const events = makeEvents(30, { prefix: `${kind}-${method}` });
      expect(await insert(db().prisma, [...events.slice(0, 20), events[3]!])).toBe(20);
      expect(await insert(db().prisma, events)).toBe(10);
      const rows = await db().prisma.usageRecord.findMany({ where: { requestId: { startsWith: `${kind}-${method}-` } } });
      expect(rows).toHaveLength(30);
      const byId = new Map(rows.map((r) => [r.requestId, r]));
      for (const e of events) {
        const r = byId.get(e.requestId)!;
        expect(r.costTotalUsd.toFixed()).toBe(e.costTotalUsd);
        expect(r.costInputUsd.toFixed()).toBe(e.costInputUsd);
        expect(r.computedCostUsd?.toFixed()).toBe(e.computedCostUsd);
        expect(r.createdAt.getTime()).toBe(e.createdAt.getTime());
        expect(sorted(r.otherTokens ?? undefined)).toEqual(sorted(e.otherTokens));
        expect(r.reasoningTokens ?? undefined).toBe(e.reasoningTokens);
        expect(r.errorCode ?? undefined).toBe(e.errorCode);
      }
    });

    it('fails a batch with a refused row with an error recognised as a row error', async () => {
      const events = makeEvents(3, { prefix: `${kind}-${method}-poison` });
      events[1] = { ...events[1]!, provider: 'poison' };
      const err = await insert(db().prisma, events).then(() => undefined, (e: unknown) => e);
      expect(sqlState(err)).toBe('23514');
      expect(isRowError(err)).toBe(true);
    });
  });

  it('runs the writer (in-process queue, as in the embedded default)', async () => {
    const queue = new MemoryUsageQueue();
    const events = makeEvents(250, { prefix: `${kind}-writer` });
    events[100] = { ...events[100]!, provider: 'poison' };
    for (const e of events) queue.append(encodeUsageEvent(e));
    const deadLetters = new MemoryDeadLetters();
    const writer = new LedgerWriter({ prisma: db().prisma, queue, deadLetters, batchSize: 100 });
    while ((await writer.flushOnce()) > 0);
    expect(writer.rowsWritten).toBe(249);
    expect(deadLetters.entries.map((d) => d.fields.requestId)).toEqual([events[100]!.requestId]);
    expect(await queue.length()).toBe(0);
  });
});

describe('error classification', () => {
  it('does not treat a lost connection as a row error (it is retried, never dead-lettered)', async () => {
    const gone = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const err = await insertWithRecordset(gone.prisma, makeEvents(1)).then(() => undefined, (e: unknown) => e);
      expect(err).toBeDefined();
      expect(isRowError(err)).toBe(false);
    } finally {
      await gone.close();
    }
  });
});
