/**
 * Reconciliation finds each counter where the gateway keeps it: on the shard of the request's
 * organization (derived, for a key, through its project, team or user, as the auth layer does),
 * or of the key itself when there is no organization; for bound budgets even without ledger
 * rows; for entities the directory tables no longer know. Real PostgreSQL, real Redis store.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetDirectory } from '../../src/budgets/directory.js';
import type { BudgetLevel, BudgetRule } from '../../src/budgets/types.js';
import { attoToNanoCeil, usdToAtto } from '../../src/core/money.js';
import { encodeUsageEvent, type UsageEvent } from '../../src/ledger/event.js';
import { reconcile, type CounterReport } from '../../src/ledger/reconcile.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { makeEvent } from '../support/usage-events.js';

const NOW = new Date();
const id = (): string => randomUUID();
const ORG = id(), PROJECT = id(), TEAM = id(), USER = id();
const KEY_OF = { org: id(), project: id(), team: id(), user: id(), none: id() };

let env: LedgerEnv;

beforeAll(async () => {
  env = await openLedgerEnv();
  const p = env.db.database.prisma;
  await p.organization.create({ data: { id: ORG, name: `org-${ORG}` } });
  await p.project.create({ data: { id: PROJECT, organizationId: ORG, name: 'p' } });
  await p.team.create({ data: { id: TEAM, organizationId: ORG, name: 't' } });
  await p.user.create({ data: { id: USER, organizationId: ORG, name: 'u' } });
  const key = (keyId: string, link: Record<string, string>) =>
    p.apiKey.create({ data: { id: keyId, name: keyId, prefix: 'tg_test', secretHash: `hash-${keyId}`, ...link } });
  await key(KEY_OF.org, { organizationId: ORG });
  await key(KEY_OF.project, { projectId: PROJECT });
  await key(KEY_OF.team, { teamId: TEAM });
  await key(KEY_OF.user, { userId: USER });
  await key(KEY_OF.none, {});
});
afterAll(async () => {
  await env.dispose();
});

function rule(level: BudgetLevel, entityId: string, over: Partial<BudgetRule> = {}): BudgetRule {
  return { id: id(), level, entityId, period: 'daily', timezone: 'UTC', limitNano: 10n ** 12n, hard: true, thresholds: [], ...over };
}

/** Charges `nano` to the rule's counter on `shardKey`, as the gateway's settle does. */
async function charge(r: BudgetRule, shardKey: string, nano: bigint): Promise<void> {
  const settled = await env.store.settle({
    shardKey, requestId: id(), actualNano: nano, rules: [r], counterEntityIds: {}, now: NOW, event: { v: '1' },
  });
  expect(settled.settled).toBe(true);
}

async function ledgerRows(count: number, over: Partial<UsageEvent>): Promise<bigint> {
  const events = Array.from({ length: count }, (_, i) => ({ ...makeEvent(i, { createdAt: NOW }), ...over }));
  expect(await insertWithRecordset(env.db.database.prisma, events)).toBe(count);
  return events.reduce((sum, e) => sum + attoToNanoCeil(usdToAtto(e.costTotalUsd)), 0n);
}

function only(report: { counters: CounterReport[] }, r: BudgetRule): CounterReport {
  const mine = report.counters.filter((c) => c.ruleId === r.id);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

describe('reconcile: where a bound budget without ledger rows keeps its counter', () => {
  it('organization, project, team and user budgets: on the organization\'s shard', async () => {
    const rules = [rule('organization', ORG), rule('project', PROJECT), rule('team', TEAM), rule('user', USER)];
    for (const [i, r] of rules.entries()) await charge(r, ORG, 1000n + BigInt(i));
    const queued = await env.store.usage.length();
    const report = await reconcile({ prisma: env.db.database.prisma, store: env.store, rules, now: NOW });
    for (const [i, r] of rules.entries()) {
      // Found on the right shard, the store's spend is the whole drift: no ledger row yet.
      expect(only(report, r)).toMatchObject({
        counterEntityId: r.entityId, shardKey: ORG, rows: 0, ledgerNano: 0n, ledgerUsd: '0',
        storeNano: 1000n + BigInt(i), driftNano: 1000n + BigInt(i),
      });
    }
    expect(report.drifted).toHaveLength(4);
    // The settled events are still in the queue: the report says how many, as the known gap.
    expect(report.queueLength).toBe(queued);
  });

  it('a key budget: the key\'s own organization, else its project\'s, team\'s or user\'s, else the key itself', async () => {
    const rules = Object.values(KEY_OF).map((keyId) => rule('key', keyId));
    const expectedShard = [ORG, ORG, ORG, ORG, KEY_OF.none];
    for (const [i, r] of rules.entries()) await charge(r, expectedShard[i]!, 7n);
    const report = await reconcile({ prisma: env.db.database.prisma, store: env.store, rules, now: NOW });
    for (const [i, r] of rules.entries()) {
      expect(only(report, r)).toMatchObject({ shardKey: expectedShard[i], rows: 0, storeNano: 7n, driftNano: 7n });
    }
  });

  it('a key that no longer exists: looked up on its own shard', async () => {
    const gone = rule('key', id());
    await charge(gone, gone.entityId, 5n);
    const report = await reconcile({ prisma: env.db.database.prisma, store: env.store, rules: [gone], now: NOW });
    expect(only(report, gone)).toMatchObject({ shardKey: gone.entityId, storeNano: 5n, rows: 0 });
  });
});

describe('reconcile: ledger rows of entities the directory does not know', () => {
  it('a deleted project\'s rows are still summed (no organization to narrow the query by)', async () => {
    const deletedProject = id();
    const r = rule('project', deletedProject);
    const nano = await ledgerRows(3, { projectId: deletedProject, organizationId: ORG });
    await charge(r, ORG, nano);
    const c = only(await reconcile({ prisma: env.db.database.prisma, store: env.store, rules: [r], now: NOW }), r);
    expect(c).toMatchObject({ rows: 3, ledgerNano: nano, storeNano: nano, driftNano: 0n, shardKey: ORG });
  });

  it('rows with no organization count on the key\'s shard, where the gateway counted them', async () => {
    const r = rule('key', KEY_OF.none);
    const nano = await ledgerRows(2, { apiKeyId: KEY_OF.none, organizationId: undefined });
    await charge(r, KEY_OF.none, nano);
    const c = only(await reconcile({ prisma: env.db.database.prisma, store: env.store, rules: [r], now: NOW }), r);
    expect(c).toMatchObject({ rows: 2, shardKey: KEY_OF.none, ledgerNano: nano, storeNano: nano, driftNano: 0n });
  });
});

describe('reconcile --reseed without a probe', () => {
  it('never overwrites a counter that exists at zero: reported present, drift left for a person', async () => {
    const userId = id();
    await env.db.database.prisma.user.create({ data: { id: userId, organizationId: ORG, name: 'zero' } });
    const r = rule('user', userId);
    const nano = await ledgerRows(2, { userId, organizationId: ORG });
    await charge(r, ORG, 0n); // a free request: the counter exists, at 0
    const c = only(
      await reconcile({ prisma: env.db.database.prisma, store: env.store, rules: [r], now: NOW, reseed: true }),
      r,
    );
    expect(c).toMatchObject({ reseeded: false, missing: false, storeNano: 0n, ledgerNano: nano, driftNano: -nano });
    expect((await env.store.status(r, userId, NOW, ORG)).spentNano).toBe(0n);
  });
});

describe('reconcile: inherited defaults over rows with partial hierarchy', () => {
  it('a key default of an organization finds keys whose rows name no team and no organization', async () => {
    const orgless = id();
    const directory = new BudgetDirectory();
    const row = {
      id: id(), level: 'organization' as const, entityId: ORG, appliesTo: 'key' as const, period: 'daily' as const,
      timezone: 'UTC', limitUsd: '1000', hard: true, thresholds: [], modelScope: null, providerScope: null, failMode: null,
    };
    directory.replace([row]);
    const r: BudgetRule = { ...rule('key', ORG), id: row.id, inheritedFrom: { level: 'organization', entityId: ORG } };
    // Rows of one key: organization set (the default's scope), no team, no user, no project.
    const nano = await ledgerRows(2, { apiKeyId: orgless, organizationId: ORG, teamId: undefined, userId: undefined, projectId: undefined });
    await env.store.settle({
      shardKey: ORG, requestId: id(), actualNano: nano, rules: [r], counterEntityIds: { key: orgless }, now: NOW,
      event: encodeUsageEvent(makeEvent(0, { createdAt: NOW })),
    });
    const report = await reconcile({ prisma: env.db.database.prisma, store: env.store, rules: [r], now: NOW, directory });
    const c = report.counters.find((x) => x.counterEntityId === orgless);
    expect(c).toMatchObject({ rows: 2, ledgerNano: nano, storeNano: nano, driftNano: 0n, shardKey: ORG });
  });
});
