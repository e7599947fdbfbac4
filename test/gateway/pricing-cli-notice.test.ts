// A price change made with the CLI reaches a running gateway within seconds: `tollgate pricing
// set` and `tollgate pricing sync` publish the change notice on Redis, and the gateway reloads
// its database layer. The gateway's periodic refresh is set to an hour, so nothing but the
// notice can bring the change in time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let cwd: string;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'tollgate-cli-notice-'));
  const config = join(cwd, 'gateway.config.yaml');
  writeFileSync(config, 'pricing:\n  refreshSeconds: 3600\n');
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: config } });
});
afterAll(async () => {
  await t?.close();
  rmSync(cwd, { recursive: true, force: true });
});

/** The CLI as an operator runs it next to the gateway: same database, Redis and key prefix. */
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { env: { ...t.env }, cwd, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/**
 * Waits until `check` holds (the gateway reloaded after the notice). "Within seconds" leaves
 * room for a loaded machine: the periodic refresh is an hour away, so only the notice can make
 * it hold in time, and a notice that never arrives still fails.
 */
async function reloaded(check: () => boolean, what: string): Promise<void> {
  await eventually(async () => (check() ? true : undefined), what, 20_000, 25);
}

// Above the 20 s deadline of `reloaded`.
describe('CLI price changes reach a running gateway through the change notice', { timeout: 60_000 }, () => {
  it('before any change the models are priced by their built-ins', () => {
    expect(t.gateway.catalog.lookup('openai', 'gpt-4o-mini').source).toBe('builtin');
    expect(t.gateway.catalog.lookup('xai', 'grok-3').source).toBe('builtin');
  });

  it('`pricing set` is in the gateway\'s catalog within seconds, and prices its next request', async () => {
    const run = await cli('pricing', 'set', 'openai', 'gpt-4o-mini', '--input', '1', '--output', '2');
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('could not notify');
    await reloaded(() => t.gateway.catalog.lookup('openai', 'gpt-4o-mini').source === 'database', 'the set price in the catalog');
    expect(t.gateway.catalog.lookup('openai', 'gpt-4o-mini').price.price).toMatchObject({ source: 'manual', rates: { input: '1', output: '2' } });

    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'new price?' }] }),
    });
    const { usage } = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    // $1 and $2 per 1M: 1e12 and 2e12 atto-USD per token.
    const atto = BigInt(usage.prompt_tokens) * 10n ** 12n + BigInt(usage.completion_tokens) * 2n * 10n ** 12n;
    expect(response.headers.get('x-tollgate-cost-usd')).toBe(`0.${atto.toString().padStart(18, '0')}`.replace(/0+$/, ''));
  });

  it('`pricing sync --yes` is in the gateway\'s catalog within seconds', async () => {
    const run = await cli('pricing', 'sync', '--provider', 'xai', '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Applied \d+ price rows\./);
    await reloaded(() => t.gateway.catalog.lookup('xai', 'grok-3').source === 'database', 'the synced prices in the catalog');
    expect(t.gateway.catalog.lookup('xai', 'grok-3').price.price.source).toBe('sync');
    // The manual row set before is untouched by a sync of another provider, and still served.
    expect(t.gateway.catalog.lookup('openai', 'gpt-4o-mini').price.price.source).toBe('manual');
  });
});
