// A key bound only to a user answers to that user's team, project and organization (read through
// the user's team), exactly as a key bound to the team and the user does: before key-lineage.ts, a
// user-only key skipped every project budget and project default. Real Redis, real simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { reservedNano } from '../support/estimate.js';
import { eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hello from a user key' }] };

interface Keys {
  h: Hierarchy;
  /** Bound to the user alone: no organization, project or team on the key row. */
  userOnly: { id: string; secret: string };
  /** The same user's key, bound to the team as well. */
  teamBound: { id: string; secret: string };
}

/** A fresh organization → project → team → user, and the two kinds of key of that user. */
async function userAndKeys(name: string): Promise<Keys> {
  const h = await createHierarchy(t, name);
  const userOnly = await admin(t, 'POST', '/keys', { name: `${name}-user-only`, userId: h.userId });
  const teamBound = await admin(t, 'POST', '/keys', { name: `${name}-team-bound`, team: h.teamId, userId: h.userId });
  // The premise: the first key names nothing but the user.
  const row = await t.gateway.storage.prisma.apiKey.findUniqueOrThrow({ where: { id: userOnly.id } });
  expect(row).toMatchObject({ userId: h.userId, teamId: null, projectId: null, organizationId: null });
  return { h, userOnly, teamBound };
}

/** One call; `holdGate` names a simulator gate that holds it upstream until the test releases it. */
async function send(secret: string, holdGate?: string) {
  const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(holdGate ? { 'x-sim-hold-gate': holdGate } : {}) },
    body: JSON.stringify(BODY),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/** The denial a client sees, without what legitimately differs per call (nothing here). */
function denialOf(answer: Awaited<ReturnType<typeof send>>) {
  const names = ['x-tollgate-budget-level', 'x-tollgate-budget-period', 'x-tollgate-budget-limit-usd', 'x-tollgate-budget-spent-usd', 'x-tollgate-budget-reserved-usd', 'x-tollgate-budget-reset', 'retry-after'];
  return { status: answer.status, headers: Object.fromEntries(names.map((n) => [n, answer.headers.get(n)])), error: answer.body.error };
}

describe('a key bound only to a user', () => {
  it('is denied by a hard project budget, exactly as the team-bound key of the same user is', async () => {
    const { h, userOnly, teamBound } = await userAndKeys('lineage-project');
    // Control: with no budget the user-only key is admitted, so the 429 below is the budget's.
    expect((await send(userOnly.secret)).status).toBe(200);
    const budget = await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, period: 'total', limitUsd: '0' });
    t.simulator.clearRequests();
    const viaUser = await send(userOnly.secret);
    const viaTeam = await send(teamBound.secret);
    expect(viaUser.status).toBe(429);
    expect(denialOf(viaUser)).toEqual(denialOf(viaTeam));
    expect(viaUser.headers.get('x-tollgate-budget-level')).toBe('project');
    expect(viaUser.body.error.budget).toMatchObject({ id: budget.id, level: 'project', period: 'total', limit_usd: '0' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it("gets its project's default for users (not the organization's), on the same counter as the team-bound key", { timeout: 180_000 }, async () => {
    // The daily counter spent by the first call must still be the current one when the next
    // calls are denied: all in one UTC day. This may wait up to two minutes.
    await clearOfDayBoundary();
    const { h, userOnly, teamBound } = await userAndKeys('lineage-default');
    // Without the project in the key's lineage the organization's $0 default would apply instead.
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, appliesTo: 'user', period: 'daily', limitUsd: '0' });
    const projectDefault = await admin(t, 'POST', '/budgets', {
      level: 'project',
      entityId: h.projectId,
      appliesTo: 'user',
      period: 'daily',
      limitUsd: nanoToUsd(reservedNano(t, BODY)), // exactly one request's estimate
    });
    expect((await send(userOnly.secret)).status).toBe(200);
    await eventually(async () => {
      const status = await admin(t, 'GET', `/budgets/${projectDefault.id}/status?entityId=${h.userId}`);
      return status.reservedUsd === '0' && status.spentUsd !== '0' ? status : undefined;
    }, 'the first call settled on the user counter', 30_000);
    // The one user counter is spent: both keys of that user are now refused by the same default.
    for (const secret of [teamBound.secret, userOnly.secret]) {
      const denied = await send(secret);
      expect(denied.status).toBe(429);
      expect(denied.body.error.budget).toMatchObject({ id: projectDefault.id, level: 'user', period: 'daily' });
      expect(denied.body.error.message).toContain('daily user budget (default set on project)');
    }
  });

  it('the admin status views list exactly the budgets the gateway reserves in for it', { timeout: 180_000 }, async () => {
    // Daily budgets whose spend is read after the call settled: all in one UTC day. This may
    // wait up to two minutes.
    await clearOfDayBoundary();
    const { h, userOnly, teamBound } = await userAndKeys('lineage-views');
    const big = { period: 'daily', limitUsd: '100' };
    const orgOwn = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, ...big });
    const orgKeyDefault = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, appliesTo: 'key', ...big });
    const projectOwn = await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, ...big });
    const projectKeyDefault = await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, appliesTo: 'key', ...big });
    const projectUserDefault = await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, appliesTo: 'user', ...big });
    const estimate = nanoToUsd(reservedNano(t, BODY));

    const views = async () => ({
      key: await admin(t, 'GET', `/entities/key/${userOnly.id}/budgets`),
      user: await admin(t, 'GET', `/entities/user/${h.userId}/budgets`),
      team: await admin(t, 'GET', `/entities/team/${h.teamId}/budgets`),
      project: await admin(t, 'GET', `/entities/project/${h.projectId}/budgets`),
      organization: await admin(t, 'GET', `/entities/organization/${h.organizationId}/budgets`),
    });
    const inherited = (budgetId: string, from: string, entityId: string) => ({ budgetId, source: 'inherited', inheritedFrom: { level: 'project', entityId: from }, entityId });
    const expected = {
      // The project's default for keys, the nearest: the organization's is not the key's.
      key: [inherited(projectKeyDefault.id, h.projectId, userOnly.id)],
      user: [inherited(projectUserDefault.id, h.projectId, h.userId)],
      team: [],
      project: [{ budgetId: projectOwn.id, source: 'own', inheritedFrom: null }],
      organization: [{ budgetId: orgOwn.id, source: 'own', inheritedFrom: null }],
    };
    expect(await views()).toMatchObject(expected);

    // One call held upstream until the views are read: while it is in flight, its estimate is
    // reserved in every listed counter, so the lists are what the gateway enforces.
    const gate = t.simulator.closeGate(`lineage-${userOnly.id}`);
    const inFlight = send(userOnly.secret, `lineage-${userOnly.id}`);
    const during = await eventually(async () => {
      const v = await views();
      return v.organization[0]?.reservedUsd === estimate ? v : undefined;
    }, 'the reservation is visible', 30_000);
    for (const entries of [during.key, during.user, during.project, during.organization]) {
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ reservedUsd: estimate, spentUsd: '0' });
    }
    const notApplied = await admin(t, 'GET', `/budgets/${orgKeyDefault.id}/status?entityId=${userOnly.id}`);
    expect(notApplied).toMatchObject({ reservedUsd: '0', spentUsd: '0' });
    // The team-bound key of the same user resolves to the same key default (on its own counter).
    expect(await admin(t, 'GET', `/entities/key/${teamBound.id}/budgets`)).toMatchObject([{ ...inherited(projectKeyDefault.id, h.projectId, teamBound.id), reservedUsd: '0' }]);

    gate.release();
    expect((await inFlight).status).toBe(200);
    const after = await eventually(async () => {
      const v = await views();
      return [v.key, v.user, v.project, v.organization].every((e) => e[0].reservedUsd === '0') ? v : undefined;
    }, 'the call settled', 30_000);
    const spent = after.organization[0].spentUsd;
    expect(Number(spent)).toBeGreaterThan(0);
    for (const entries of [after.key, after.user, after.project]) expect(entries[0].spentUsd).toBe(spent);
  });
});
