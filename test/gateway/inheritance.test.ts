import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attoToNanoCeil, nanoToUsd } from '../../src/core/money.js';
import { estimateUsage } from '../../src/estimate/estimate.js';
import { computeCost } from '../../src/pricing/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import { admin } from '../support/admin.js';
import { gatedBurst } from '../support/gated-burst.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hello inherited budgets' }] };
function estimateNano(): bigint {
  const route = openaiAdapter.matchRoute('POST', '/chat/completions');
  const usage = estimateUsage(openaiAdapter.requestFacts(route, BODY), 4096, true).usage;
  return attoToNanoCeil(computeCost(usage, t.gateway.catalog.lookup('openai', 'gpt-4o-mini').price).total);
}

/**
 * `n` calls at once. With `held`, the simulator holds every admitted one at a gate until every
 * call was admitted or denied (gatedBurst): no admitted call settles (freeing the unspent part
 * of its estimate) before the others were decided.
 */
async function send(key: string, n = 1, held = false) {
  const one = async (hold: Record<string, string>) => {
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...hold },
      body: JSON.stringify(BODY),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  return held ? gatedBurst(t.simulator, n, one) : Promise.all(Array.from({ length: n }, () => one({})));
}

async function orgWithProject(name: string) {
  const org = await admin(t, 'POST', '/organizations', { name });
  const project = await admin(t, 'POST', '/projects', { organizationId: org.id, name: `${name}-p` });
  const team = await admin(t, 'POST', '/teams', { organizationId: org.id, projectId: project.id, name: `${name}-t` });
  return { org, project, team };
}

async function newUserKey(orgId: string, teamId: string, name: string) {
  const user = await admin(t, 'POST', '/users', { organizationId: orgId, teamId, name });
  const key = await t.createKey({ name, organizationId: orgId, team: teamId, userId: user.id });
  return { user, key };
}

describe('budget defaults flow down the hierarchy', () => {
  it('an organization default for users applies to a new user with no budget, on its own counter', { timeout: 90_000 }, async () => {
    const { org, team } = await orgWithProject('inherit-basic');
    const unit = estimateNano();
    const def = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: nanoToUsd(unit * 2n) });
    const alice = await newUserKey(org.id, team.id, 'alice');
    const bob = await newUserKey(org.id, team.id, 'bob');
    // Each user affords two requests; one user spending does not use up the other's default.
    expect((await send(alice.key, 3, true)).map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect((await send(bob.key, 2, true)).map((r) => r.status)).toEqual([200, 200]);
    const [status] = await admin(t, 'GET', `/entities/user/${alice.user.id}/budgets`);
    expect(status).toMatchObject({ budgetId: def.id, source: 'inherited', inheritedFrom: { level: 'organization', entityId: org.id } });
  });

  it('an explicit budget on the user beats the inherited default', async () => {
    const { org, team } = await orgWithProject('inherit-explicit');
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: '0' });
    const carol = await newUserKey(org.id, team.id, 'carol');
    expect((await send(carol.key))[0]!.status).toBe(429);
    const own = await admin(t, 'POST', '/budgets', { level: 'user', entityId: carol.user.id, period: 'daily', limitUsd: '5' });
    expect((await send(carol.key))[0]!.status).toBe(200);
    const budgets = await admin(t, 'GET', `/entities/user/${carol.user.id}/budgets`);
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toMatchObject({ budgetId: own.id, source: 'own' });
  });

  it("a project-level default overrides the organization's for that project's users", async () => {
    const { org, project, team } = await orgWithProject('inherit-project');
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: '0' });
    const projectDefault = await admin(t, 'POST', '/budgets', { level: 'project', entityId: project.id, appliesTo: 'user', period: 'daily', limitUsd: '5' });
    const dave = await newUserKey(org.id, team.id, 'dave');
    expect((await send(dave.key))[0]!.status).toBe(200);
    const [status] = await admin(t, 'GET', `/entities/user/${dave.user.id}/budgets`);
    expect(status).toMatchObject({ budgetId: projectDefault.id, source: 'inherited', inheritedFrom: { level: 'project', entityId: project.id } });
    // A team outside the project still gets the organization's default.
    const outside = await admin(t, 'POST', '/teams', { organizationId: org.id, name: 'inherit-project-outside' });
    const erin = await newUserKey(org.id, outside.id, 'erin');
    expect((await send(erin.key))[0]!.status).toBe(429);
  });

  it('200 concurrent first requests of a brand-new user against a default that affords 50: at most 50 admitted', { timeout: 60_000 }, async () => {
    const { org, team } = await orgWithProject('inherit-burst');
    await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: nanoToUsd(estimateNano() * 50n) });
    const fresh = await newUserKey(org.id, team.id, 'fresh');
    const results = await send(fresh.key, 200, true);
    expect(results.filter((r) => r.status === 200)).toHaveLength(50);
    expect(results.find((r) => r.status === 429)!.body.error.message).toMatch(/default set on organization/);
  });

  it('removing a default stops enforcement for entities that had only the default', async () => {
    const { org, team } = await orgWithProject('inherit-remove');
    const def = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'key', period: 'total', limitUsd: '0' });
    const frank = await newUserKey(org.id, team.id, 'frank');
    expect((await send(frank.key))[0]!.status).toBe(429);
    await admin(t, 'DELETE', `/budgets/${def.id}`);
    expect((await send(frank.key))[0]!.status).toBe(200);
    expect(await admin(t, 'GET', `/entities/user/${frank.user.id}/budgets`)).toEqual([]);
  });

  it('defaults are listed through the admin API with what they apply to, and leave the list when removed', async () => {
    const { org, project } = await orgWithProject('inherit-list');
    const own = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, period: 'monthly', limitUsd: '1000' });
    const userDefault = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: '20' });
    const keyDefault = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: org.id, appliesTo: 'key', period: 'daily', limitUsd: '5' });
    const projectDefault = await admin(t, 'POST', '/budgets', { level: 'project', entityId: project.id, appliesTo: 'user', period: 'daily', limitUsd: '50' });

    const listed = await admin(t, 'GET', `/budgets?level=organization&entityId=${org.id}`);
    expect(listed.map((b: any) => [b.id, b.appliesTo])).toEqual([[own.id, null], [userDefault.id, 'user'], [keyDefault.id, 'key']]);
    expect(listed[1]).toMatchObject({ level: 'organization', entityId: org.id, appliesTo: 'user', period: 'daily', limitUsd: '20', hard: true, timezone: 'UTC' });
    expect(await admin(t, 'GET', `/budgets?entityId=${project.id}`)).toMatchObject([{ id: projectDefault.id, level: 'project', appliesTo: 'user', limitUsd: '50' }]);
    // Every default of the whole deployment, from the unfiltered list.
    const all = await admin(t, 'GET', '/budgets');
    expect(all.filter((b: any) => b.appliesTo !== null).map((b: any) => b.id)).toEqual(expect.arrayContaining([userDefault.id, keyDefault.id, projectDefault.id]));

    expect(await admin(t, 'DELETE', `/budgets/${keyDefault.id}`)).toEqual({ removed: true });
    expect((await admin(t, 'GET', `/budgets?level=organization&entityId=${org.id}`)).map((b: any) => b.id)).toEqual([own.id, userDefault.id]);
    await expect(admin(t, 'DELETE', `/budgets/${keyDefault.id}`)).rejects.toThrow(/→ 404/);
  });

  it('a default must apply to a level below the one it is set on', async () => {
    const { team } = await orgWithProject('inherit-invalid');
    await expect(admin(t, 'POST', '/budgets', { level: 'team', entityId: team.id, appliesTo: 'organization', period: 'daily', limitUsd: '1' })).rejects.toThrow(/appliesTo/);
  });
});
