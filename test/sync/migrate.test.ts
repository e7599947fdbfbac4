import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../src/pricing/index.js';
import { alerts, openSyncEnv, type SyncEnv } from './helpers.js';

let env: SyncEnv;
beforeAll(async () => {
  env = await openSyncEnv();
});
afterAll(async () => env?.dispose());

const prisma = () => env.cli.database.database.prisma;
const allRows = () => prisma().modelPrice.findMany({ orderBy: { id: 'asc' } });

describe('tollgate pricing migrate', () => {
  it('migrates the built-ins into the database and validates every row', async () => {
    const run = await env.cli.run('pricing', 'migrate', '--validate');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${BUILTIN_PRICES.length} added`);
    expect(run.stdout).toContain('Validated: every price row and built-in is valid.');
    expect(await prisma().modelPrice.count({ where: { source: 'sync', effectiveTo: null } })).toBe(BUILTIN_PRICES.length);
  });

  it('a database row 30 % off its built-in: migrate refuses without --yes (exit 3), applies and alerts with it', async () => {
    const row = await prisma().modelPrice.findFirstOrThrow({ where: { model: 'gpt-5', effectiveTo: null } });
    await prisma().modelPrice.update({ where: { id: row.id }, data: { rates: { input: '0.875', cachedInput: '0.0875', output: '7' } } }); // built-in × 0.7
    const refused = await env.cli.run('pricing', 'migrate');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/~ openai\/gpt-5 {2}sync → sync \(built-in list price of 2026-07-24\) {2}max \+42\.85% {2}ABOVE 20%/);
    expect((await prisma().modelPrice.findUniqueOrThrow({ where: { id: row.id } })).effectiveTo).toBeNull();
    const applied = await env.cli.run('pricing', 'migrate', '--yes', '--validate');
    expect(applied.code).toBe(0);
    expect(alerts(applied.stdout)).toMatchObject([{ model: 'gpt-5', maxChangePercent: '+42.85%', previousPriceId: row.id }]);
    expect((await prisma().modelPrice.findFirstOrThrow({ where: { model: 'gpt-5', effectiveTo: null } })).rates).toEqual({ input: '1.25', cachedInput: '0.125', output: '10' });
  });

  it('rollback restores exactly the backed-up rows: deep-equal to the moment of the backup', async () => {
    // A varied table first: manual rows with notes, discovered rows with confidence and JSON columns.
    expect((await env.cli.run('pricing', 'set', 'openai', 'gpt-4o', '--input', '2.123456789012', '--output', '11', '--note', 'negotiated')).code).toBe(0);
    expect((await env.cli.run('pricing', 'sync', '--yes', '--provider', 'xai', '--source', 'xai-language-models')).code).toBe(0);
    const before = await allRows();
    expect(before.some((r) => r.source === 'discovered' && r.confidence === 1 && r.tiers !== null)).toBe(true);
    expect(before.some((r) => r.itemRates === null && r.effectiveTo !== null)).toBe(true);

    const backup = await env.cli.run('pricing', 'migrate', '--backup', 'prices-backup.json', '--dry-run');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain(`Backed up ${before.length} price rows to ${join(env.cwd, 'prices-backup.json')}.`);
    const file = JSON.parse(readFileSync(join(env.cwd, 'prices-backup.json'), 'utf8'));
    expect(file.rows.find((r: { note: string | null }) => r.note === 'negotiated').rates).toEqual({ input: '2.123456789012', output: '11' });
    expect(await allRows()).toEqual(before); // --dry-run: the backup only

    // Change everything a sync and an admin can change.
    expect((await env.cli.run('pricing', 'sync', '--yes', '--provider', 'openai', '--source', `litellm=${env.sim.url}/pricing/litellm.json?scale=150`)).code).toBe(0);
    expect((await env.cli.run('pricing', 'set', 'gemini', 'gemini-2.5-pro', '--input', '1', '--output', '2')).code).toBe(0);
    await prisma().modelPrice.delete({ where: { id: before[0]!.id } });
    await prisma().modelPrice.update({ where: { id: before[1]!.id }, data: { note: 'edited', confidence: 0.5, tiers: { not: 'a tier' } } });
    expect(await allRows()).not.toEqual(before);

    const rollback = await env.cli.run('pricing', 'migrate', '--rollback', 'prices-backup.json', '--validate');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/Rolled back to .*prices-backup\.json: \d+ price rows restored, \d+ rows not in the backup deleted\./);
    expect(rollback.stdout).toContain('Validated: every price row and built-in is valid.');
    expect(await allRows()).toEqual(before);
  });

  it('never overwrites a backup; a bad backup file changes nothing (exit 1); wrong combinations are usage errors', async () => {
    const before = await allRows();
    const again = await env.cli.run('pricing', 'migrate', '--backup', 'prices-backup.json');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already; a backup never overwrites a file');
    writeFileSync(join(env.cwd, 'broken.json'), JSON.stringify({ format: 'tollgate-model-prices', version: 1, rows: [{ id: 'x' }] }));
    const broken = await env.cli.run('pricing', 'migrate', '--rollback', 'broken.json');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('rows[0].providerId: must be a string');
    expect((await env.cli.run('pricing', 'migrate', '--rollback', 'nothing-here.json')).code).toBe(1);
    expect(await allRows()).toEqual(before);
    expect((await env.cli.run('pricing', 'migrate', '--rollback', 'prices-backup.json', '--backup', 'other.json')).code).toBe(2);
    expect(existsSync(join(env.cwd, 'other.json'))).toBe(false);
  });
});
