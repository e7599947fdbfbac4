// Budgets at three levels (key, project or team, organization) with a different one the
// tightest each time: 200 concurrent calls against a tightest budget that affords exactly 40.
// The one atomic reservation must admit exactly 40, every denial must name that level, and no
// level may end above its limit. Real Redis; live status read through the admin API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { admin, createHierarchy } from '../support/admin.js';
import { reservedNano } from '../support/estimate.js';
import { settledStatus } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { gatedBurst } from '../support/gated-burst.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Name three levels' }] };
const CALLS = 200;
const AFFORDED = 40;
/**
 * All calls at once. The simulator holds every admitted one at a gate until every call was
 * admitted or denied (gatedBurst), so no settle (which frees the unspent part of an estimate)
 * comes first.
 */
function burst(key: string, n: number) {
  return gatedBurst(t.simulator, n, async (hold) => {
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...hold },
      body: JSON.stringify(BODY),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  });
}

type Level = 'key' | 'team' | 'project' | 'organization';

/**
 * A fresh hierarchy and key, a budget per level in `calls` (how many estimates each affords),
 * then the burst. Returns the results and each budget's id, keyed by level.
 */
async function run(name: string, calls: Partial<Record<Level, bigint>>, spec: Partial<Record<Level, { period: string; timezone?: string }>>) {
  // The levels' spend is compared once settled: every period (daily, weekly, monthly, each in
  // its zone) must be the same one from the burst to that reading. Every such boundary is a
  // local midnight; this may wait up to two minutes.
  await clearOfDayBoundary(['UTC', ...new Set(Object.values(spec).flatMap((s) => (s?.timezone ? [s.timezone] : [])))]);
  const h = await createHierarchy(t, name);
  const key = await admin(t, 'POST', '/keys', { name, organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  const entity: Record<Level, string> = { key: key.id, team: h.teamId, project: h.projectId, organization: h.organizationId };
  const unit = reservedNano(t, BODY);
  const budgets: Partial<Record<Level, { id: string; limitUsd: string }>> = {};
  for (const [level, count] of Object.entries(calls) as [Level, bigint][]) {
    const limitUsd = nanoToUsd(unit * count);
    const created = await admin(t, 'POST', '/budgets', { level, entityId: entity[level], limitUsd, ...spec[level] });
    budgets[level] = { id: created.id, limitUsd };
  }
  // The key into the gateway's key cache first, so the burst is not 200 concurrent database
  // lookups. Listing models is not billable: no budget is touched.
  const models = await fetch(`${t.url}/openai/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } });
  await models.arrayBuffer();
  expect(models.status).toBe(200);
  t.simulator.clearRequests();
  const results = await burst(key.secret, CALLS);
  return { results, budgets };
}

async function expectTightest(outcome: Awaited<ReturnType<typeof run>>, tightest: Level) {
  const { results, budgets } = outcome;
  expect(results.filter((r) => r.status === 200)).toHaveLength(AFFORDED);
  const denied = results.filter((r) => r.status !== 200);
  expect(denied).toHaveLength(CALLS - AFFORDED);
  for (const d of denied) {
    expect(d.status).toBe(429);
    expect(d.headers.get('x-tollgate-budget-level')).toBe(tightest);
    expect(d.body.error.budget).toMatchObject({ id: budgets[tightest]!.id, level: tightest, limit_usd: budgets[tightest]!.limitUsd });
  }
  expect(t.simulator.requests).toHaveLength(AFFORDED);

  // Once every admitted call has settled: no level above its limit, the tightest one actually
  // used, and the same 40 calls counted once at every level (so every counter shows one sum).
  const spent: string[] = [];
  for (const [level, budget] of Object.entries(budgets)) {
    const status = await settledStatus(t, budget!.id, 30_000);
    expect(Number(status.spentUsd), level).toBeLessThanOrEqual(Number(budget!.limitUsd));
    expect(Number(status.spentUsd), level).toBeGreaterThan(0);
    spent.push(status.spentUsd);
  }
  expect(new Set(spent).size).toBe(1);
}

describe('three budget levels, 200 concurrent calls, the tightest affords exactly 40', () => {
  it('the PROJECT is tightest (key and organization looser): exactly 40 admitted, every 429 names the project', { timeout: 240_000 }, async () => {
    const outcome = await run(
      'levels-project',
      { key: 150n, project: BigInt(AFFORDED), organization: 100n },
      { key: { period: 'total' }, project: { period: 'weekly', timezone: 'Europe/Berlin' }, organization: { period: 'monthly' } },
    );
    await expectTightest(outcome, 'project');
  });

  it('the ORGANIZATION is tightest (key and team looser): exactly 40 admitted, every 429 names the organization', { timeout: 240_000 }, async () => {
    const outcome = await run(
      'levels-organization',
      { key: 150n, team: 100n, organization: BigInt(AFFORDED) },
      { key: { period: 'daily' }, team: { period: 'monthly', timezone: 'America/New_York' }, organization: { period: 'daily', timezone: 'Asia/Tokyo' } },
    );
    await expectTightest(outcome, 'organization');
  });
});
