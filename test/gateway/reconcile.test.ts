import { describe, expect, it } from 'vitest';
import { admin, createHierarchy } from '../support/admin.js';
import { startTestGateway } from '../support/gateway.js';

describe('counters rebuilt from the ledger', () => {
  it('an in-process store that restarts empty gets its spent amounts back from the ledger at start', async () => {
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
      let before: any;
      for (let i = 0; i < 100; i++) {
        before = await admin(first, 'GET', `/budgets/${budget.id}/status`);
        if (before.reservedUsd === '0' && (await first.gateway.storage.prisma.usageRecord.count()) === 5) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(Number(before.spentUsd)).toBeGreaterThan(0);

      // A second gateway on the same database with a fresh, empty in-process store.
      second = await startTestGateway({ shareWith: first, redis: false });
      let after: any;
      for (let i = 0; i < 100; i++) {
        after = await admin(second, 'GET', `/budgets/${budget.id}/status`);
        if (after.spentUsd !== '0') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(after.spentUsd).toBe(before.spentUsd);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
