/**
 * Writing usage events as `UsageRecord` rows, idempotent on `requestId`.
 *
 * Two ways, both `ON CONFLICT ("requestId") DO NOTHING` in one statement per batch:
 * - `insertWithCreateMany`: Prisma's `createMany({ skipDuplicates: true })`.
 * - `insertWithRecordset` (the writer's default): the whole batch as ONE json parameter
 *   expanded by `json_populate_recordset` against the table's own row type. One parameter
 *   instead of 31 per row means PostgreSQL parses and binds one value, and the client
 *   serialises one string. bench/ledger-insert.ts, 500-row batches on the 2-core dev box:
 *   createMany ~150-350 ms per batch, a 31-parameter-per-row VALUES ~50-200 ms, this one
 *   ~18-55 ms (the spread is the machine's other load).
 * Both skip duplicates, within a batch and against earlier rows, on PostgreSQL and PGlite
 * (test/ledger/rows.test.ts).
 */
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { EVENT_FIELDS, type UsageEvent } from './event.js';

export type InsertRows = (prisma: PrismaClient, events: readonly UsageEvent[]) => Promise<number>;

/** The row in Prisma's shape; NULL columns omitted so their defaults / NULL apply. */
export function toCreateInput(e: UsageEvent): Prisma.UsageRecordCreateManyInput {
  return { ...e } as Prisma.UsageRecordCreateManyInput;
}

export const insertWithCreateMany: InsertRows = async (prisma, events) => {
  if (events.length === 0) return 0;
  const result = await prisma.usageRecord.createMany({ data: events.map(toCreateInput), skipDuplicates: true });
  return result.count;
};

// Quoted column list in table order (every column but the BIGSERIAL id).
const COLUMNS = EVENT_FIELDS.map((c) => `"${c.name}"`).join(', ');
const RECORDSET_SQL =
  `INSERT INTO "UsageRecord" (${COLUMNS}) ` +
  `SELECT ${COLUMNS} FROM json_populate_recordset(NULL::"UsageRecord", $1::json) ` +
  `ON CONFLICT ("requestId") DO NOTHING`;

/**
 * createdAt goes as an ISO string with `Z`: cast to TIMESTAMP(3) (no zone) PostgreSQL keeps the
 * UTC wall clock, which is how Prisma stores DateTime. Decimals stay strings: json numbers would
 * pass through a double on the way in from JavaScript and lose digits.
 */
function toJsonRow(e: UsageEvent): Record<string, unknown> {
  return { ...e, createdAt: e.createdAt.toISOString() };
}

export const insertWithRecordset: InsertRows = async (prisma, events) => {
  if (events.length === 0) return 0;
  return prisma.$executeRawUnsafe(RECORDSET_SQL, JSON.stringify(events.map(toJsonRow)));
};

type Loose = Record<string, unknown> | undefined;
const obj = (v: unknown): Loose => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);

/**
 * The driver's description of a failed query, wherever Prisma put it: under
 * `meta.driverAdapterError.cause` (a PrismaClientKnownRequestError, e.g. P2010 from a raw
 * query) or `cause` (a bare DriverAdapterError). @prisma/adapter-pg names the SQLSTATE
 * `originalCode`; the PGlite adapter reports `{ kind: 'postgres', code }`.
 */
function driverCause(err: unknown): { code?: string; message?: string } | undefined {
  const e = obj(err);
  for (const cause of [obj(obj(obj(e?.meta)?.driverAdapterError)?.cause), obj(e?.cause)]) {
    if (!cause) continue;
    const code = cause.originalCode ?? (cause.kind === 'postgres' ? cause.code : undefined);
    const message = cause.originalMessage ?? cause.message;
    return {
      code: typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  }
  return undefined;
}

/** The SQLSTATE of a failed query; undefined for network errors and non-database errors. */
export function sqlState(err: unknown): string | undefined {
  return driverCause(err)?.code;
}

/** One line for logs and dead letters: the server's message when there is one. */
export function describeDbError(err: unknown): string {
  const cause = driverCause(err);
  if (cause?.message) return cause.code ? `${cause.code}: ${cause.message}` : cause.message;
  return String(err instanceof Error ? err.message : err).trim().split('\n').pop() ?? 'unknown error';
}

/**
 * True when PostgreSQL refused the rows themselves (class 22 data exception, class 23
 * integrity violation): retrying the same rows cannot succeed, so the writer looks for the
 * row to blame instead. Anything else (connection lost, a missing table while migrations
 * run, a full disk) may pass, so it is retried and the rows are kept.
 */
export function isRowError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}
