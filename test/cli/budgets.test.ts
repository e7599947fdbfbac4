/**
 * `tollgate budgets` against a real database and the real Redis (random key prefix). Status
 * is checked against counters charged directly through a RedisBudgetStore on that prefix.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetRule } from '../../src/budgets/directory.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { REDIS_URL } from '../support/ledger-env.js';
import { openCliEnv, type CliEnv } from './cli-env.js';

let cli: CliEnv;
let store: RedisBudgetStore;
let orgId: string, teamId: string, userId: string;

beforeAll(async () => {
  cli = await openCliEnv({ redis: true });
  store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: cli.prefix });
  orgId = (await cli.run('org', 'create', '--name', 'acme', '--quiet')).stdout.trim();
  teamId = (await cli.run('team', 'create', '--org', orgId, '--name', 'ranking', '--quiet')).stdout.trim();
  userId = (await cli.run('user', 'create', '--org', orgId, '--team', teamId, '--name', 'ada', '--quiet')).stdout.trim();
});
afterAll(async () => {
  await store?.close();
  await cli?.dispose();
});

async function charge(budgetId: string, entities: { organization?: string; project?: string; team?: string; user?: string }, spentNano: bigint, heldNano: bigint) {
  const row = await cli.database.database.prisma.budget.findUniqueOrThrow({ where: { id: budgetId } });
  const applied = { shardKey: orgId, rules: [budgetRule(row)], counterEntityIds: entities };
  const now = new Date();
  const paid = `req-${randomUUID()}`;
  expect((await store.reserve({ ...applied, requestId: paid, amountNano: spentNano * 2n, now, reservationTtlMs: 60_000 })).admitted).toBe(true);
  expect((await store.settle({ ...applied, requestId: paid, actualNano: spentNano, now, event: { note: 'cli-test' } })).settled).toBe(true);
  // A second request still in flight: its hold is what status reports as reserved.
  expect((await store.reserve({ ...applied, requestId: `req-${randomUUID()}`, amountNano: heldNano, now, reservationTtlMs: 60_000 })).admitted).toBe(true);
}

describe('tollgate budgets', () => {
  it('set an own budget, list it, read its status after a charge, and announce the change', async () => {
    const subscriber = new Redis(REDIS_URL);
    const notices: string[] = [];
    await subscriber.subscribe(`${cli.prefix}changes`);
    subscriber.on('message', (_channel: string, message: string) => notices.push(message));

    const set = await cli.run('budgets', 'set', '--level', 'team', '--entity', teamId, '--period', 'total', '--limit', '25.5',
      '--thresholds', '50,90', '--provider', 'openai', '--model', 'gpt-4o', '--fail-mode', 'closed', '--timezone', 'Europe/Berlin');
    expect(set.code).toBe(0);
    const id = set.stdout.match(/Created budget ([0-9a-f-]{36})/)![1]!;
    expect(set.stdout).toContain(`team ${teamId}: total limit $25.5, hard, Europe/Berlin, thresholds 50,90, provider openai, model gpt-4o, fail closed`);
    await expect.poll(() => notices).toContain('budgets');
    await subscriber.quit();

    const listed = await cli.run('budgets', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+team\\s+${teamId}\\s+-\\s+total\\s+\\$25\\.5\\s+hard\\s+Europe/Berlin\\s+provider=openai model=gpt-4o`));

    await charge(id, { organization: orgId, team: teamId }, 123_456_789n, 500_000_000n);
    const status = await cli.run('budgets', 'status', id);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/limit\s+\$25\.5\n/);
    expect(status.stdout).toMatch(/spent\s+\$0\.123456789\n/);
    expect(status.stdout).toMatch(/reserved\s+\$0\.5\n/);
    expect(status.stdout).toMatch(/remaining\s+\$24\.876543211\n/);
    expect(status.stdout).toMatch(/resets at\s+never \(total budget\)/);
    expect(status.stdout).toContain(`team ${teamId} (own budget of this entity)`);
    const json = JSON.parse((await cli.run('budgets', 'status', id, '--json')).stdout);
    expect(json).toMatchObject({ budgetId: id, spentUsd: '0.123456789', reservedUsd: '0.5', limitUsd: '25.5', source: { inherited: false } });
  });

  it('a --default-for budget is listed as a default and its status reads one child, inherited', async () => {
    const set = await cli.run('budgets', 'set', '--level', 'team', '--entity', teamId, '--default-for', 'user', '--period', 'monthly', '--limit', '10', '--soft', '--quiet');
    expect(set.code).toBe(0);
    const id = set.stdout.trim();
    const rows = JSON.parse((await cli.run('budgets', 'list', '--level', 'team', '--entity', teamId, '--json')).stdout) as { id: string; appliesTo: string | null; hard: boolean; limitUsd: string }[];
    expect(rows.find((r) => r.id === id)).toMatchObject({ appliesTo: 'user', hard: false, limitUsd: '10' });
    expect(JSON.parse((await cli.run('budgets', 'list', '--level', 'organization', '--json')).stdout)).toEqual([]);

    const noChild = await cli.run('budgets', 'status', id);
    expect(noChild.code).toBe(2);
    expect(noChild.stderr).toContain('pass --entity <user id>');

    await charge(id, { organization: orgId, team: teamId, user: userId }, 1n, 0n);
    const status = await cli.run('budgets', 'status', id, '--entity', userId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`user ${userId} (inherited: a default set on team ${teamId} for each user)`);
    expect(status.stdout).toMatch(/spent\s+\$0\.000000001\n/);
    expect(status.stdout).toMatch(/resets at\s+\d{4}-\d\d-01T00:00:00\.000Z/);
  });

  it('status --entity says where an inherited default comes from: a project default read for a user of a team in that project', async () => {
    const quiet = async (...argv: string[]) => (await cli.run(...argv, '--quiet')).stdout.trim();
    const projectId = await quiet('project', 'create', '--org', orgId, '--name', 'search');
    const searchTeam = await quiet('team', 'create', '--org', orgId, '--project', projectId, '--name', 'search-team');
    const grace = await quiet('user', 'create', '--org', orgId, '--team', searchTeam, '--name', 'grace');
    const id = await quiet('budgets', 'set', '--level', 'project', '--entity', projectId, '--default-for', 'user', '--period', 'daily', '--limit', '3');
    await charge(id, { organization: orgId, project: projectId, team: searchTeam, user: grace }, 1_000n, 2_000n);

    const status = await cli.run('budgets', 'status', id, '--entity', grace);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`user ${grace} (inherited: a default set on project ${projectId} for each user)`);
    expect(status.stdout).toMatch(/limit\s+\$3\n/);
    expect(status.stdout).toMatch(/spent\s+\$0\.000001\n/);
    expect(status.stdout).toMatch(/reserved\s+\$0\.000002\n/);
    const json = JSON.parse((await cli.run('budgets', 'status', id, '--entity', grace, '--json')).stdout);
    expect(json).toMatchObject({ budgetId: id, level: 'user', entityId: grace, source: { inherited: true, from: { level: 'project', entityId: projectId }, applies: true }, spentUsd: '0.000001' });

    // A user with a budget of its own is no longer bound by the default; one outside the project never was.
    await quiet('budgets', 'set', '--level', 'user', '--entity', grace, '--period', 'daily', '--limit', '9');
    const overridden = await cli.run('budgets', 'status', id, '--entity', grace);
    expect(overridden.code).toBe(0);
    expect(overridden.stdout).toContain('not binding it now: a budget of its own (or a nearer default) covers the same scope');
    expect(JSON.parse((await cli.run('budgets', 'status', id, '--entity', grace, '--json')).stdout).source.applies).toBe(false);
    const outsider = await quiet('user', 'create', '--org', orgId, '--name', 'outsider');
    const refused = await cli.run('budgets', 'status', id, '--entity', outsider);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`user ${outsider} is not under project ${projectId}`);
  });

  it('effective lists every budget binding an entity, own and inherited with where from, per scope', async () => {
    const quiet = async (...argv: string[]) => (await cli.run(...argv, '--quiet')).stdout.trim();
    const team = await quiet('team', 'create', '--org', orgId, '--name', 'effective-team');
    const lin = await quiet('user', 'create', '--org', orgId, '--team', team, '--name', 'lin');
    const everyUser = await quiet('budgets', 'set', '--level', 'organization', '--entity', orgId, '--default-for', 'user', '--period', 'daily', '--limit', '20');
    const gpt5Default = await quiet('budgets', 'set', '--level', 'team', '--entity', team, '--default-for', 'user', '--period', 'daily', '--limit', '4', '--model', 'gpt-5');
    const ownGpt5 = await quiet('budgets', 'set', '--level', 'user', '--entity', lin, '--period', 'weekly', '--limit', '7', '--model', 'gpt-5');

    const text = await cli.run('budgets', 'effective', '--level', 'user', '--entity', lin);
    expect(text.code).toBe(0);
    // Own gpt-5 budget replaces the team's gpt-5 default; the organization's all-models default still binds.
    expect(text.stdout).toContain(`${ownGpt5}  own  weekly hard (gpt-5)  limit $7`);
    expect(text.stdout).toContain(`${everyUser}  inherited from organization ${orgId}  daily hard (all models)  limit $20`);
    expect(text.stdout).not.toContain(gpt5Default);
    const json = JSON.parse((await cli.run('budgets', 'effective', '--level', 'user', '--entity', lin, '--json')).stdout);
    expect(json.map((r: { budgetId: string; source: string }) => [r.budgetId, r.source])).toEqual([[ownGpt5, 'own'], [everyUser, 'inherited']]);

    const nothing = await quiet('team', 'create', '--org', orgId, '--name', 'no-budgets');
    expect((await cli.run('budgets', 'effective', '--level', 'team', '--entity', nothing)).stdout).toContain(`No budget binds team ${nothing}`);
    expect((await cli.run('budgets', 'effective', '--level', 'user', '--entity', 'no-such-user')).code).toBe(1);
    expect((await cli.run('budgets', 'effective', '--level', 'galaxy', '--entity', lin)).code).toBe(2);
    for (const id of [everyUser, gpt5Default, ownGpt5]) await cli.run('budgets', 'remove', id);
  });

  it('refuses a wrong level, limit, time zone or default level, naming the option', async () => {
    const base = ['budgets', 'set', '--entity', teamId, '--period', 'daily'];
    const cases: [string[], number, string][] = [
      [['--level', 'galaxy', '--limit', '5'], 2, '--level: "galaxy" is not one of organization, project, team, user, key'],
      [['--level', 'team', '--limit', 'lots'], 2, '--limit (limitUsd): a non-negative USD amount'],
      [['--level', 'team', '--limit', '0.0000000001'], 2, '--limit (limitUsd)'],
      [['--level', 'team', '--limit', '5', '--timezone', 'Mars/Olympus'], 2, '--timezone (timezone): not an IANA time zone'],
      [['--level', 'team', '--limit', '5', '--default-for', 'project'], 2, '--default-for (appliesTo): a default applies to a level below'],
      [['--level', 'team', '--limit', '5', '--thresholds', '50,abc'], 2, '--thresholds: "abc"'],
      [['--level', 'team'], 2, '--limit is required'],
    ];
    for (const [extra, code, message] of cases) {
      const result = await cli.run(...base, ...extra);
      expect(result.code, extra.join(' ')).toBe(code);
      expect(result.stderr).toContain(message);
    }
    const missing = randomUUID();
    const noEntity = await cli.run('budgets', 'set', '--level', 'user', '--entity', missing, '--period', 'daily', '--limit', '5');
    expect(noEntity.code).toBe(1);
    expect(noEntity.stderr).toContain(`user ${missing} does not exist`);
    expect((await cli.run('budgets', 'list', '--level', 'galaxy')).code).toBe(2);
    const noBudget = await cli.run('budgets', 'status', randomUUID());
    expect(noBudget.code).toBe(1);
    expect(noBudget.stderr).toContain('does not exist');
  });

  it('remove deletes a budget; removing it again exits 1', async () => {
    const id = (await cli.run('budgets', 'set', '--level', 'organization', '--entity', orgId, '--period', 'weekly', '--limit', '100', '--quiet')).stdout.trim();
    const removed = await cli.run('budgets', 'remove', id);
    expect(removed).toMatchObject({ code: 0, stdout: `Removed budget ${id}.\n` });
    expect((await cli.run('budgets', 'list', '--json')).stdout).not.toContain(id);
    const again = await cli.run('budgets', 'remove', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No budget with id ${id}`);
    expect((await cli.run('budgets', 'remove')).code).toBe(2);
  });

  it('status and effective without Redis say the counters are in the gateway process and exit 1', async () => {
    const { REDIS_URL: _url, TOLLGATE_REDIS_KEY_PREFIX: _prefix, ...withoutRedis } = cli.env;
    const { main } = await import('../../src/cli/main.js');
    for (const argv of [['budgets', 'status', randomUUID()], ['budgets', 'effective', '--level', 'team', '--entity', randomUUID()]]) {
      let stderr = '';
      let stdout = '';
      const code = await main(argv, { env: withoutRedis, cwd: withoutRedis.TOLLGATE_DATA_DIR!, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      expect(code, argv[1]).toBe(1);
      expect(stderr).toMatch(new RegExp(`^tollgate budgets ${argv[1]}: no shared budget store is configured`));
      expect(stdout).toBe('');
    }
  });

  it('help budgets lists every option', async () => {
    const { code, stdout } = await cli.run('help', 'budgets');
    expect(code).toBe(0);
    for (const option of ['--level', '--entity', '--period', '--limit', '--timezone', '--soft', '--thresholds', '--model', '--provider', '--fail-mode', '--default-for', '--json', 'remove <budget id>', 'status <budget id> [--entity <child id>]']) {
      expect(stdout).toContain(option);
    }
  });
});
