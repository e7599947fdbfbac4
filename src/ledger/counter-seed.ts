/**
 * The ledger side of seeding a budget counter (src/budgets/keys.ts, "Seeding"): the spend of
 * one counter's period as the ledger records it, minus the requests the counter already holds.
 *
 * Both reads of the rows run in ONE repeatable-read snapshot, and the list of requests the
 * counter already holds is fetched after that snapshot starts: a row reaches the ledger only
 * after its settle, so any row of the snapshot that a settle already charged to the counter is
 * on that list. Rows are rounded up to the nano-USD one by one, as settle rounds each request,
 * so an undisturbed counter and its seed agree exactly (see reconcile.ts).
 */
import type { LedgerSpendReader } from '../budgets/seed-counter.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { LEVEL_COLUMN, periodAndScope } from './reconcile.js';

export function ledgerSpendReader(prisma: PrismaClient): LedgerSpendReader {
  return (counter, alreadyCounted) =>
    prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      // The snapshot is taken by the transaction's first query, before the list is read.
      await tx.$queryRawUnsafe('SELECT 1');
      const counted = await alreadyCounted();
      const { rule } = counter;
      const params: unknown[] = [];
      const param = (value: unknown, cast = ''): string => `$${params.push(value)}${cast}`;
      const where = [`"${LEVEL_COLUMN[rule.level]}" = ${param(counter.counterEntityId)}`];
      if (rule.inheritedFrom) where.push(`"${LEVEL_COLUMN[rule.inheritedFrom.level]}" = ${param(rule.inheritedFrom.entityId)}`);
      // Lets levels without an index of their own use (organizationId, createdAt).
      if (counter.organizationId && rule.level !== 'key') where.push(`"organizationId" = ${param(counter.organizationId)}`);
      where.push(...periodAndScope(rule, counter.window, param));
      if (counted.length > 0) where.push(`NOT ("requestId" = ANY(${param([...counted], '::text[]')}))`);
      const rows = await tx.$queryRawUnsafe<Array<{ nano: string | null }>>(
        `SELECT SUM(CEIL("costTotalUsd" * 1000000000))::text AS nano FROM "UsageRecord" WHERE ${where.join(' AND ')}`,
        ...params,
      );
      return BigInt(rows[0]?.nano ?? '0');
    });
}
