import type { PrismaClient } from '../generated/prisma/client.js';
import { decodeUsageEvent } from '../ledger/event.js';
import { insertWithRecordset } from '../ledger/rows.js';

/**
 * The last resort when the budget store cannot take a usage event (Redis down at settle):
 * write the row straight to the database, idempotent on request id like the ledger writer,
 * so the row is not lost. Its cost then misses the live counters until reconciliation.
 */
export async function recordEventsDirectly(prisma: PrismaClient, events: ReadonlyArray<Record<string, string>>): Promise<void> {
  const decoded = [];
  for (const fields of events) {
    const result = decodeUsageEvent(fields);
    if (!result.ok) throw new Error(`usage event does not decode: ${result.error}`);
    decoded.push(result.event);
  }
  await insertWithRecordset(prisma, decoded);
}
