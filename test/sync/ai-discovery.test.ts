// AI-assisted discovery end to end: the CLI reads a pricing page from the simulator, sends its
// text THROUGH A REAL GATEWAY (whose upstream is the simulator) to a model asked for the
// `price_extraction` JSON schema; the simulator answers with the prices it reads in that text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToAtto } from '../../src/core/money.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

let gw: TestGateway;
let env: SyncEnv;
beforeAll(async () => {
  [gw, env] = await Promise.all([startTestGateway(), openSyncEnv()]);
});
afterAll(async () => {
  await env?.dispose();
  await gw?.close();
});

const prisma = () => env.cli.database.database.prisma;
const page = (query = '') => `openai=${env.sim.url}/pricing/openai.html${query}`;
const aiRun = (...extra: string[]) =>
  env.cli.run('pricing', 'sync', '--provider', 'openai', '--force-ai-discovery', '--gateway-url', gw.url, '--gateway-key', gw.key, ...extra);
const extractionCalls = () => gw.simulator.requests.filter((r) => r.method === 'POST' && r.path === '/openai/v1/chat/completions');
const openRow = (model: string) => prisma().modelPrice.findFirst({ where: { model, effectiveTo: null } });

/** The gateway's ledger is written in batches: wait for the extraction call's usage row. */
async function usageRow() {
  const ledger = gw.gateway.storage.prisma;
  for (let i = 0; i < 100; i++) {
    const row = await ledger.usageRecord.findFirst({ where: { requestedModel: 'gpt-4o-mini' } });
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no usage row for the extraction call');
}

describe('pricing sync with AI discovery', () => {
  it('shows the estimated cost first; without --yes (no terminal) it refuses: exit 3, no call, nothing written', async () => {
    const before = await snapshot(env.cli);
    gw.simulator.clearRequests();
    const run = await aiRun('--page', page());
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`AI discovery through ${gw.url} with openai/gpt-4o-mini; estimated cost:`);
    expect(run.stdout).toMatch(/pricing\/openai\.html: \d+ prompt tokens \(exact\) \+ up to 4096 output tokens ≈ at most \$0\.\d+ \(builtin price\)/);
    expect(run.stderr).toContain('Refused: the AI extraction was not confirmed (re-run with --yes). Nothing was changed.');
    expect(extractionCalls()).toEqual([]);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('a dry run shows the estimated cost but never makes the paid call, even with --yes', async () => {
    const before = await snapshot(env.cli);
    gw.simulator.clearRequests();
    env.sim.clearRequests();
    const run = await aiRun('--page', page(), '--yes', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pricing\/openai\.html: \d+ prompt tokens \(exact\) \+ up to 4096 output tokens ≈ at most \$0\.\d+ \(builtin price\)/);
    expect(run.stdout).toContain('Dry run: the AI extraction was not run (nothing spent)');
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(run.stderr).not.toContain('[ai] extracting prices');
    expect(extractionCalls()).toEqual([]);
    // The page itself was read (for the estimate); the model was not asked.
    expect(env.sim.requests.some((r) => r.path === '/pricing/openai.html')).toBe(true);
    expect(await gw.gateway.storage.prisma.usageRecord.count({ where: { requestedModel: 'gpt-4o-mini' } })).toBe(0);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('with --yes the page goes through the gateway and back as structured JSON; agreeing prices are applied as discovered rows', async () => {
    gw.simulator.clearRequests();
    const run = await aiRun('--page', page(), '--yes');
    expect(run.code).toBe(0);
    const [call, ...others] = extractionCalls();
    expect(others).toEqual([]);
    const body = JSON.parse(call!.body);
    expect(body.response_format.json_schema.name).toBe('price_extraction');
    expect(body.messages[1].content).toContain('gpt-4o\t$2.5\t$1.25\t$10');
    expect(call!.headers.authorization).toBe('Bearer sk-upstream-openai-secret'); // the gateway swapped our Tollgate key

    // AI 0.70 + agreement with the built-in 0.10 = 0.80, the default threshold: applied.
    expect(await openRow('gpt-4o')).toMatchObject({ source: 'discovered', confidence: 0.8, rates: { input: '2.5', cachedInput: '1.25', output: '10' } });
    expect((await openRow('gpt-4o'))!.note).toContain('discovered: ai openai/gpt-4o-mini on http');
    expect(await openRow('text-embedding-3-small')).toMatchObject({ source: 'discovered', rates: { input: '0.02', output: '0' } });
    expect(await openRow('gpt-5-nano')).toMatchObject({ source: 'sync' }); // not on the page: its built-in

    // The gateway metered and priced the call; the estimate shown before was an upper bound of it.
    const usage = await usageRow();
    const estimate = /total at most \$(\d+(?:\.\d+)?)/.exec(run.stdout)![1]!;
    expect(usdToAtto(usage.costTotalUsd.toString())).toBeGreaterThan(0n);
    expect(usdToAtto(usage.costTotalUsd.toString())).toBeLessThanOrEqual(usdToAtto(estimate));
  });

  it('a price only the AI reads, differing from the built-in, stays below the threshold (0.70) and is not applied', async () => {
    const before = await snapshot(env.cli);
    const run = await aiRun('--page', page('?scale=130&models=gpt-4o'), '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\? openai\/gpt-4o {2}ai confidence 0\.70: input 3\.25, cachedInput 1\.625, output 13 \(ai 0\.70; differs from the built-in\)/);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('out-of-range answers get confidence 0 and are not applied', async () => {
    const before = await snapshot(env.cli);
    const run = await aiRun('--page', page('?scale=100000'), '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\? openai\/gpt-4o {2}ai confidence 0\.00: input 2500, cachedInput 1250, output 10000 \(input 2500 per 1M is above the sane maximum 1000;/);
    expect(run.stdout).toMatch(/\? openai\/gpt-4\.1-mini {2}ai confidence 0\.00: .*\(output 1600 per 1M is above the sane maximum 1000\)/);
    expect(run.stdout).not.toContain('ALERT');
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('a garbage answer is an unusable source: warning, exit 4, nothing from it applied', async () => {
    const before = await snapshot(env.cli);
    const run = await aiRun('--page', page('?garbage=1'), '--yes');
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/warning: source unavailable: ai openai\/gpt-4o-mini on .*: the model did not answer with the price_extraction JSON/);
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('an unreachable gateway or page is a warning and exit 4, never a crash', async () => {
    const port = await closedPort();
    const gateway = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--force-ai-discovery', '--gateway-url', `http://127.0.0.1:${port}`, '--gateway-key', gw.key, '--page', page(), '--yes');
    expect(gateway.code).toBe(4);
    expect(gateway.stderr).toContain(`warning: source unavailable: gateway http://127.0.0.1:${port}/openai/v1/chat/completions: unreachable (ECONNREFUSED)`);
    const missing = await aiRun('--page', 'openai=no-such-page.html', '--yes');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no-such-page.html: cannot read the file (ENOENT)');
  });

  it('runs from configuration: sync.discovery.enabled, its pages and TOLLGATE_DISCOVERY_KEY', async () => {
    env.writeConfig({ sync: { discovery: { enabled: true, ai: { gatewayUrl: gw.url, pages: { openai: `${env.sim.url}/pricing/openai.html` } } } } });
    env.cli.env.TOLLGATE_DISCOVERY_KEY = gw.key;
    try {
      const before = await snapshot(env.cli);
      gw.simulator.clearRequests();
      const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--enable-ai-discovery', '--yes', '--dry-run');
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('[ai] reading the pricing page http://');
      expect(run.stdout).toContain(`AI discovery through ${gw.url} with openai/gpt-4o-mini; estimated cost:`);
      expect(extractionCalls()).toEqual([]);
      expect(run.stdout).toContain('Dry run: nothing was changed.');
      expect(await snapshot(env.cli)).toEqual(before);
      delete env.cli.env.TOLLGATE_DISCOVERY_KEY;
      expect((await env.cli.run('pricing', 'sync', '--enable-ai-discovery')).stderr).toContain('AI discovery needs a Tollgate key');
    } finally {
      delete env.cli.env.TOLLGATE_DISCOVERY_KEY;
      env.writeConfig({});
    }
  });
});
