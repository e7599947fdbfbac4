/**
 * Reconciliation against real traffic: requests settled through the real Redis budget store
 * (rules resolved by the real BudgetDirectory), written by the ledger writer into a real
 * database, then counters compared with the ledger.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyContext } from '../../src/auth/key-store.js';
import { BudgetDirectory, type BudgetRow } from '../../src/budgets/directory.js';
import { counterKey, shardBase } from '../../src/budgets/keys.js';
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import { periodWindow } from '../../src/budgets/periods.js';
import type { BudgetRule } from '../../src/budgets/types.js';
import { attoToNanoCeil, attoToUsd } from '../../src/core/money.js';
import { redisCounterProbe } from '../../src/ledger/counter-probe.js';
import { encodeUsageEvent } from '../../src/ledger/event.js';
import { reconcile, type CounterReport } from '../../src/ledger/reconcile.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import { openLedgerEnv, type LedgerEnv } from '../support/ledger-env.js';
import { makeEvent } from '../support/usage-events.js';

const NOW = new Date();
const id = (): string => randomUUID();
const ORG = id(), PROJECT = id(), TEAM = id(), U1 = id(), U2 = id(), K1 = id(), K2 = id(), K3 = id();

function budget(over: Partial<BudgetRow> & Pick<BudgetRow, 'level' | 'entityId' | 'period'>): BudgetRow {
  return {
    id: id(),
    appliesTo: null,
    timezone: 'UTC',
    limitUsd: '1000',
    hard: true,
    thresholds: [],
    modelScope: null,
    providerScope: null,
    failMode: null,
    ...over,
  };
}

const ROWS = {
  org: budget({ level: 'organization', entityId: ORG, period: 'monthly' }),
  teamScoped: budget({ level: 'team', entityId: TEAM, period: 'daily', providerScope: 'openai', modelScope: 'gpt-4o' }),
  user: budget({ level: 'user', entityId: U1, period: 'weekly', timezone: 'America/New_York' }),
  keyDefault: budget({ level: 'organization', entityId: ORG, appliesTo: 'key', period: 'daily' }),
  k3: budget({ level: 'key', entityId: K3, period: 'total' }),
};
const directory = new BudgetDirectory();
directory.replace(Object.values(ROWS));

function keyContext(keyId: string, userId?: string): KeyContext {
  return { keyId, name: keyId, prefix: 'tg_x', organizationId: ORG, projectId: PROJECT, teamId: TEAM, userId, allowedModels: [], allowedProviders: [] };
}
const KEYS = [keyContext(K1, U1), keyContext(K2, U2), keyContext(K3)];

/** Every rule a counter exists for (the directory's own resolution, over all keys). */
function allRules(): BudgetRule[] {
  const byId = new Map<string, BudgetRule>();
  for (const key of KEYS) for (const r of directory.rulesFor(key, 'openai', 'gpt-4o').rules) byId.set(r.id, r);
  return [...byId.values()];
}

let env: LedgerEnv;

beforeAll(async () => {
  env = await openLedgerEnv();
  const p = env.db.database.prisma;
  await p.organization.create({ data: { id: ORG, name: `org-${ORG}` } });
  await p.project.create({ data: { id: PROJECT, organizationId: ORG, name: 'p' } });
  await p.team.create({ data: { id: TEAM, organizationId: ORG, projectId: PROJECT, name: 't' } });
  await p.user.createMany({ data: [U1, U2].map((u) => ({ id: u, organizationId: ORG, teamId: TEAM, name: u })) });

  // 90 requests over three keys, two providers and two models, with odd atto costs so that
  // per-request rounding up to nano matters.
  for (let i = 0; i < 90; i++) {
    const key = KEYS[i % 3]!;
    const provider = i % 4 === 0 ? 'gemini' : 'openai';
    const model = i % 5 < 3 ? 'gpt-4o' : 'gpt-4o-mini';
    const atto = 1_234_567_891_234n * BigInt(1 + (i % 17)) + BigInt(i);
    const applied = directory.rulesFor(key, provider, model);
    const event = {
      ...makeEvent(i, { prefix: 'rec', createdAt: NOW }),
      apiKeyId: key.keyId, userId: key.userId, teamId: key.teamId, projectId: key.projectId, organizationId: key.organizationId,
      provider, requestedModel: model, costTotalUsd: attoToUsd(atto),
    };
    const settled = await env.store.settle({
      ...applied, requestId: event.requestId, actualNano: attoToNanoCeil(atto), now: NOW, event: encodeUsageEvent(event),
    });
    expect(settled.settled).toBe(true);
  }
  const writer = new LedgerWriter({ prisma: p, queue: env.store.usage, deadLetters: env.deadLetters });
  while ((await writer.flushOnce()) > 0);
  expect(await env.rowCount()).toBe(90);
});
afterAll(async () => {
  await env.dispose();
});

function find(report: { counters: CounterReport[] }, row: BudgetRow, entity: string): CounterReport {
  const c = report.counters.find((x) => x.ruleId === row.id && x.counterEntityId === entity);
  if (!c) throw new Error(`no counter for ${row.id}/${entity}`);
  return c;
}

function redisCounterKey(row: BudgetRow, entity: string): string {
  const rule = allRules().find((r) => r.id === row.id)!;
  return counterKey(shardBase(env.prefix, ORG), rule.id, entity, periodWindow(rule.period, rule.timezone, NOW).id);
}

const run = (extra: { reseed?: boolean } = {}) =>
  reconcile({
    prisma: env.db.database.prisma,
    store: env.store,
    rules: allRules(),
    now: NOW,
    directory,
    counterExists: redisCounterProbe(env.redis, env.prefix),
    ...extra,
  });

describe('reconcile', () => {
  it('finds zero drift after consistent traffic, on every counter', async () => {
    const report = await run();
    const names = report.counters.map((c) => `${c.ruleId}/${c.counterEntityId}`).sort();
    // The key default counts per key, except K3 which has its own budget.
    expect(names).toEqual(
      [`${ROWS.org.id}/${ORG}`, `${ROWS.teamScoped.id}/${TEAM}`, `${ROWS.user.id}/${U1}`, `${ROWS.keyDefault.id}/${K1}`, `${ROWS.keyDefault.id}/${K2}`, `${ROWS.k3.id}/${K3}`].sort(),
    );
    for (const c of report.counters) {
      expect(c.rows).toBeGreaterThan(0);
      expect(c.ledgerNano).toBeGreaterThan(0n);
      expect(c.missing).toBe(false);
    }
    expect(report.drifted).toEqual([]);
    expect(report.queueLength).toBe(0);
    // The scoped rule only counts openai + gpt-4o: i % 4 != 0 and i % 5 < 3 of 90 requests.
    const scoped = Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 4 !== 0 && i % 5 < 3).length;
    expect(find(report, ROWS.teamScoped, TEAM).rows).toBe(scoped);
    expect(find(report, ROWS.org, ORG).rows).toBe(90);
  });

  it('reports drift after a counter was changed by hand', async () => {
    const key = redisCounterKey(ROWS.user, U1);
    await env.redis.incrby(key, 777);
    try {
      const report = await run();
      expect(report.drifted).toHaveLength(1);
      expect(report.drifted[0]).toMatchObject({ ruleId: ROWS.user.id, counterEntityId: U1, driftNano: 777n, missing: false });
    } finally {
      await env.redis.decrby(key, 777);
    }
  });

  it('reports a deleted counter as missing, and reseeds it to the ledger sum', async () => {
    await env.redis.del(redisCounterKey(ROWS.keyDefault, K2));
    const seen = find(await run(), ROWS.keyDefault, K2);
    expect(seen).toMatchObject({ missing: true, storeNano: 0n, reseeded: false });
    expect(seen.driftNano).toBe(-seen.ledgerNano);

    const fixed = find(await run({ reseed: true }), ROWS.keyDefault, K2);
    expect(fixed).toMatchObject({ missing: true, reseeded: true });
    const rule = allRules().find((r) => r.id === ROWS.keyDefault.id)!;
    const status = await env.store.status(rule, K2, NOW, ORG);
    expect(status.spentNano).toBe(seen.ledgerNano);

    const after = await run({ reseed: true });
    expect(after.drifted).toEqual([]);
    expect(after.counters.some((c) => c.reseeded)).toBe(false); // never seeds over a counter
  });

  it('rebuilds every counter of a store that lost them all (in-process store, no probe)', async () => {
    const fresh = new MemoryBudgetStore();
    const base = { prisma: env.db.database.prisma, store: fresh, rules: allRules(), now: NOW, directory };
    const lost = await reconcile(base);
    expect(lost.drifted).toHaveLength(6);
    for (const c of lost.counters) expect(c.missing).toBeUndefined(); // cannot tell without a probe
    const seeded = await reconcile({ ...base, reseed: true });
    for (const c of seeded.counters) expect(c).toMatchObject({ reseeded: true, missing: true });
    expect((await reconcile(base)).drifted).toEqual([]);
  });
});
