// Which INSERT the ledger writer should use: Prisma createMany({ skipDuplicates }) against a
// single json parameter expanded by json_populate_recordset, and, for reference, a plain
// multi-row VALUES statement with 31 bound parameters per row. Each is checked for
// correctness first (duplicates skipped, decimals exact), then timed on fresh batches.
//
//   npx tsx bench/ledger-insert.ts [batchSize=500] [batches=40]
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { EVENT_FIELDS, type UsageEvent } from '../src/ledger/event.js';
import { insertWithCreateMany, insertWithRecordset, type InsertRows } from '../src/ledger/rows.js';
import { createTestDatabase } from '../test/support/database.js';
import { makeEvents } from '../test/support/usage-events.js';

const batchSize = Number(process.argv[2] ?? 500);
const batches = Number(process.argv[3] ?? 40);

const COLUMNS = EVENT_FIELDS.map((c) => `"${c.name}"`).join(', ');

/** Multi-row VALUES, one placeholder per column per row. */
const insertWithValues: InsertRows = async (prisma, events) => {
  const params: unknown[] = [];
  const tuples = events.map((e) => {
    const row = e as unknown as Record<string, unknown>;
    const marks = EVENT_FIELDS.map((c) => {
      let v = row[c.name] ?? null;
      if (c.kind === 'other' && v !== null) v = JSON.stringify(v);
      if (c.kind === 'date') v = (v as Date).toISOString();
      params.push(v);
      const cast = c.kind === 'usd' ? '::numeric' : c.kind === 'other' ? '::jsonb' : c.kind === 'date' ? '::timestamp' : c.kind === 'int' ? '::int' : c.kind === 'bool' ? '::boolean' : '';
      return `$${params.length}${cast}`;
    });
    return `(${marks.join(', ')})`;
  });
  const sql = `INSERT INTO "UsageRecord" (${COLUMNS}) VALUES ${tuples.join(', ')} ON CONFLICT ("requestId") DO NOTHING`;
  return prisma.$executeRawUnsafe(sql, ...params);
};

const methods: Record<string, InsertRows> = {
  createMany: insertWithCreateMany,
  recordset: insertWithRecordset,
  values: insertWithValues,
};

/** jsonb stores keys in its own order; compare key-sorted. */
function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): string => JSON.stringify(Object.fromEntries(Object.entries(v as object).sort()));
  return sorted(a) === sorted(b);
}

async function check(prisma: PrismaClient, name: string, insert: InsertRows): Promise<void> {
  const events = makeEvents(20, { prefix: `check-${name}` });
  const first = await insert(prisma, [...events, events[0]!]); // duplicate inside the batch
  const again = await insert(prisma, events.slice(0, 10)); // duplicates of earlier rows
  const rows = await prisma.usageRecord.findMany({ where: { requestId: { startsWith: `check-${name}-` } } });
  const byId = new Map(rows.map((r) => [r.requestId, r]));
  const ok =
    first === 20 &&
    again === 0 &&
    rows.length === 20 &&
    events.every((e) => {
      const r = byId.get(e.requestId)!;
      return (
        r.costTotalUsd.toFixed() === e.costTotalUsd &&
        r.createdAt.getTime() === e.createdAt.getTime() &&
        (r.otherTokens === null ? e.otherTokens === undefined : sameJson(r.otherTokens, e.otherTokens))
      );
    });
  console.log(`${name.padEnd(10)} correct: ${ok} (first=${first}, again=${again}, rows=${rows.length})`);
  if (!ok) process.exitCode = 1;
}

async function time(prisma: PrismaClient, name: string, insert: InsertRows, round: number): Promise<void> {
  const tag = `${name}-r${round}`;
  const all: UsageEvent[][] = Array.from({ length: batches }, (_, b) => makeEvents(batchSize, { prefix: `${tag}-${b}` }));
  await insert(prisma, makeEvents(batchSize, { prefix: `${tag}-warm` }));
  const t0 = performance.now();
  for (const batch of all) await insert(prisma, batch);
  const s = (performance.now() - t0) / 1000;
  const rows = batches * batchSize;
  console.log(`${name.padEnd(10)} ${rows} rows in ${s.toFixed(2)} s: ${Math.round(rows / s)} rows/s, ${((s * 1000) / batches).toFixed(1)} ms/batch`);
}

const db = await createTestDatabase();
try {
  const { prisma } = db.database;
  for (const [name, insert] of Object.entries(methods)) await check(prisma, name, insert);
  // Two rounds, alternating, so neither method always runs on a colder or fuller table.
  for (let round = 1; round <= 2; round++) {
    console.log(`round ${round}, batch ${batchSize} x ${batches}`);
    for (const [name, insert] of Object.entries(methods)) await time(prisma, name, insert, round).catch((err) => console.log(name, 'failed:', String(err).slice(0, 300)));
  }
} finally {
  await db.drop();
}
