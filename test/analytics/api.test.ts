import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeEvent } from '../support/usage-events.js';
import { analytics, chat, configFile, FAST_JOBS, rolledUp, waitFor } from './helpers.js';

let t: TestGateway;
let h: Hierarchy;
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile(FAST_JOBS) } });
  h = await createHierarchy(t, 'acme');
  const key = await t.createKey({ name: 'acme-key', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  // Real traffic, then older history written straight into the ledger (two and nine days ago).
  expect(await chat(t, key, 'gpt-5', 12)).toEqual(Array(12).fill(200));
  expect(await chat(t, key, 'gpt-4o-mini', 8)).toEqual(Array(8).fill(200));
  const old = (i: number, days: number) =>
    makeEvent(i, { prefix: `old${days}`, createdAt: new Date(Date.now() - days * DAY - (i % 5) * 3_600_000), organizationId: h.organizationId, teamId: h.teamId, projectId: h.projectId, userId: h.userId, apiKeyId: 'legacy-key', provider: 'openai', requestedModel: 'gpt-5' });
  await insertWithRecordset(t.gateway.storage.prisma, [...Array.from({ length: 40 }, (_, i) => old(i, 2)), ...Array.from({ length: 30 }, (_, i) => old(i, 9))]);
  await waitFor('the ledger', async () => (await t.gateway.storage.prisma.usageRecord.count()) >= 90);
  await rolledUp(t);
});
afterAll(async () => t?.close());

/** The exact sums straight from the ledger, for comparison. */
async function ledger(sinceMs: number) {
  const [row] = await t.gateway.storage.prisma.$queryRawUnsafe<Array<{ n: bigint; cost: string; input: bigint }>>(
    `SELECT count(*) AS n, trim_scale(sum("costTotalUsd"))::text AS cost, sum("inputTokens")::bigint AS input FROM "UsageRecord" WHERE "createdAt" >= $1::timestamp`,
    new Date(sinceMs).toISOString(),
  );
  return { requests: Number(row!.n), cost: row!.cost, input: Number(row!.input) };
}

describe('analytics API', () => {
  it('refuses requests without the admin token', async () => {
    expect((await fetch(`${t.url}/analytics/usage`)).status).toBe(401);
    expect((await fetch(`${t.url}/analytics/usage`, { headers: { authorization: 'Bearer wrong-token-000000' } })).status).toBe(401);
  });

  it('usage report: exact totals equal to the ledger, grouped by team and by model with names', async () => {
    const from = new Date(Math.floor((Date.now() - 30 * DAY) / 3_600_000) * 3_600_000);
    const report = await analytics(t, `/usage?from=${from.toISOString()}&groupBy=team`);
    const truth = await ledger(from.getTime());
    expect(report.totals.requests).toBe(truth.requests);
    expect(report.totals.costTotalUsd).toBe(truth.cost);
    expect(report.totals.inputTokens).toBe(truth.input);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ key: h.teamId, name: 'acme-team', requests: 90 });
    const byModel = await analytics(t, `/usage?from=${from.toISOString()}&groupBy=model`);
    expect(byModel.groups.map((g: any) => g.key).sort()).toEqual(['gpt-4o-mini', 'gpt-5']);
    const filtered = await analytics(t, `/usage?from=${from.toISOString()}&model=gpt-4o-mini`);
    expect(filtered.totals.requests).toBe(8);
  });

  it('trends: hour, day and week buckets add up to the same total', async () => {
    const from = new Date(Date.now() - 20 * DAY).toISOString();
    const total = (await analytics(t, `/usage?from=${from}`)).totals;
    for (const bucket of ['hour', 'day', 'week']) {
      const trend = await analytics(t, `/trends?bucket=${bucket}&from=${from}`);
      const points = trend.series[0].points;
      expect(points.reduce((s: number, p: any) => s + p.requests, 0)).toBe(total.requests);
      expect(new Set(points.map((p: any) => p.start)).size).toBe(points.length);
    }
    // Each hour bucket holds exactly that hour's ledger rows (none folded into midnight).
    const hours = (await analytics(t, `/trends?bucket=hour&from=${from}`)).series[0].points.filter((p: any) => p.requests > 0);
    const ledgerHours = await t.gateway.storage.prisma.$queryRawUnsafe<Array<{ hour: string; n: bigint; cost: string }>>(
      `SELECT to_char(date_trunc('hour', "createdAt"), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS hour, count(*) AS n, trim_scale(sum("costTotalUsd"))::text AS cost
         FROM "UsageRecord" WHERE "createdAt" >= $1::timestamp GROUP BY 1 ORDER BY 1`, from);
    expect(hours.map((p: any) => [p.start, p.requests, p.costTotalUsd])).toEqual(ledgerHours.map((r) => [r.hour, Number(r.n), r.cost]));
    const split = await analytics(t, `/trends?bucket=day&from=${from}&by=model`);
    expect(split.series.map((s: any) => s.key).sort()).toEqual(['gpt-4o-mini', 'gpt-5']);
  });

  it('breakdown by provider/model/team/user/key/project with shares', async () => {
    for (const by of ['provider', 'model', 'team', 'user', 'key', 'project']) {
      const result = await analytics(t, `/breakdown?by=${by}`);
      expect(result.groups.length).toBeGreaterThan(0);
      const shares = result.groups.reduce((s: number, g: any) => s + g.sharePercent, 0);
      expect(shares).toBeGreaterThan(99.9);
      expect(shares).toBeLessThanOrEqual(100.01);
    }
    const keys = await analytics(t, '/breakdown?by=key');
    expect(keys.groups.map((g: any) => g.name)).toContain('legacy-key');
    expect(keys.groups.some((g: any) => /^acme-key \(tg_/.test(g.name))).toBe(true);
  });

  it('period-over-period comparison puts the older rows in the previous week', async () => {
    const result = await analytics(t, '/compare?period=week&by=model');
    expect(result.current.totals.requests).toBe(60);
    expect(result.previous.totals.requests).toBe(30);
    const gpt5 = result.groups.find((g: any) => g.key === 'gpt-5');
    expect(Number(gpt5.deltaUsd)).toBeCloseTo(Number(gpt5.currentCostUsd) - Number(gpt5.previousCostUsd), 12);
  });

  it('real-time figures read the ledger for the last minutes', async () => {
    const live = await analytics(t, '/realtime?minutes=10');
    expect(live.totals.requests).toBe(20);
    expect(live.perMinute).toHaveLength(10);
    expect(live.perMinute.reduce((s: number, p: any) => s + p.requests, 0)).toBe(20);
    expect(live.topModels.map((m: any) => m.model).sort()).toEqual(['gpt-4o-mini', 'gpt-5']);
  });

  it('budget status with projection and the spend of the levels below', async () => {
    const budget = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'monthly', limitUsd: '0.02' });
    const list = await analytics(t, '/budgets');
    const mine = list.budgets.find((b: any) => b.budgetId === budget.id);
    expect(mine).toMatchObject({ level: 'organization', entityName: 'acme', limitUsd: '0.02', period: 'monthly' });
    for (const field of ['spentUsd', 'reservedUsd', 'remainingUsd', 'utilizationPercent', 'resetsAt', 'projectedSpendUsd']) expect(mine).toHaveProperty(field);
    const status = await analytics(t, `/budgets/organization/${h.organizationId}`);
    expect(status.entity.name).toBe('acme');
    expect(status.budgets[0].budgetId).toBe(budget.id);
    expect(status.children.team[0]).toMatchObject({ id: h.teamId, name: 'acme-team' });
    expect(status.children.project[0]).toMatchObject({ id: h.projectId });
    expect(status.children.user[0]).toMatchObject({ id: h.userId, name: 'acme-user' });
    expect(status.children.key.length).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${t.url}/analytics/budgets/team/nope`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } })).status).toBe(404);
  });

  it('recommendations: a cheaper model of the same provider for the top spend', async () => {
    const result = await analytics(t, '/recommendations?days=30');
    const cheaper = result.recommendations.find((r: any) => r.type === 'cheaper_model' && r.model === 'gpt-5');
    expect(cheaper).toBeDefined();
    expect(cheaper.suggestedModel).not.toBe('gpt-5');
    expect(Number(cheaper.estimatedSavingsUsd)).toBeGreaterThan(0);
  });

  it('rejects bad queries with 400', async () => {
    for (const path of ['/usage?groupBy=color', '/trends?bucket=minute', '/usage?from=yesterday', '/realtime?minutes=999']) {
      const response = await fetch(`${t.url}/analytics${path}`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } });
      expect(response.status, path).toBe(400);
    }
  });
});
