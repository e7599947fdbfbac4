import { describe, expect, it } from 'vitest';
import { admin, createHierarchy } from '../support/admin.js';
import { eventually } from '../support/faults.js';
import { startTestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

describe('counters rebuilt from the ledger', () => {
  it('an in-process store that restarts empty gets its spent amounts back from the ledger at start', { timeout: 240_000 }, async () => {
    // The budget is monthly (UTC) and both gateways' figures must be of the same month: a month
    // can only turn at a UTC midnight, so keep the test away from one.
    await clearOfDayBoundary();
    const first = await startTestGateway({ redis: false });
    let second: Awaited<ReturnType<typeof startTestGateway>> | undefined;
    try {
      const h = await createHierarchy(first, 'rebuilt');
      const key = await first.createKey({ name: 'k', organizationId: h.organizationId, team: h.teamId });
      const budget = await admin(first, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'monthly', limitUsd: '10' });
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${first.url}/openai/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `request ${i}` }] }),
        });
        expect(response.status).toBe(200);
      }
      // Every call settled and all 5 rows in the ledger: only then is there a whole figure to rebuild.
      const before = await eventually(async () => {
        const status = await admin(first, 'GET', `/budgets/${budget.id}/status`);
        return status.reservedUsd === '0' && (await first.gateway.storage.prisma.usageRecord.count()) === 5 ? status : undefined;
      }, 'all 5 calls settled and in the ledger', 30_000);
      expect(Number(before.spentUsd)).toBeGreaterThan(0);

      // A second gateway on the same database with a fresh, empty in-process store.
      const rebuilt = await startTestGateway({ shareWith: first, redis: false });
      second = rebuilt;
      // Its start-up reconcile may be retried (after 10 s) on a loaded machine: wait for it.
      const after = await eventually(async () => {
        const status = await admin(rebuilt, 'GET', `/budgets/${budget.id}/status`);
        return status.spentUsd !== '0' ? status : undefined;
      }, 'the second gateway rebuilt its counter from the ledger', 30_000);
      expect(after.spentUsd).toBe(before.spentUsd);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
