import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICING_SUBCOMMANDS } from '../../src/cli/pricing-command.js';
import { openCliEnv, type CliEnv } from './cli-env.js';

let cli: CliEnv;
beforeAll(async () => {
  cli = await openCliEnv();
});
afterAll(async () => cli?.dispose());

describe('tollgate pricing', () => {
  it('list shows built-in prices; validate passes on the untouched catalog', async () => {
    const listed = await cli.run('pricing', 'list', '--provider', 'openai');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^PROVIDER\s+MODEL\s+SOURCE/);
    expect(listed.stdout).toMatch(/openai\s+gpt-4o\s+builtin/);
    expect(listed.stdout).not.toMatch(/^gemini/m);
    const validated = await cli.run('pricing', 'validate');
    expect(validated).toMatchObject({ code: 0, stdout: 'The price catalog is valid (database rows and built-in prices).\n' });
  });

  it('set adds a manual row that list and history show with its exact rates, and the catalog stays valid', async () => {
    const set = await cli.run('pricing', 'set', 'openai', 'gpt-4o', '--input', '2.75', '--output', '11.000001', '--cached-input', '0.6875',
      '--reasoning', '11', '--effective-from', '2020-01-01T00:00:00Z', '--note', 'negotiated');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Set a manual price for openai/gpt-4o from 2020-01-01T00:00:00.000Z');
    expect(set.stdout).toContain('input 2.75, output 11.000001, cachedInput 0.6875, reasoning 11');

    const listed = JSON.parse((await cli.run('pricing', 'list', '--provider', 'openai', '--json')).stdout) as { model: string; source: string; rates: Record<string, string> }[];
    expect(listed.find((p) => p.model === 'gpt-4o')).toMatchObject({ source: 'manual', rates: { input: '2.75', output: '11.000001', cachedInput: '0.6875', reasoning: '11' } });
    expect((await cli.run('pricing', 'list')).stdout).toMatch(/openai\s+gpt-4o\s+manual\s+2020-01-01T00:00:00\.000Z\s+per_1m_tokens\s+input 2\.75, output 11\.000001/);

    const history = await cli.run('pricing', 'history', 'openai', 'gpt-4o');
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/manual\s+2020-01-01T00:00:00\.000Z\s+-\s+per_1m_tokens\s+input 2\.75.*negotiated$/);
    expect(history.stdout).toMatch(/builtin/);
    const versions = JSON.parse((await cli.run('pricing', 'history', 'openai', 'gpt-4o', '--json')).stdout) as { source: string; note?: string }[];
    expect(versions[0]).toMatchObject({ source: 'manual', note: 'negotiated' });

    expect((await cli.run('pricing', 'validate')).code).toBe(0);
    expect(JSON.parse((await cli.run('pricing', 'validate', '--json')).stdout)).toEqual({ valid: true, issues: [] });
  });

  it('set refuses a negative or malformed rate naming the option, and stores nothing', async () => {
    const before = await cli.database.database.prisma.modelPrice.count();
    const negative = await cli.run('pricing', 'set', 'openai', 'gpt-4o-mini', '--input=-1', '--output', '0.6');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--input (rates.input): negative rate "-1"');
    const malformed = await cli.run('pricing', 'set', 'openai', 'gpt-4o-mini', '--input', '0.15', '--output', '0.6', '--cache-write', '1e-3');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--cache-write (rates.cacheWrite): not a plain decimal number');
    expect((await cli.run('pricing', 'set', 'openai', 'gpt-4o-mini', '--input', '0.15')).stderr).toContain('--output is required');
    expect((await cli.run('pricing', 'set', 'openai', '--input', '1', '--output', '1')).code).toBe(2);
    expect((await cli.run('pricing', 'set', 'openai', 'x', '--input', '1', '--output', '1', '--effective-from', 'soon')).stderr).toContain('--effective-from: not an ISO date');
    expect(await cli.database.database.prisma.modelPrice.count()).toBe(before);
  });

  it('validate exits 1 and names model and field of every bad row; history of an unknown model exits 1', async () => {
    const prisma = cli.database.database.prisma;
    const bad = await prisma.modelPrice.create({
      data: { providerId: 'openai', model: 'broken-model', effectiveFrom: new Date('2021-01-01'), source: 'manual', rates: { input: '-1', output: 'ten' } },
    });
    try {
      const validated = await cli.run('pricing', 'validate');
      expect(validated.code).toBe(1);
      expect(validated.stdout).toContain('The price catalog has 2 issues:');
      expect(validated.stdout).toContain('openai/broken-model: rates.input: negative rate "-1"');
      expect(validated.stdout).toContain('openai/broken-model: rates.output: not a plain decimal number: "ten"');
      expect(JSON.parse((await cli.run('pricing', 'validate', '--json')).stdout)).toMatchObject({ valid: false });
    } finally {
      await prisma.modelPrice.delete({ where: { id: bad.id } });
    }
    const unknown = await cli.run('pricing', 'history', 'openai', 'no-such-model');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No price of openai/no-such-model');
    expect((await cli.run('pricing', 'frobnicate')).code).toBe(2);
  });

  it('help pricing lists every subcommand of the map and every option', async () => {
    const { code, stdout } = await cli.run('help', 'pricing');
    expect(code).toBe(0);
    for (const sub of Object.keys(PRICING_SUBCOMMANDS)) expect(stdout).toContain(`tollgate pricing ${sub}`);
    for (const option of ['--provider P', '--input <usd per 1M>', '--output <usd per 1M>', '--cached-input X', '--cache-write X', '--reasoning X', '--effective-from ISO', '--note T', '--json']) {
      expect(stdout).toContain(option);
    }
  });
});
