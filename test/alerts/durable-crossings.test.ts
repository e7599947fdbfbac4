// A threshold alert outlives the gateway that crossed it: the settle script marks the crossing
// in Redis and writes it into the usage event in the same step, and the ledger writer records
// the alert before it acknowledges the event. Here "a gateway that settled and then died" is a
// bare budget store on the same Redis prefix: it settles, and nothing of it raises the alert.
// The running gateway's ledger writer must record and deliver it, once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetRule } from '../../src/budgets/directory.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { loadConfig } from '../../src/config/load.js';
import { encodeUsageEvent } from '../../src/ledger/event.js';
import { admin, createHierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeEvent } from '../support/usage-events.js';
import { configFile, FAST_JOBS, waitFor } from '../analytics/helpers.js';
import { startReceiver, type Receiver } from './receivers.js';

let receiver: Receiver;
let t: TestGateway;
let dead: RedisBudgetStore;

beforeAll(async () => {
  receiver = await startReceiver();
  // No velocity check: it makes its first pass within 10 s of start whatever checkSeconds says, and
  // $0.60 of a $1 daily budget early in the UTC day is a pace that runs out before the reset. Its
  // alert would add a row and a webhook to the ones this test counts; here only the crossing matters.
  const config = FAST_JOBS.replace('checkSeconds: 3600', 'enabled: false');
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile(config), TOLLGATE_ALERT_WEBHOOK_URL: `${receiver.url}/hook`, TOLLGATE_ALERT_WEBHOOK_SECRET: 'x'.repeat(32) } });
  expect(loadConfig({ env: t.env }).alerts.velocity.enabled).toBe(false);
  dead = new RedisBudgetStore({ url: t.env.REDIS_URL, keyPrefix: t.env.TOLLGATE_REDIS_KEY_PREFIX });
}, 60_000);

afterAll(async () => {
  await dead?.close();
  await t?.close();
  await receiver?.close();
});

describe('threshold alerts are as durable as the usage rows', () => {
  it('a crossing settled by a gateway that died before recording it is recorded and delivered once by another', async () => {
    const h = await createHierarchy(t, 'durable');
    const created = await admin(t, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'daily', limitUsd: '1', thresholds: [50, 90] });
    const row = await t.gateway.storage.prisma.budget.findUniqueOrThrow({ where: { id: created.id } });
    const rule = budgetRule(row);
    // $0.60 crosses 50 % but not 90 %.
    const requestId = `dead-${randomUUID()}`;
    const event = { ...makeEvent(1, { organizationId: h.organizationId, teamId: h.teamId }), requestId, costTotalUsd: '0.6' };
    const now = new Date();
    const settled = await dead.settle({
      shardKey: h.organizationId,
      requestId,
      actualNano: 600_000_000n,
      rules: [rule],
      counterEntityIds: { team: h.teamId, organization: h.organizationId },
      now,
      event: encodeUsageEvent({ ...event, createdAt: now }),
    });
    expect(settled.crossed.map((c) => c.threshold)).toEqual([50]);

    const alerts = await waitFor('the alert row', async () => {
      const found = await t.gateway.storage.prisma.budgetAlert.findMany({ where: { budgetId: created.id } });
      return found.length > 0 ? found : undefined;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'threshold', threshold: 50, entityId: h.teamId, dedupeKey: expect.stringContaining(`:${h.teamId}:`) });
    const deliveries = await waitFor('the webhook delivery', async () => {
      const found = receiver.ok('/hook').filter((d) => JSON.parse(d.raw).budgetId === created.id);
      return found.length > 0 ? found : undefined;
    });
    expect(JSON.parse(deliveries[0]!.raw)).toMatchObject({ type: 'budget.threshold', threshold: 50 });
    // The usage row is there too, and nothing was raised twice.
    expect(await t.gateway.storage.prisma.usageRecord.count({ where: { requestId } })).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(await t.gateway.storage.prisma.budgetAlert.count({ where: { budgetId: created.id } })).toBe(1);
    expect(receiver.ok('/hook').filter((d) => JSON.parse(d.raw).budgetId === created.id)).toHaveLength(1);
  });
});
