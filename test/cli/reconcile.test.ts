/**
 * `tollgate reconcile` against a real database and the real Redis (random key prefix):
 * ledger rows inserted with Prisma, the same costs settled through a RedisBudgetStore on the
 * CLI's prefix, then counters disturbed by hand.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetRule } from '../../src/budgets/directory.js';
import { counterKey, shardBase, streamKey } from '../../src/budgets/keys.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { attoToNanoCeil, usdToAtto } from '../../src/core/money.js';
import { main } from '../../src/cli/main.js';
import { REDIS_URL } from '../support/ledger-env.js';
import { openCliEnv, type CliEnv } from './cli-env.js';

let cli: CliEnv;
let orgId: string, teamId: string, userId: string, orgBudget: string, userDefault: string;
// Odd amounts, so per-request rounding up to whole nano-USD matters (settle rounds each up).
const COSTS = ['0.0012345678912', '0.5', '0.000000000000000001'];
const LEDGER_USD = '0.501234567891200001';
const COUNTER_USD = '0.501234569';

const counter = (ruleId: string, entity: string) => counterKey(shardBase(cli.prefix!, orgId), ruleId, entity, 'total');

beforeAll(async () => {
  cli = await openCliEnv({ redis: true });
  orgId = (await cli.run('org', 'create', '--name', 'acme', '--quiet')).stdout.trim();
  teamId = (await cli.run('team', 'create', '--org', orgId, '--name', 'ranking', '--quiet')).stdout.trim();
  userId = (await cli.run('user', 'create', '--org', orgId, '--team', teamId, '--name', 'ada', '--quiet')).stdout.trim();
  orgBudget = (await cli.run('budgets', 'set', '--level', 'organization', '--entity', orgId, '--period', 'total', '--limit', '100', '--quiet')).stdout.trim();
  userDefault = (await cli.run('budgets', 'set', '--level', 'team', '--entity', teamId, '--default-for', 'user', '--period', 'total', '--limit', '10', '--quiet')).stdout.trim();

  const prisma = cli.database.database.prisma;
  const rules = (await prisma.budget.findMany()).map(budgetRule);
  const store = new RedisBudgetStore({ url: REDIS_URL, keyPrefix: cli.prefix });
  try {
    for (const [i, cost] of COSTS.entries()) {
      const requestId = `req-rec-${i}-${randomUUID()}`;
      await prisma.usageRecord.create({
        data: { requestId, organizationId: orgId, teamId, userId, provider: 'openai', requestedModel: 'gpt-4o', endpoint: '/v1/chat/completions', stream: false, status: 200, costTotalUsd: cost, priceSource: 'builtin', costSource: 'computed', latencyMs: 100 },
      });
      const settled = await store.settle({
        shardKey: orgId, requestId, rules, counterEntityIds: { organization: orgId, team: teamId, user: userId },
        actualNano: attoToNanoCeil(usdToAtto(cost)), now: new Date(), event: { requestId },
      });
      expect(settled.settled).toBe(true);
    }
  } finally {
    await store.close();
  }
  // The events settle queued are already in the ledger (inserted above): drop the stream so the
  // report does not count them as pending.
  await cli.redis!.del(streamKey(shardBase(cli.prefix!, orgId)));
});
afterAll(async () => cli?.dispose());

describe('tollgate reconcile', () => {
  it('exits 0 when every counter matches the ledger, printing exact sums', async () => {
    const result = await cli.run('reconcile');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const escaped = (s: string) => s.replace(/[.$]/g, '\\$&');
    expect(result.stdout).toMatch(new RegExp(`${orgBudget}\\s+organization\\s+${orgId}\\s+total\\s+3\\s+${escaped(`$${LEDGER_USD}`)}\\s+${escaped(`$${COUNTER_USD}`)}\\s+\\$0\\s+ok`));
    expect(result.stdout).toMatch(new RegExp(`${userDefault}\\s+user\\s+${userId}\\s+total\\s+3\\s+`));
    expect(result.stdout).toContain('2 counters checked, 0 drifted.');
    const json = JSON.parse((await cli.run('reconcile', '--json')).stdout);
    expect(json).toMatchObject({ ok: true, checked: 2, drifted: 0, queueLength: 0 });
    expect(json.counters[0]).toMatchObject({ ledgerUsd: LEDGER_USD, storeUsd: COUNTER_USD, driftUsd: '0', ledgerNano: '501234569' });
  });

  it('exits 1 and prints the drift after a counter is changed by hand', async () => {
    const key = counter(orgBudget, orgId);
    await cli.redis!.incrby(key, 7);
    try {
      const result = await cli.run('reconcile');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`${orgBudget}\\s+organization\\s+.*\\$0\\.501234576\\s+\\$0\\.000000007\\s+drift\\n`));
      expect(result.stdout).toContain('2 counters checked, 1 drifted.');
      const json = JSON.parse((await cli.run('reconcile', '--json')).stdout);
      expect(json).toMatchObject({ ok: false, drifted: 1 });
    } finally {
      await cli.redis!.decrby(key, 7);
    }
    expect((await cli.run('reconcile')).code).toBe(0);
  });

  it('--reseed rebuilds a lost counter from the ledger (exit 1 for the drift found); the next run exits 0', async () => {
    const key = counter(userDefault, userId);
    expect(await cli.redis!.del(key)).toBe(1);
    const plain = await cli.run('reconcile');
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/\$-?0\.501234569\s+drift \(counter missing\)\n/);
    expect(await cli.redis!.exists(key)).toBe(0); // without --reseed nothing is written

    const reseeded = await cli.run('reconcile', '--reseed');
    expect(reseeded.code).toBe(1);
    expect(reseeded.stdout).toMatch(/reseeded\n/);
    expect(reseeded.stdout).toContain('2 counters checked, 1 drifted, 1 reseeded from the ledger.');
    expect(await cli.redis!.get(key)).toBe('501234569');
    expect((await cli.run('reconcile')).code).toBe(0);
  });

  it('without Redis it says the counters live in the gateway process and exits 1', async () => {
    const { REDIS_URL: _url, TOLLGATE_REDIS_KEY_PREFIX: _prefix, ...env } = cli.env;
    let stderr = '';
    const code = await main(['reconcile'], { env, cwd: env.TOLLGATE_DATA_DIR!, stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(1);
    expect(stderr).toContain('no shared budget store is configured');
  });

  it('wrong usage exits 2; help reconcile lists its options', async () => {
    expect((await cli.run('reconcile', '--force')).code).toBe(2);
    const { code, stdout } = await cli.run('help', 'reconcile');
    expect(code).toBe(0);
    expect(stdout).toContain('tollgate reconcile [--reseed] [--json]');
    expect(stdout).toContain('0 no drift, 1 drift found');
  });
});
