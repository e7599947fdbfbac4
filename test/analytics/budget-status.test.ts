// Budget status values (issue 9), exact: for an organization with a project, a team and a user
// under it, each level's limit, spent, reserved, remaining, utilization, reset time and
// projected end-of-period spend, the spend of the levels below it, and the budget_at_risk
// recommendations they lead to. Every expected figure is worked out by hand below.
//
// Traffic: real requests through the gateway whose cost is known exactly. gpt-4o-mini, one user
// message "Say hello", the simulator told to answer 10 tokens (x-sim-output-tokens):
//   prompt = 3 (priming) + 4 (message) + 2 ("Say", "hello") = 9 tokens
//   cost   = 9 × $0.15/M + 10 × $0.60/M = $0.00000135 + $0.000006 = $0.00000735 = 7,350 nano-USD
// Key A (org, project, team, user) makes 4 calls = 29,400 nano; key B (org, project only) 2 =
// 14,700 nano; together 44,100 nano. One more row of key A's, dated in the previous month, must
// count nowhere (every budget here is in its current period).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { chat } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';
import { makeEvent } from '../support/usage-events.js';
import { analytics, configFile, FAST_JOBS, rolledUp, waitFor } from './helpers.js';

const CALL_NANO = 7_350n;
const A_CALLS = 4;
const B_CALLS = 2;
const DAY = 86_400_000;

let t: TestGateway;
let h: Hierarchy;
let keyA: { id: string; secret: string };
let keyB: { id: string; secret: string };
const budgets: Record<'org' | 'project' | 'team' | 'user', { id: string; limitNano: bigint; spentNano: bigint; period: 'monthly' | 'daily' }> = {} as never;

beforeAll(async () => {
  // The team and user budgets are daily (the month turns at a UTC midnight, too): the traffic
  // here and every check below must fall in one period, so a midnight close by is waited out.
  await clearOfDayBoundary(['UTC']);
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile(FAST_JOBS) } });
  h = await createHierarchy(t, 'status');
  keyA = await admin(t, 'POST', '/keys', { name: 'status-a', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  keyB = await admin(t, 'POST', '/keys', { name: 'status-b', organizationId: h.organizationId, projectId: h.projectId });
  // Soft budgets (never deny), created before the traffic so every call is counted in each.
  const create = async (level: string, entityId: string, period: 'monthly' | 'daily', limitUsd: string, limitNano: bigint, spentNano: bigint) =>
    ({ id: (await admin(t, 'POST', '/budgets', { level, entityId, period, limitUsd, hard: false })).id, limitNano, spentNano, period });
  const both = CALL_NANO * BigInt(A_CALLS + B_CALLS); // 44,100
  const onlyA = CALL_NANO * BigInt(A_CALLS); // 29,400
  budgets.org = await create('organization', h.organizationId, 'monthly', '0.001', 1_000_000n, both);
  budgets.project = await create('project', h.projectId, 'monthly', '0.0005', 500_000n, both);
  budgets.team = await create('team', h.teamId, 'daily', '0.00003', 30_000n, onlyA);
  budgets.user = await create('user', h.userId, 'daily', '0.00002', 20_000n, onlyA);

  for (let i = 0; i < A_CALLS; i++) expect((await chat(t, keyA.secret, { 'x-sim-output-tokens': '10' })).status).toBe(200);
  for (let i = 0; i < B_CALLS; i++) expect((await chat(t, keyB.secret, { 'x-sim-output-tokens': '10' })).status).toBe(200);
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - DAY);
  await insertWithRecordset(t.gateway.storage.prisma, [
    makeEvent(1, { prefix: 'last-month', createdAt: lastMonth, apiKeyId: keyA.id, organizationId: h.organizationId, projectId: h.projectId, teamId: h.teamId, userId: h.userId }),
  ]);
  await waitFor('the ledger', async () => (await t.gateway.storage.prisma.usageRecord.count()) === A_CALLS + B_CALLS + 1);
  await rolledUp(t);
}, 180_000); // up to ~2 min waiting out a midnight, then the gateway start and the traffic
afterAll(async () => t?.close());

/** The budget's current UTC period, by hand: the month or the day around `at`. */
function periodOf(period: 'monthly' | 'daily', at: number): { start: number; end: number; id: string } {
  const d = new Date(at);
  if (period === 'monthly') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1), id: `m:${d.toISOString().slice(0, 7)}` };
  }
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return { start, end: start + DAY, id: `d:${d.toISOString().slice(0, 10)}` };
}

const percent = (part: bigint, whole: bigint) => Number((part * 10_000n) / whole) / 100;

/**
 * The projection is linear from the period start: projected = spent × length / elapsed, and the
 * budget runs out at start + elapsed × limit / spent (if that is before the end). The gateway
 * took its own "now" somewhere between `before` and `after`: some millisecond in that interval
 * must reproduce every projected figure exactly.
 */
function projectionMatches(view: any, spent: bigint, limit: bigint, period: { start: number; end: number }, before: number, after: number): boolean {
  const length = BigInt(period.end - period.start);
  for (let now = before; now <= after; now++) {
    const elapsed = BigInt(now - period.start);
    const projected = (spent * length) / elapsed;
    const at = spent > 0n && spent < limit ? period.start + Number((elapsed * limit) / spent) : null;
    const exhaustsAt = at !== null && at < period.end ? new Date(at).toISOString() : null;
    if (
      view.projectedSpendUsd === nanoToUsd(projected) &&
      view.projectedUtilizationPercent === percent(projected, limit) &&
      view.exhaustsAt === exhaustsAt &&
      view.runsOutBeforeReset === (exhaustsAt !== null)
    ) {
      return true;
    }
  }
  return false;
}

describe('budget status across the hierarchy', () => {
  it('every level: exact limit, spent, reserved, remaining, utilization, reset time and projection', async () => {
    const before = Date.now();
    const { budgets: views } = await analytics(t, '/budgets');
    const after = Date.now();
    const names = { org: 'status', project: 'status-project', team: 'status-team', user: 'status-user' };
    const entities = { org: h.organizationId, project: h.projectId, team: h.teamId, user: h.userId };
    for (const level of ['org', 'project', 'team', 'user'] as const) {
      const b = budgets[level];
      const view = views.find((v: any) => v.budgetId === b.id);
      const period = periodOf(b.period, before);
      const remaining = b.limitNano - b.spentNano;
      expect(view, level).toMatchObject({
        entityId: entities[level],
        entityName: names[level],
        source: 'own',
        period: b.period,
        periodId: period.id,
        hard: false,
        limitUsd: nanoToUsd(b.limitNano),
        spentUsd: nanoToUsd(b.spentNano),
        reservedUsd: '0',
        remainingUsd: nanoToUsd(remaining < 0n ? 0n : remaining), // shown as 0 once overspent
        utilizationPercent: percent(b.spentNano, b.limitNano),
        resetsAt: new Date(period.end).toISOString(),
      });
      expect(projectionMatches(view, b.spentNano, b.limitNano, period, before, after), `${level}: ${JSON.stringify(view)}`).toBe(true);
    }
    // The hand-worked figures, spelled out once: 44,100 of 1,000,000 nano is 4.41 %; 44,100 of
    // 500,000 is 8.82 %; 29,400 of 30,000 is 98 % (600 nano left); 29,400 of 20,000 is 147 %.
    const byId = (id: string) => views.find((v: any) => v.budgetId === id);
    expect([budgets.org, budgets.project, budgets.team, budgets.user].map((b) => [byId(b.id).spentUsd, byId(b.id).remainingUsd, byId(b.id).utilizationPercent])).toEqual([
      ['0.0000441', '0.0009559', 4.41],
      ['0.0000441', '0.0004559', 8.82],
      ['0.0000294', '0.0000006', 98],
      ['0.0000294', '0', 147],
    ]);
  });

  it('an organization: its own budget and the spend of each level below it in its period', async () => {
    const status = await analytics(t, `/budgets/organization/${h.organizationId}`);
    expect(status.entity).toMatchObject({ level: 'organization', id: h.organizationId, name: 'status' });
    expect(status.budgets.map((b: any) => b.budgetId)).toEqual([budgets.org.id]);
    expect(status.period.from).toBe(new Date(periodOf('monthly', Date.now()).start).toISOString());
    // 6 calls: 54 input and 60 output tokens; input 6 × $0.00000135, output 6 × $0.000006.
    expect(status.spend).toMatchObject({ requests: 6, inputTokens: 54, outputTokens: 60, costInputUsd: '0.0000081', costOutputUsd: '0.000036', costTotalUsd: '0.0000441' });
    const rows = (level: string) => status.children[level].map((c: any) => [c.id, c.name, c.requests, c.spentUsd]);
    expect(rows('project')).toEqual([[h.projectId, 'status-project', 6, '0.0000441']]);
    expect(rows('team')).toEqual([[h.teamId, 'status-team', 4, '0.0000294'], [null, '(no team)', 2, '0.0000147']]);
    expect(rows('user')).toEqual([[h.userId, 'status-user', 4, '0.0000294'], [null, '(no user)', 2, '0.0000147']]);
    expect(rows('key').map((r: unknown[]) => [r[0], r[2], r[3]])).toEqual([[keyA.id, 4, '0.0000294'], [keyB.id, 2, '0.0000147']]);
    expect(status.children.key[0].name).toMatch(/^status-a/);
  });

  it('a team: its daily budget and the spend of its users and keys today', async () => {
    const status = await analytics(t, `/budgets/team/${h.teamId}`);
    expect(status.entity.ancestors).toMatchObject({ organization: h.organizationId, project: h.projectId, team: h.teamId });
    expect(status.budgets.find((b: any) => b.budgetId === budgets.team.id)).toMatchObject({ spentUsd: '0.0000294', utilizationPercent: 98 });
    expect(status.period.from).toBe(new Date(periodOf('daily', Date.now()).start).toISOString());
    expect(status.spend).toMatchObject({ requests: 4, costTotalUsd: '0.0000294' });
    expect(status.children.user.map((c: any) => [c.id, c.requests, c.spentUsd])).toEqual([[h.userId, 4, '0.0000294']]);
    expect(status.children.key.map((c: any) => [c.id, c.requests, c.spentUsd])).toEqual([[keyA.id, 4, '0.0000294']]);
  });

  it('budget_at_risk: the overspent user is critical, the team at 98 % a warning, the others only if on pace to run out', async () => {
    const before = Date.now();
    const { recommendations } = await analytics(t, '/recommendations?days=7');
    const { budgets: views } = await analytics(t, '/budgets');
    const atRisk = recommendations.filter((r: any) => r.type === 'budget_at_risk');
    const find = (id: string) => atRisk.find((r: any) => r.budgetId === id);

    expect(find(budgets.user.id)).toMatchObject({ severity: 'critical', level: 'user', entityId: h.userId, utilizationPercent: 147, exhaustsAt: null, title: 'user status-user: budget exhausted' });
    const team = views.find((v: any) => v.budgetId === budgets.team.id);
    expect(find(budgets.team.id)).toMatchObject({
      severity: 'warning',
      utilizationPercent: 98,
      title: `team status-team: ${team.runsOutBeforeReset ? 'runs out before it resets' : '98% used'}`,
    });
    // Under 90 %: at risk exactly when the projection says it runs out before the reset.
    for (const level of ['org', 'project'] as const) {
      const view = views.find((v: any) => v.budgetId === budgets[level].id);
      expect(Boolean(find(budgets[level].id)), level).toBe(view.runsOutBeforeReset);
      // Cross-check that flag by hand (the org would need 1,000,000 / 44,100 ≈ 22.7 × the time
      // passed so far to run out): it runs out iff elapsed × limit / spent < the period's length.
      const period = periodOf('monthly', before);
      const runsOut = BigInt(before - period.start) * budgets[level].limitNano < BigInt(period.end - period.start) * budgets[level].spentNano;
      expect(view.runsOutBeforeReset, level).toBe(runsOut);
    }
    // Critical first.
    expect(atRisk[0].budgetId).toBe(budgets.user.id);
  });
});
