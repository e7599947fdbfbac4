/**
 * One batch of the ledger writer: decoding the queue entries, and inserting the rows so
 * that one bad row cannot hold up the rest (see writer.ts for the loop around it).
 */
import type { UsageEntry } from '../budgets/usage-queue.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { DeadLetter } from './dead-letter.js';
import { decodeUsageEvent, type UsageEvent } from './event.js';
import { describeDbError, isRowError, type InsertRows } from './rows.js';

/** Entries read and not yet acknowledged, with how far their processing got. */
export interface Batch {
  ids: string[];
  /** The first event of each requestId, to insert. */
  events: UsageEvent[];
  /** The entry each event came from, to dead-letter it as it was read. */
  sources: Map<string, UsageEntry>;
  /** Entries of a requestId already in this batch (appended twice). */
  repeats: number;
  /** Entries to dead-letter: malformed ones, then rows the database refused. */
  refused: DeadLetter[];
  inserted: boolean;
  /** `onWritten` ran (writer.ts). */
  followedUp: boolean;
  deadLettered: boolean;
  /** Oldest createdAt (ms) among the events, for the lag metric. */
  oldestMs: number;
}

export function prepare(entries: readonly UsageEntry[]): Batch {
  const batch: Batch = {
    ids: [],
    events: [],
    sources: new Map(),
    repeats: 0,
    refused: [],
    inserted: false,
    followedUp: false,
    deadLettered: false,
    oldestMs: Infinity,
  };
  for (const entry of entries) {
    batch.ids.push(entry.id);
    const decoded = decodeUsageEvent(entry.event);
    if (!decoded.ok) {
      batch.refused.push({ id: entry.id, fields: entry.event, error: decoded.error });
      continue;
    }
    const e = decoded.event;
    if (batch.sources.has(e.requestId)) {
      batch.repeats += 1; // one row; both entries are acknowledged
      continue;
    }
    batch.sources.set(e.requestId, entry);
    batch.events.push(e);
    batch.oldestMs = Math.min(batch.oldestMs, e.createdAt.getTime());
  }
  // Two writers can hold overlapping batches (one claimed the other's stale entries). Rows
  // inserted in the same (requestId) order wait on each other instead of deadlocking.
  batch.events.sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  return batch;
}

export interface Refused {
  requestId: string;
  error: string;
}

/**
 * Inserts the events; when PostgreSQL refuses the rows as data (see `isRowError`), halves
 * the batch until each refused row is alone, so every other row is still written: about
 * 2·log2(n) extra statements per bad row, paid only when there is one. Any other error
 * (network, server) is thrown, and the caller retries the whole batch (idempotent).
 */
export async function insertIsolating(
  insert: InsertRows,
  prisma: PrismaClient,
  events: readonly UsageEvent[],
): Promise<{ written: number; refused: Refused[] }> {
  if (events.length === 0) return { written: 0, refused: [] };
  try {
    return { written: await insert(prisma, events), refused: [] };
  } catch (err) {
    if (!isRowError(err)) throw err;
    if (events.length === 1) {
      const why = describeDbError(err);
      return { written: 0, refused: [{ requestId: events[0]!.requestId, error: `refused by the database: ${why}` }] };
    }
    const half = Math.ceil(events.length / 2);
    const a = await insertIsolating(insert, prisma, events.slice(0, half));
    const b = await insertIsolating(insert, prisma, events.slice(half));
    return { written: a.written + b.written, refused: [...a.refused, ...b.refused] };
  }
}

/**
 * Rejects after `ms` if `work` has not settled, so a stalled connection (a partition with
 * no RST) becomes a logged, retried failure instead of a silent hang. The stalled statement
 * may still commit later; the retry is idempotent, so that is safe.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  work.catch(() => {}); // once timed out, its own failure is of no interest
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
