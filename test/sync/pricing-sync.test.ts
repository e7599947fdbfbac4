import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../src/pricing/index.js';
import { alerts, closedPort, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

let env: SyncEnv;
beforeAll(async () => {
  env = await openSyncEnv();
});
afterAll(async () => env?.dispose());

const prisma = () => env.cli.database.database.prisma;
const openRows = (model: string) => prisma().modelPrice.findMany({ where: { model, effectiveTo: null }, orderBy: { effectiveFrom: 'asc' } });
const litellm = (query = '') => `litellm=${env.sim.url}/pricing/litellm.json${query}`;

/** A LiteLLM catalog file in the CLI's folder: { "<key>": { per-token fields } }. */
function catalogFile(name: string, entries: Record<string, Record<string, unknown>>): string {
  writeFileSync(join(env.cwd, name), JSON.stringify(entries));
  return name;
}

describe('tollgate pricing sync', () => {
  it('a dry run changes nothing (row counts and contents), even with a 30 % change and --yes', async () => {
    const before = await snapshot(env.cli);
    const run = await env.cli.run('pricing', 'sync', '--dry-run', '--yes', '--show-pricing', '--source', litellm('?scale=130&models=gpt-4o'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\+ openai\/gpt-4o {2}built-in → discovered \(litellm .*\) {2}max \+30\.00% {2}ABOVE 20%/);
    expect(run.stdout).toMatch(/ input +2\.5 → 3\.25 +\+30\.00% {2}!/);
    expect(run.stdout).toMatch(/openai +gpt-4o +discovered +0\.80 +per_1m_tokens +input 3\.25, cachedInput 1\.625, output 13/);
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(alerts(run.stdout)).toEqual([]);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('the first sync writes every built-in as a versioned sync row; the next one finds nothing to do', async () => {
    const first = await env.cli.run('pricing', 'sync');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${BUILTIN_PRICES.length} added, 0 updated, 0 unchanged`);
    const rows = await prisma().modelPrice.findMany();
    expect(rows).toHaveLength(BUILTIN_PRICES.length);
    for (const builtin of BUILTIN_PRICES) {
      const row = rows.find((r) => r.providerId === builtin.provider && r.model === builtin.model)!;
      expect(row).toMatchObject({ source: 'sync', effectiveTo: null, confidence: null, unit: builtin.unit, rates: builtin.rates });
    }
    const second = await env.cli.run('pricing', 'sync');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`0 added, 0 updated, ${BUILTIN_PRICES.length} unchanged`);
    expect(await prisma().modelPrice.count()).toBe(BUILTIN_PRICES.length);
  });

  it('a change of exactly the threshold (20 %) needs no --yes; the exact percent is computed, not rounded', async () => {
    const file = catalogFile('twenty.json', { 'gpt-4o-mini': { litellm_provider: 'openai', input_cost_per_token: 1.8e-7, cache_read_input_token_cost: 9e-8, output_cost_per_token: 7.2e-7 } });
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--source', `litellm=${file}`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/~ openai\/gpt-4o-mini {2}sync → discovered \(litellm twenty\.json\) {2}max \+20\.00%\n/);
    expect(alerts(run.stdout)).toEqual([]);
    expect((await openRows('gpt-4o-mini'))[0]).toMatchObject({ source: 'discovered', rates: { input: '0.18', cachedInput: '0.09', output: '0.72' }, confidence: 0.8 });
    // 20.01 % is above it.
    const above = catalogFile('above.json', { 'gpt-4o-mini': { litellm_provider: 'openai', input_cost_per_token: 2.16036e-7, output_cost_per_token: 7.2e-7 } });
    expect((await env.cli.run('pricing', 'sync', '--provider', 'openai', '--dry-run', '--source', `litellm=${above}`)).stdout).toMatch(/input +0\.18 → 0\.216036 +\+20\.02% {2}!/);
  });

  it('a 30 % change without --yes is refused (exit 3, nothing written); with --yes it is applied and alerted', async () => {
    const before = await snapshot(env.cli);
    const refused = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini'));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('Refused: 1 change is above the 20% threshold; re-run with --yes to apply. Nothing was changed.');
    expect(alerts(refused.stdout)).toEqual([]);
    expect(await snapshot(env.cli)).toEqual(before);

    const previous = (await openRows('gpt-4o'))[0]!;
    const applied = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini'));
    expect(applied.code).toBe(0);
    const [alert, ...more] = alerts(applied.stdout);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: 'price_change', provider: 'openai', model: 'gpt-4o', thresholdPercent: '20', maxChangePercent: '+30.00%', source: 'discovered', previousPriceId: previous.id });
    expect(alert!.changes).toContainEqual({ rate: 'input', old: '2.5', new: '3.25', percent: '+30.00%' });
    expect(applied.stderr).toContain('warning: price of openai/gpt-4o changed by +30.00% (above the 20% threshold)');

    const [now] = await openRows('gpt-4o');
    expect(now).toMatchObject({ id: alert!.priceId, source: 'discovered', confidence: 0.8, rates: { input: '3.25', cachedInput: '1.625', output: '13' } });
    // The built-in's service tiers are kept: the catalog file does not express them.
    expect(now!.serviceTiers).toEqual(BUILTIN_PRICES.find((p) => p.model === 'gpt-4o')!.serviceTiers);
    const closed = await prisma().modelPrice.findUniqueOrThrow({ where: { id: previous.id } });
    expect(closed.effectiveTo).toEqual(now!.effectiveFrom);
  });

  it('a manual override survives a sync, even a forced one', async () => {
    expect((await env.cli.run('pricing', 'set', 'openai', 'gpt-4.1', '--input', '9', '--output', '9.5')).code).toBe(0);
    const [manual] = await openRows('gpt-4.1');
    expect(manual?.source).toBe('manual');
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini,gpt-4.1'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`! openai/gpt-4.1  skipped: manual price ${manual!.id}`);
    expect(await openRows('gpt-4.1')).toEqual([manual]);
    expect(await prisma().modelPrice.count({ where: { model: 'gpt-4.1', effectiveFrom: { gt: manual!.effectiveFrom } } })).toBe(0);
  });

  it('low-confidence discovered prices are reported and never applied', async () => {
    const before = await snapshot(env.cli);
    const file = catalogFile('odd.json', {
      'gpt-5': { litellm_provider: 'openai', input_cost_per_token: 0.005, output_cost_per_token: 1e-5 }, // $5000 per 1M
      'gpt-5-mini': { litellm_provider: 'openai', input_cost_per_token: 3e-7 }, // no output price
      'gpt-5-nano': { litellm_provider: 'openai', input_cost_per_token: 5e-8, cache_read_input_token_cost: 1e-6, output_cost_per_token: 4e-7 },
      'not-a-model-we-know': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    });
    const run = await env.cli.run('pricing', 'sync', '--yes', '--provider', 'openai', '--source', `litellm=${file}`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Discovered prices NOT applied (confidence below 0.80):');
    expect(run.stdout).toMatch(/\? openai\/gpt-5 {2}litellm confidence 0\.00: input 5000, output 10 \(input 5000 per 1M is above the sane maximum 1000\)/);
    expect(run.stdout).toMatch(/\? openai\/gpt-5-mini {2}litellm confidence 0\.00: input 0\.3 \(no output price\)/);
    expect(run.stdout).toMatch(/\? openai\/gpt-5-nano {2}litellm confidence 0\.00: .*cached input 1 dearer than input 0\.05/);
    expect(run.stderr).toContain('1 discovered prices ignored: models Tollgate does not know');
    expect(await snapshot(env.cli)).toEqual(before);

    // A confidence threshold above what a catalog agreeing with the built-in earns (0.9) rejects it too.
    env.writeConfig({ sync: { discovery: { confidenceThreshold: 0.95 } } });
    try {
      const strict = await env.cli.run('pricing', 'sync', '--yes', '--provider', 'openai', '--source', litellm('?scale=50&models=o3'));
      expect(strict.stdout).toMatch(/\? openai\/o3 {2}litellm confidence 0\.80: input 1, cachedInput 0\.25, output 4 \(litellm 0\.80; differs from the built-in\)/);
      expect((await openRows('o3'))[0]?.source).toBe('sync');
    } finally {
      env.writeConfig({});
    }
  });

  it('an unreachable source is a warning and exit 4; the run completes with what the other sources gave', async () => {
    await prisma().modelPrice.deleteMany({ where: { providerId: 'gemini' } });
    const port = await closedPort();
    const run = await env.cli.run('pricing', 'sync', '--provider', 'gemini', '--source', `litellm=http://127.0.0.1:${port}/catalog.json`, '--source', 'litellm=missing.json');
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`warning: source unavailable: http://127.0.0.1:${port}/catalog.json: unreachable (ECONNREFUSED); continuing without it`);
    expect(run.stderr).toContain('warning: source unavailable: missing.json: cannot read the file (ENOENT)');
    const gemini = BUILTIN_PRICES.filter((p) => p.provider === 'gemini').length;
    expect(run.stdout).toContain(`Applied ${gemini} price rows.`);
    expect(await prisma().modelPrice.count({ where: { providerId: 'gemini', effectiveTo: null } })).toBe(gemini);
    // A source that answers, but not with a catalog, is unusable in the same way.
    const html = await env.cli.run('pricing', 'sync', '--provider', 'gemini', '--source', `litellm=${env.sim.url}/pricing/gemini.html`);
    expect(html.code).toBe(4);
    expect(html.stderr).toMatch(/warning: source unavailable: litellm http.*gemini\.html: Unexpected token/);
  });

  it('xai-language-models is a source of its own: prices in ticks, exact; a new cached rate counts as a change', async () => {
    const refused = await env.cli.run('pricing', 'sync', '--provider', 'xai', '--source', 'xai-language-models');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/~ xai\/grok-4-0709 {2}sync → discovered \(xai-language-models .*\) {2}max -87\.50% {2}ABOVE 20%/);
    expect(refused.stdout).toMatch(/ cachedInput +3 → 0\.75 +-75\.00% {2}!/);
    const applied = await env.cli.run('pricing', 'sync', '--provider', 'xai', '--source', 'xai-language-models', '--yes');
    expect(applied.code).toBe(0);
    expect(alerts(applied.stdout).map((a) => a.model)).toEqual(['grok-4-0709']);
    const [row] = await openRows('grok-4-0709');
    expect(row).toMatchObject({ source: 'discovered', confidence: 1, rates: { input: '3', cachedInput: '0.75', output: '15' }, tiers: [{ aboveInputTokens: 128000, rates: { input: '6', output: '30' } }] });
    expect((await openRows('grok-3'))[0]?.source).toBe('sync'); // same rates: confirmed, not re-versioned
  });

  it('--validate-only validates and exits without writing; an invalid row fails it', async () => {
    const before = await snapshot(env.cli);
    const ok = await env.cli.run('pricing', 'sync', '--validate-only', '--source', litellm());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Valid: \d+ prices to write and \d+ database rows\./);
    expect(await snapshot(env.cli)).toEqual(before);
    const bad = await prisma().modelPrice.create({ data: { providerId: 'openai', model: 'broken', effectiveFrom: new Date('2021-01-01'), source: 'sync', rates: { input: 'ten', output: '1' } } });
    try {
      const failed = await env.cli.run('pricing', 'sync', '--validate-only');
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('openai/broken [#');
    } finally {
      await prisma().modelPrice.delete({ where: { id: bad.id } });
    }
  });

  it('usage errors exit 2 and help documents the exit codes', async () => {
    expect((await env.cli.run('pricing', 'sync', '--threshold', 'lots')).code).toBe(2);
    expect((await env.cli.run('pricing', 'sync', '--source', 'bogus')).stderr).toContain('--source: unknown source "bogus"');
    expect((await env.cli.run('pricing', 'sync', '--provider', 'acme')).code).toBe(2);
    const ai = await env.cli.run('pricing', 'sync', '--enable-ai-discovery', '--page', 'openai=page.html', '--gateway-key', 'k');
    expect(ai.code).toBe(2);
    expect(ai.stderr).toContain('AI discovery is off: set sync.discovery.enabled: true');
    const help = await env.cli.run('help', 'pricing');
    expect(help.stdout).toContain('tollgate pricing sync [--provider P] [--dry-run] [--yes] [--show-pricing] [--validate-only] [--threshold PCT]');
    expect(help.stdout).toContain('3 needs confirmation (--yes) or refused');
    expect(help.stdout).toContain('4 a source was unavailable');
  });
});
