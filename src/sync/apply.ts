/**
 * Writing a sync plan: every added or updated price becomes a NEW versioned row from `now`,
 * and the model's previous open-ended rows (never a manual one) end there, the same pattern
 * as admin/prices.ts setManualPrice. One transaction for the whole run, so a failure half-way
 * leaves the catalog exactly as it was and the diff the user confirmed is all or nothing.
 */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { priceToRow, type ModelPriceRowOut } from '../pricing/index.js';
import type { Decision } from './plan.js';

/** A row as Prisma create/update data: JSON columns as objects, a null one as SQL NULL. */
export function rowData(row: ModelPriceRowOut) {
  const json = (value: unknown) => (value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue));
  return {
    ...row,
    rates: row.rates as Prisma.InputJsonValue,
    itemRates: json(row.itemRates),
    tiers: json(row.tiers),
    serviceTiers: json(row.serviceTiers),
  };
}

export async function applyDecisions(prisma: PrismaClient, decisions: readonly Decision[], now: Date): Promise<number> {
  const writes = decisions.filter((d) => d.kind === 'add' || d.kind === 'update');
  if (writes.length === 0) return 0;
  await prisma.$transaction(
    writes.flatMap(({ target }) => [
      prisma.modelPrice.updateMany({
        where: { providerId: target.price.provider, model: target.price.model, effectiveTo: null, effectiveFrom: { lt: now }, source: { not: 'manual' } },
        data: { effectiveTo: now },
      }),
      prisma.modelPrice.create({ data: rowData(priceToRow(target.price)) }),
    ]),
  );
  return writes.length;
}
