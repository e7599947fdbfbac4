// Per-budget utilization gauges are opt-in: only the budgets listed in `metrics.budgetGauges`
// get a `tollgate_budget_utilization_ratio{budget_id, budget_level}` series; every other budget
// stays inside the per-level gauges, and no key, user, team or organization id is ever a label.
// Gateway A serves the traffic; gateway B, sharing its database and Redis, is the one configured
// with the list, so B's gauges show spend it did not serve itself (own budgets are read from
// the shared counters) and, for a default budget, the children of B's own recent calls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { chat, eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sampleValue, scrape } from './scrape.js';

let a: TestGateway;
let b: TestGateway;
let h: Hierarchy;
let configDir: string;
/** K1 has its own key budget; K2 has none and inherits the team's per-key default. */
const keys = {} as Record<'k1' | 'k2', { id: string; secret: string }>;
const budgets = {} as Record<'ownKey' | 'teamDefault' | 'teamOwn' | 'org', string>;

beforeAll(async () => {
  a = await startTestGateway();
  h = await createHierarchy(a, 'gauges');
  for (const name of ['k1', 'k2'] as const) {
    keys[name] = await admin(a, 'POST', '/keys', { name, organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  }
  const budget = (body: Record<string, unknown>) => admin(a, 'POST', '/budgets', { period: 'daily', ...body }).then((r) => r.id as string);
  budgets.ownKey = await budget({ level: 'key', entityId: keys.k1.id, limitUsd: '0.001' });
  budgets.teamDefault = await budget({ level: 'team', entityId: h.teamId, appliesTo: 'key', limitUsd: '0.002' });
  budgets.teamOwn = await budget({ level: 'team', entityId: h.teamId, limitUsd: '10' });
  budgets.org = await budget({ level: 'organization', entityId: h.organizationId, limitUsd: '0.01' });

  // Every budget but the team's own is opted in.
  configDir = mkdtempSync(join(tmpdir(), 'tollgate-gauges-'));
  const config = join(configDir, 'gateway.config.yaml');
  writeFileSync(config, `metrics:\n  budgetGauges: [${[budgets.ownKey, budgets.teamDefault, budgets.org].join(', ')}]\n`);
  b = await startTestGateway({ shareWith: a, env: { TOLLGATE_CONFIG: config } });
}, 60_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** B samples now (its timer runs every 30 s) and is scraped. */
async function sampledScrape(): Promise<string> {
  await b.gateway.metrics.utilization.sample();
  return scrape(b.url);
}

const ratio = (text: string, budgetId: string, level: string) => sampleValue(text, 'tollgate_budget_utilization_ratio', { budget_id: budgetId, budget_level: level });

/** spent/limit of a budget's counter once nothing is reserved on it (a default: one child's counter). */
async function expectedRatio(budgetId: string, entityId?: string): Promise<number> {
  const path = `/budgets/${budgetId}/status${entityId ? `?entityId=${entityId}` : ''}`;
  const status = await eventually(async () => {
    const s = await admin(a, 'GET', path);
    return s.reservedUsd === '0' ? s : undefined;
  }, `${path} settled`);
  return Number(status.spentUsd) / Number(status.limitUsd);
}

describe('per-budget utilization gauges (metrics.budgetGauges)', () => {
  it('the config field takes budget ids, at most 100 of them', () => {
    const empty = join(configDir, 'empty.yaml');
    writeFileSync(empty, '{}\n');
    expect(loadConfig({ path: empty, env: {} }).metrics.budgetGauges).toEqual([]);
    const path = join(configDir, 'too-many.yaml');
    writeFileSync(path, `metrics:\n  budgetGauges: [${Array.from({ length: 101 }, (_, i) => `b${i}`).join(', ')}]\n`);
    expect(() => loadConfig({ path, env: {} })).toThrow(/metrics\.budgetGauges/);
  });

  it('own budgets: spent/limit from the shared counters, though another gateway served the calls; a budget not listed has no series', async () => {
    for (const key of [keys.k1, keys.k2]) expect((await chat(a, key.secret)).status).toBe(200);
    const [ownKeyExpected, orgExpected] = [await expectedRatio(budgets.ownKey), await expectedRatio(budgets.org)]; // once settled
    const text = await sampledScrape();

    const ownKey = ratio(text, budgets.ownKey, 'key');
    expect(ownKey).toBeGreaterThan(0);
    expect(ownKey).toBeCloseTo(ownKeyExpected, 9);
    const org = ratio(text, budgets.org, 'organization');
    expect(org).toBeGreaterThan(0);
    expect(org).toBeCloseTo(orgExpected, 9);
    // B served no call yet: it knows no child of the default, which reads 0 until it does.
    expect(ratio(text, budgets.teamDefault, 'key')).toBe(0);

    expect(text).not.toContain(budgets.teamOwn);
    for (const id of [keys.k1.id, keys.k2.id, h.userId, h.teamId, h.organizationId, h.projectId]) expect(text).not.toContain(id);
    // The per-level gauges are there as before, with no id at all.
    expect(sampleValue(text, 'tollgate_budget_utilization_max_ratio', { budget_level: 'key' })).toBeDefined();
  });

  it('a default budget: the highest utilization among the children of recent calls, labelled with the level it applies to', async () => {
    expect((await chat(b, keys.k2.secret)).status).toBe(200);
    const expected = await expectedRatio(budgets.teamDefault, keys.k2.id);
    // B learns of K2 when it settles the call, just after the response: sample until it has.
    const text = await eventually(async () => {
      const scraped = await sampledScrape();
      return ratio(scraped, budgets.teamDefault, 'key')! > 0 ? scraped : undefined;
    }, 'the default budget sampled from K2');
    expect(ratio(text, budgets.teamDefault, 'key')).toBeCloseTo(expected, 9);
    expect(text).not.toContain(keys.k2.id);
  });

  it('a listed budget that is removed loses its series at the next sample', async () => {
    expect(ratio(await sampledScrape(), budgets.org, 'organization')).toBeDefined();
    await admin(a, 'DELETE', `/budgets/${budgets.org}`);
    const text = await sampledScrape();
    expect(ratio(text, budgets.org, 'organization')).toBeUndefined();
    expect(ratio(text, budgets.ownKey, 'key')).toBeDefined();
  });
});
