// The `tollgate` CLI's help and exit codes: help for every command (both ways of asking),
// wrong usage is exit 2 (help on a command that does not exist included), and the exit codes
// the general help promises cover the ones the sync commands really use.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { EXIT, main } from '../../src/cli/main.js';
import { SYNC_EXIT } from '../../src/sync/exit-codes.js';

/** main() in process, with no configuration: help needs none. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { env: {}, cwd: process.cwd(), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tollgate help', () => {
  it('`tollgate help models` prints the models command: both subcommands, their options, its exit codes', async () => {
    const { code, stdout, stderr } = await run('help', 'models');
    expect(code).toBe(EXIT.ok);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^tollgate models: /);
    expect(stdout).toContain('tollgate models sync [--provider P] [--dry-run] [--json]');
    expect(stdout).toContain('tollgate models list [--provider P] [--retired] [--json]');
    expect(stdout).toContain(`${SYNC_EXIT.partial} a provider's list was unavailable`);
  });

  it('every command has help, as `help <command>` and as `<command> --help`, the same text', async () => {
    for (const command of COMMANDS) {
      const viaHelp = await run('help', command.name);
      expect(viaHelp.code, command.name).toBe(EXIT.ok);
      expect(viaHelp.stdout, command.name).toMatch(new RegExp(`^tollgate ${command.name}: .+\\n\\nUsage:\\n  tollgate ${command.name}`));
      const viaFlag = await run(command.name, '--help');
      expect(viaFlag.code, command.name).toBe(EXIT.ok);
      expect(viaFlag.stdout, command.name).toBe(viaHelp.stdout);
    }
  });

  it('`tollgate help <unknown>` is wrong usage: exit 2, the unknown name on stderr, the command list after it', async () => {
    const { code, stdout, stderr } = await run('help', 'modles');
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^tollgate help: unknown command "modles"\n/);
    for (const command of COMMANDS) expect(stderr).toContain(`  ${command.name} `);
  });

  it('`tollgate help pricing sync` and `tollgate pricing sync --help` print that subcommand only, with the exit codes', async () => {
    const viaHelp = await run('help', 'pricing', 'sync');
    expect(viaHelp.code).toBe(EXIT.ok);
    expect(viaHelp.stdout).toMatch(/^tollgate pricing: .+\n\nUsage:\n  tollgate pricing sync \[--provider P\]/);
    expect(viaHelp.stdout).toContain('        [--page <provider>=<file|URL>]'); // the synopsis's continuation lines
    expect(viaHelp.stdout).toContain('  sync      Built-in prices');
    expect(viaHelp.stdout).toContain('            Key: --gateway-key or TOLLGATE_DISCOVERY_KEY.'); // the description's last line
    expect(viaHelp.stdout).toContain(`${SYNC_EXIT.refused} needs confirmation`);
    for (const other of ['pricing list', 'pricing history', 'pricing set', 'pricing validate', 'pricing migrate']) expect(viaHelp.stdout).not.toContain(`tollgate ${other}`);
    for (const other of ['list ', 'history ', 'set ', 'validate ', 'migrate ']) expect(viaHelp.stdout).not.toContain(`\n  ${other}`);
    const viaFlag = await run('pricing', 'sync', '--dry-run', '--help');
    expect(viaFlag.code).toBe(EXIT.ok);
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
  });

  it('a command without that subcommand: `help` is wrong usage, `--help` falls back to the whole command', async () => {
    const wrong = await run('help', 'keys', 'rotate');
    expect(wrong.code).toBe(EXIT.usage);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/^tollgate help: "keys" has no subcommand "rotate"\n\ntollgate keys: /);
    // `simulate --port 9000 --help`: 9000 is an option's value, not a subcommand.
    const whole = await run('simulate', '--port', '9000', '--help');
    expect(whole.code).toBe(EXIT.ok);
    expect(whole.stdout).toBe((await run('help', 'simulate')).stdout);
  });

  it('so is an unknown command, and an unknown action of a known one', async () => {
    expect((await run('modles', 'sync')).code).toBe(EXIT.usage);
    const action = await run('models', 'fetch');
    expect(action.code).toBe(EXIT.usage);
    expect(action.stderr).toContain('unknown action "fetch"');
  });

  it('the general help names every exit code the commands use, 3 and 4 with the commands that use them', async () => {
    const { code, stdout } = await run('help');
    expect(code).toBe(EXIT.ok);
    const sentence = stdout.slice(stdout.indexOf('Exit codes:')).replace(/\s+/g, ' ');
    for (const value of new Set([...Object.values(EXIT), ...Object.values(SYNC_EXIT)])) expect(sentence).toContain(`${value} `);
    expect(sentence).toContain('"pricing sync" and "pricing migrate" add 3');
    expect(sentence).toContain('"models sync" add 4');
  });

  it('the real binary exits with those codes: 0 for help, 2 for help on an unknown command', () => {
    const bin = join(process.cwd(), 'bin/tollgate.mjs');
    const ok = spawnSync(process.execPath, [bin, 'help', 'models'], { encoding: 'utf8', timeout: 30_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^tollgate models: /);
    const wrong = spawnSync(process.execPath, [bin, 'help', 'modles'], { encoding: 'utf8', timeout: 30_000 });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('unknown command "modles"');
  });
});
