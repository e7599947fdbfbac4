import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../generated/prisma/client.js';
import { budgetRule, type BudgetDirectory } from '../budgets/directory.js';
import type { BudgetStore } from '../budgets/types.js';
import { redisCounterProbe } from '../ledger/counter-probe.js';
import { reconcile, type ReconcileReport } from '../ledger/reconcile.js';

export interface ReconcileJobDeps {
  prisma: PrismaClient;
  store: BudgetStore;
  directory: BudgetDirectory;
  logger: Logger;
  /** A Redis connection and key prefix, to tell a lost counter from a zero one. */
  redis?: { client: Redis; prefix: string };
  /** Called with each report (metrics hook). */
  onReport?: (report: ReconcileReport) => void;
}

/** One pass: compare every budget's live counters with the ledger and reseed the lost ones. */
export async function reconcileOnce(deps: ReconcileJobDeps): Promise<ReconcileReport> {
  const rules = (await deps.prisma.budget.findMany()).map(budgetRule);
  const report = await reconcile({
    prisma: deps.prisma,
    store: deps.store,
    rules,
    reseed: true,
    directory: deps.directory,
    counterExists: deps.redis ? redisCounterProbe(deps.redis.client, deps.redis.prefix) : undefined,
  });
  deps.onReport?.(report);
  if (report.drifted.length > 0) {
    deps.logger.warn(
      { drifted: report.drifted.length, counters: report.counters.length, queueLength: report.queueLength },
      'budget counters differ from the ledger (events still queued count as drift until written)',
    );
  }
  return report;
}

/**
 * Runs reconciliation at start (an in-process store starts empty after a restart; a flushed
 * Redis loses its counters: both are rebuilt from the ledger) and then every `intervalMs`.
 * Reseeding only ever creates missing counters, so several instances running it at once
 * never double-count.
 */
export function startReconcileJob(deps: ReconcileJobDeps, intervalMs: number, retryMs = 10_000): () => void {
  let running = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      await reconcileOnce(deps);
    } catch (error) {
      // A failed pass (e.g. at start, before Redis has connected) is retried soon, not at the
      // next interval: counters lost meanwhile would stay unchecked for that long.
      deps.logger.warn({ err: (error as Error).message, retryInMs: retryMs }, 'reconciliation failed; will retry');
      clearTimeout(retry);
      retry = setTimeout(() => void run(), retryMs);
      retry.unref();
    } finally {
      running = false;
    }
  };
  void run();
  const timer = intervalMs > 0 ? setInterval(() => void run(), intervalMs) : undefined;
  timer?.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(retry);
  };
}
