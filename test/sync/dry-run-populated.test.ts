// Dry runs against tables that already hold data: a prior sync's rows, a manual override, a
// discovered price, a recorded alert and a synced model list. With a 30 % price change and
// model retirements, restorations and updates pending, `--dry-run` prints the plan and leaves
// every row of every table exactly as it was (deep comparison of the full contents); the same
// commands without it then do change them, so the comparisons could fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

let env: SyncEnv;
const prisma = () => env.cli.database.database.prisma;
const litellm = (query: string) => `litellm=${env.sim.url}/pricing/litellm.json${query}`;

beforeAll(async () => {
  env = await openSyncEnv();
  const run = async (...argv: string[]) => expect((await env.cli.run(...argv)).code).toBe(0);
  await run('pricing', 'sync'); // every built-in as a sync row
  await run('pricing', 'set', 'openai', 'gpt-4.1', '--input', '9', '--output', '9.5'); // a manual row
  await run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o-mini')); // discovered + alert
  await run('models', 'sync');
  // Pending for the next models sync: a retirement, a restoration and an update.
  await prisma().model.create({ data: { providerId: 'openai', name: 'gpt-3.5-turbo-legacy' } });
  await prisma().model.update({ where: { providerId_name: { providerId: 'openai', name: 'o3' } }, data: { retiredAt: new Date('2026-01-01T00:00:00Z') } });
  await prisma().model.update({ where: { providerId_name: { providerId: 'gemini', name: 'gemini-2.5-pro' } }, data: { contextWindow: 1000 } });
});
afterAll(async () => env?.dispose());

describe('dry runs on populated tables', () => {
  it('the tables hold sync, manual and discovered prices, an alert and models', async () => {
    const before = await snapshot(env.cli);
    expect(new Set(before.prices.map((p) => p.source))).toEqual(new Set(['sync', 'manual', 'discovered']));
    expect(before.prices.filter((p) => p.effectiveTo !== null).length).toBeGreaterThan(0); // closed versions too
    expect(before.alerts.map((a) => a.kind)).toEqual(['price_change']);
    expect(before.models.length).toBeGreaterThan(20);
    expect(before.providers.map((p) => p.id).sort()).toEqual(['gemini', 'openai', 'xai']);
  });

  it('pricing sync --dry-run --yes with a 30 % change pending changes no row of any table', async () => {
    const before = await snapshot(env.cli);
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--dry-run', '--yes', '--show-pricing', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/~ openai\/gpt-4o {2}sync → discovered \(litellm .*\) {2}max \+30\.00% {2}ABOVE 20%/);
    expect(run.stdout).toContain('! openai/gpt-4.1  skipped: manual price');
    expect(run.stdout).toContain('Prices as they would be (dry run):');
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(alerts(run.stdout)).toEqual([]);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('models sync --dry-run with retirements, restorations and updates pending changes no row of any table', async () => {
    const before = await snapshot(env.cli);
    const run = await env.cli.run('models', 'sync', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  - gpt-3.5-turbo-legacy  retired');
    expect(run.stdout).toContain('  ^ o3  restored');
    expect(run.stdout).toContain('  ~ gemini-2.5-pro  updated: contextWindow 1000 → 1048576');
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('the same runs without --dry-run do change the tables (the plans above were real)', async () => {
    const before = await snapshot(env.cli);
    const applied = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini'));
    expect(applied.code).toBe(0);
    expect(alerts(applied.stdout).map((a) => a.model)).toEqual(['gpt-4o']);
    const priced = await snapshot(env.cli);
    expect(priced.prices).not.toEqual(before.prices);
    expect(priced.alerts.length).toBe(before.alerts.length + 1);
    expect((await env.cli.run('models', 'sync')).code).toBe(0);
    const after = await snapshot(env.cli);
    expect(after.models).not.toEqual(priced.models);
    expect(after.models.find((m) => m.name === 'gpt-3.5-turbo-legacy')?.retiredAt).toBeInstanceOf(Date);
  });
});
