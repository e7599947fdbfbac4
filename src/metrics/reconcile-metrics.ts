/**
 * The reconciliation job's report as gauges: how many counters of each budget level differ
 * from the ledger, by how much in total, and when a pass last completed. Labels are budget
 * levels only, so the series stay bounded whatever the number of budgets.
 */
import { nanoToUsd } from '../core/money.js';
import type { ReconcileReport } from '../ledger/reconcile.js';
import type { Metrics } from './definitions.js';

const LEVELS = ['key', 'user', 'team', 'project', 'organization'] as const;

export function recordReconcile(metrics: Metrics, report: ReconcileReport, now = Date.now()): void {
  for (const level of LEVELS) {
    const drifted = report.drifted.filter((c) => c.level === level);
    const absNano = drifted.reduce((sum, c) => sum + (c.driftNano < 0n ? -c.driftNano : c.driftNano), 0n);
    metrics.reconcileDrifted.set({ budget_level: level }, drifted.length);
    // Exact in bigint up to here; a gauge is a float, which is fine for a dashboard figure.
    metrics.reconcileDriftUsd.set({ budget_level: level }, Number(nanoToUsd(absNano)));
  }
  metrics.reconcileLastSuccess.set(Math.floor(now / 1000));
}
