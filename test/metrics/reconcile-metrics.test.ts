// The reconciliation job's report reaches /metrics: a gateway that starts on a Redis whose team
// counter was pushed off the ledger by hand reports that counter, and the size of the drift,
// from its start-up pass. And a pass that fails is retried soon, not at the next interval.
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startReconcileJob } from '../../src/runtime/reconcile-job.js';
import type { ReconcileJobDeps } from '../../src/runtime/reconcile-job.js';
import { admin, createHierarchy } from '../support/admin.js';
import { chat, eventually, settledStatus } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';
import { sampleValue, scrape } from './scrape.js';

const opened: TestGateway[] = [];
afterAll(async () => {
  for (const t of opened.reverse()) await t.close();
});

describe('reconciliation metrics', () => {
  // Up to ~2 min waiting out a midnight, two gateway starts, and up to 30 s for the pass.
  it('drifted counters and the drift in USD per budget level, and the time of the last pass', { timeout: 240_000 }, async () => {
    // A daily budget whose counter is compared with the ledger later: both in one UTC day.
    await clearOfDayBoundary(['UTC']);
    const first = await startTestGateway();
    opened.push(first);
    const h = await createHierarchy(first, 'drift');
    const key = await first.createKey({ name: 'k', organizationId: h.organizationId, team: h.teamId });
    const budget = await admin(first, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'daily', limitUsd: '5' });
    for (let i = 0; i < 3; i++) expect((await chat(first, key)).status).toBe(200);
    await settledStatus(first, budget.id, 30_000);
    await eventually(async () => ((await first.gateway.storage.prisma.usageRecord.count({ where: { teamId: h.teamId } })) === 3 ? true : undefined), 'rows', 30_000);

    // Push the team's counter 5,000 nano-USD ($0.000005) above the ledger.
    const redis = new Redis(first.env.REDIS_URL!);
    try {
      const keys = await redis.keys(`${first.env.TOLLGATE_REDIS_KEY_PREFIX}*:b:${budget.id}:${h.teamId}:d:*`);
      const counters = keys.filter((k) => !k.endsWith(':seed') && !k.endsWith(':late'));
      expect(counters).toHaveLength(1);
      await redis.incrby(counters[0]!, 5000);
    } finally {
      redis.disconnect();
    }

    const before = Math.floor(Date.now() / 1000);
    const second = await startTestGateway({ shareWith: first });
    opened.push(second);
    // A start-up pass that fails (e.g. Redis not connected yet) is retried after 10 s: leave room.
    const text = await eventually(async () => {
      const scraped = await scrape(second.url);
      return (sampleValue(scraped, 'tollgate_reconcile_last_success_timestamp_seconds') ?? 0) >= before ? scraped : undefined;
    }, 'a reconciliation pass', 30_000);
    expect(sampleValue(text, 'tollgate_reconcile_drifted_counters', { budget_level: 'team' })).toBe(1);
    expect(sampleValue(text, 'tollgate_reconcile_drift_usd', { budget_level: 'team' })).toBe(0.000005);
    expect(sampleValue(text, 'tollgate_reconcile_drifted_counters', { budget_level: 'organization' })).toBe(0);
  });

  it('a failed pass is retried after retryMs, not at the next interval', async () => {
    let calls = 0;
    const reports: unknown[] = [];
    const deps = {
      // The database is the boundary here: it fails once, then answers with no budgets.
      prisma: { budget: { findMany: async () => (++calls === 1 ? Promise.reject(new Error('not connected yet')) : []) } },
      store: { usage: { length: async () => 0 } },
      directory: {},
      logger: pino({ level: 'silent' }),
      onReport: (report: unknown) => reports.push(report),
    } as unknown as ReconcileJobDeps;
    const stop = startReconcileJob(deps, 3_600_000, 50);
    try {
      // Far below the hour-long interval, so only the retry can make this pass.
      await eventually(async () => (reports.length === 1 ? true : undefined), 'the retried pass', 10_000);
      expect(calls).toBe(2);
    } finally {
      stop();
    }
  });
});
