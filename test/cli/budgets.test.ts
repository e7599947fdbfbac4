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

async function charge(budgetId: string, entities: { organization?: string; team?: string; user?: string }, spentNano: bigint, heldNano: bigint) {
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

  it('status without Redis says the counters are in the gateway process and exits 1', async () => {
    const { REDIS_URL: _url, TOLLGATE_REDIS_KEY_PREFIX: _prefix, ...withoutRedis } = cli.env;
    const { main } = await import('../../src/cli/main.js');
    let stderr = '';
    const code = await main(['budgets', 'status', randomUUID()], { env: withoutRedis, cwd: withoutRedis.TOLLGATE_DATA_DIR!, stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain('no shared budget store is configured');
  });

  it('help budgets lists every option', async () => {
    const { code, stdout } = await cli.run('help', 'budgets');
    expect(code).toBe(0);
    for (const option of ['--level', '--entity', '--period', '--limit', '--timezone', '--soft', '--thresholds', '--model', '--provider', '--fail-mode', '--default-for', '--json', 'remove <budget id>', 'status <budget id> [--entity <child id>]']) {
      expect(stdout).toContain(option);
    }
  });
});
