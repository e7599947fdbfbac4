/**
 * The spend-velocity alert: at the rate so far, a budget runs out before its period ends.
 * Evaluated periodically from live status (every instance may run it; the unique alert row
 * makes it fire once per budget, counter and period). Too early in a period one burst would
 * look like a trend, so nothing fires before `minElapsedPercent` of the period has passed.
 */
import type { Logger } from 'pino';
import { allCounters, present, type StatusDeps } from '../analytics/budgets.js';
import { namesOf } from '../analytics/names.js';
import { velocityMessage } from './messages.js';
import type { AlertRow, NewAlert } from './types.js';

export interface VelocityDeps extends StatusDeps {
  logger: Logger;
  raise(alert: NewAlert): Promise<AlertRow | undefined>;
}

/** One pass; returns the alerts this pass raised (already raised ones are not counted). */
export async function checkVelocity(deps: VelocityDeps, minElapsedPercent: number, now = new Date()): Promise<AlertRow[]> {
  const raised: AlertRow[] = [];
  for (const c of await allCounters(deps, now)) {
    const { projection, status, rule } = c;
    if (!c.window.start || !projection.exhaustsAt || projection.projectedNano === null) continue;
    if ((projection.elapsed ?? 0) * 100 < minElapsedPercent) continue;
    // Already at the limit: the 100 % threshold alert says so; pace no longer matters.
    if (status.spentNano >= status.limitNano) continue;
    const [name] = [...(await namesOf(deps.prisma, rule.level, [c.entityId])).values()];
    const budget = present(c, name);
    const row = await deps.raise({
      kind: 'velocity',
      dedupeKey: `velocity:${rule.id}:${c.entityId}:${status.periodId}`,
      budgetId: rule.id,
      level: rule.level,
      entityId: c.entityId,
      periodId: status.periodId,
      message: velocityMessage({ ...budget, entityName: name }, budget.projectedSpendUsd!, projection.exhaustsAt),
      details: { budget },
    });
    if (row) raised.push(row);
  }
  return raised;
}

export function startVelocityJob(deps: VelocityDeps, intervalMs: number, minElapsedPercent: number): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = checkVelocity(deps, minElapsedPercent)
      .catch((error: unknown) => deps.logger.warn({ err: (error as Error).message }, 'budget velocity check failed; will retry'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        timer = setTimeout(tick, intervalMs);
        timer.unref();
      });
  };
  // Instances started together would check in lockstep; a random first delay spreads them.
  timer = setTimeout(tick, Math.round(Math.random() * Math.min(intervalMs, 10_000)));
  timer.unref();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
