import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { KeyStore } from '../auth/key-store.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import { priceFromRow, type PriceCatalog } from '../pricing/index.js';
import type { ChangeFeed, ChangeTopic } from './change-feed.js';

export interface Reloadable {
  prisma: PrismaClient;
  catalog: PriceCatalog;
  directory: BudgetDirectory;
  keys: KeyStore;
  logger: Logger;
}

/** Loads the database's prices and model aliases into the in-memory catalog. */
export async function reloadPrices({ prisma, catalog, logger }: Reloadable): Promise<void> {
  const [rows, models] = await Promise.all([prisma.modelPrice.findMany(), prisma.model.findMany({ where: { aliases: { isEmpty: false } } })]);
  const issues = catalog.replaceDatabaseRows(rows.map((row) => priceFromRow(row)));
  catalog.replaceAliases(models.map((m) => ({ provider: m.providerId, name: m.name, aliases: m.aliases })));
  for (const issue of issues) logger.error({ issue }, 'a database price row is invalid and was left out');
}

export async function reloadBudgets({ prisma, directory }: Reloadable): Promise<void> {
  directory.replace(await prisma.budget.findMany());
}

/**
 * Keeps prices, budgets and key caches current: a notice on the change feed reloads at once,
 * and a timer reloads anyway, so a missed notice only delays a change.
 */
export async function reloadTopic(parts: Reloadable, topic: ChangeTopic): Promise<void> {
  if (topic === 'prices') await reloadPrices(parts);
  else if (topic === 'budgets') await reloadBudgets(parts);
  else parts.keys.invalidate();
}

export function keepCurrent(parts: Reloadable, feed: ChangeFeed, refreshMs: number): () => void {
  const reload = async (topic: ChangeTopic) => {
    try {
      await reloadTopic(parts, topic);
    } catch (error) {
      parts.logger.warn({ topic, err: (error as Error).message }, 'reload failed; will retry at the next refresh');
    }
  };
  feed.subscribe((topic) => void reload(topic));
  const timer = setInterval(() => {
    void reload('prices');
    void reload('budgets');
  }, refreshMs);
  timer.unref();
  return () => clearInterval(timer);
}
