// `pricing sync` at a terminal: a change above the threshold is put to the person at the
// keyboard, and their answer decides. The real binary runs under a pseudo-terminal (util-linux
// `script`), so stdin really is a TTY; the answer is typed into it. Without a terminal the same
// run is refused (pricing-sync.test.ts), and "no" here must be just as safe.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

let env: SyncEnv;
beforeAll(async () => {
  env = await openSyncEnv();
});
afterAll(async () => env?.dispose());

const BIN = join(process.cwd(), 'bin/tollgate.mjs');

/** Runs `tollgate <args>` on a pseudo-terminal, typing `answer` once the question is shown. */
function atTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  // -q: no banner; -e: exit with the child's code; -c: the command; /dev/null: no typescript file.
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env.cli.env }, cwd: env.cwd });
  let output = '';
  let answered = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (!answered && output.includes('[y/N]')) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 60 s; output so far:\n${output}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const syncArgs = () => ['pricing', 'sync', '--provider', 'openai', '--source', `litellm=${env.sim.url}/pricing/litellm.json?scale=130&models=gpt-4o`];

// Above atTerminal's own 60 s guard, so a slow run fails with its output rather than a bare timeout.
const TERMINAL_TEST_TIMEOUT_MS = 90_000;

describe('pricing sync asks at a terminal', () => {
  it('"n" (or anything but yes) refuses: exit 3, nothing written', { timeout: TERMINAL_TEST_TIMEOUT_MS }, async () => {
    const before = await snapshot(env.cli);
    const run = await atTerminal(syncArgs(), 'n');
    expect(run.output).toMatch(/openai\/gpt-4o.*ABOVE 20%/);
    expect(run.output).toContain('[y/N]');
    expect(run.code, run.output).toBe(3);
    expect(run.output).toContain('Nothing was changed.');
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('"y" applies the change and raises its alert, as --yes would', { timeout: TERMINAL_TEST_TIMEOUT_MS }, async () => {
    const run = await atTerminal(syncArgs(), 'y');
    expect(run.code, run.output).toBe(0);
    const rows = await env.cli.database.database.prisma.modelPrice.findMany({ where: { model: 'gpt-4o', effectiveTo: null } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'discovered', rates: { input: '3.25', cachedInput: '1.625', output: '13' } });
    // The pseudo-terminal merges stdout and stderr and ends lines with CRLF.
    const [alert, ...more] = alerts(run.output.replaceAll('\r\n', '\n'));
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: 'price_change', provider: 'openai', model: 'gpt-4o', maxChangePercent: '+30.00%', priceId: rows[0]!.id });
    expect(await env.cli.database.database.prisma.budgetAlert.count({ where: { kind: 'price_change' } })).toBe(1);
  });
});
