/**
 * Budget status for the analytics API, the dashboard and the velocity alert: every counter
 * (a bound budget, or each child of an inherited default that has spent this period) with
 * limit, spent, reserved, remaining, utilization, reset time and projection; and, per entity,
 * the spend of the levels below it.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { entityAncestry } from '../admin/effective-budgets.js';
import { budgetRule, type BudgetDirectory } from '../budgets/directory.js';
import { periodWindow, type PeriodWindow } from '../budgets/periods.js';
import type { BudgetLevel, BudgetRule, BudgetStatus, BudgetStore, CounterEntityIds } from '../budgets/types.js';
import { nanoToUsd } from '../core/money.js';
import { LEVEL_COLUMN } from '../ledger/reconcile.js';
import { namesOf } from './names.js';
import { project, type Projection } from './projection.js';
import { measuresOf, runRollupQuery, trimUsd, type Filters } from './sql.js';

export interface StatusDeps {
  prisma: PrismaClient;
  store: BudgetStore;
  directory: BudgetDirectory;
}

/** One live counter, before it is shown. */
export interface Counter {
  rule: BudgetRule;
  entityId: string;
  shardKey: string | undefined;
  status: BudgetStatus;
  window: PeriodWindow;
  projection: Projection;
}

const CHILDREN_PER_DEFAULT = 500;
const BELOW: Record<BudgetLevel, BudgetLevel[]> = {
  organization: ['project', 'team', 'user', 'key'],
  project: ['team', 'user', 'key'],
  team: ['user', 'key'],
  user: ['key'],
  key: [],
};
const FILTER_OF: Record<BudgetLevel, keyof Filters> = {
  organization: 'organizationId',
  project: 'projectId',
  team: 'teamId',
  user: 'userId',
  key: 'apiKeyId',
};

export const percentOf = (part: bigint, whole: bigint): number | null => (whole <= 0n ? null : Number((part * 10_000n) / whole) / 100);

async function counter(store: BudgetStore, rule: BudgetRule, entityId: string, shardKey: string | undefined, now: Date): Promise<Counter> {
  const status = await store.status(rule, entityId, now, shardKey);
  const window = periodWindow(rule.period, rule.timezone, now);
  return { rule, entityId, shardKey, status, window, projection: project(status.spentNano, status.limitNano, window, now) };
}

/** The organization each bound budget's counter is sharded by (see BudgetStore.status). */
async function shardKeys(prisma: PrismaClient, rows: Array<{ level: BudgetLevel; entityId: string }>): Promise<Map<string, string | undefined>> {
  const ids = (level: BudgetLevel) => rows.filter((r) => r.level === level).map((r) => r.entityId);
  const [projects, teams, users] = await Promise.all([
    prisma.project.findMany({ where: { id: { in: ids('project') } }, select: { id: true, organizationId: true } }),
    prisma.team.findMany({ where: { id: { in: ids('team') } }, select: { id: true, organizationId: true } }),
    prisma.user.findMany({ where: { id: { in: ids('user') } }, select: { id: true, organizationId: true } }),
  ]);
  const out = new Map<string, string | undefined>();
  for (const id of ids('organization')) out.set(`organization:${id}`, id);
  for (const [level, list] of [['project', projects], ['team', teams], ['user', users]] as const) for (const r of list) out.set(`${level}:${r.id}`, r.organizationId);
  for (const id of ids('key')) {
    const entities = await entityAncestry(prisma, 'key', id).catch(() => undefined);
    out.set(`key:${id}`, entities ? (entities.organization ?? id) : undefined);
  }
  return out;
}

/** Children of an inherited default that spent in (about) this period, from the daily rollup. */
async function defaultChildren(deps: StatusDeps, rule: BudgetRule, now: Date): Promise<Array<{ entityId: string; shardKey: string }>> {
  const parent = rule.inheritedFrom!;
  const column = `"${LEVEL_COLUMN[rule.level]}"`;
  const window = periodWindow(rule.period, rule.timezone, now);
  const since = window.start ? new Date(Math.floor(window.start.getTime() / 86_400_000) * 86_400_000) : new Date(0);
  const rows = await deps.prisma.$queryRawUnsafe<Array<Record<string, string>>>(
    `SELECT ${column} AS child, max("organizationId") AS organization, max("projectId") AS project, max("teamId") AS team,
            max("userId") AS "user", max("apiKeyId") AS key
       FROM "UsageDaily" WHERE "${LEVEL_COLUMN[parent.level]}" = $1 AND ${column} <> '' AND day >= $2::timestamp
      GROUP BY 1 ORDER BY sum("costTotalUsd") DESC LIMIT ${CHILDREN_PER_DEFAULT}`,
    parent.entityId,
    since.toISOString(),
  );
  const out: Array<{ entityId: string; shardKey: string }> = [];
  for (const row of rows) {
    const entities: CounterEntityIds = {};
    for (const level of ['organization', 'project', 'team', 'user', 'key'] as const) if (row[level]) entities[level] = row[level];
    entities[rule.level] = row.child;
    // Only children this default really binds (an own budget replaces it).
    if (!deps.directory.budgetsOf(rule.level, entities).some((r) => r.id === rule.id)) continue;
    out.push({ entityId: row.child!, shardKey: entities.organization ?? entities.key ?? row.child! });
  }
  return out;
}

/** Every live counter: bound budgets, and the spending children of each default. */
export async function allCounters(deps: StatusDeps, now = new Date()): Promise<Counter[]> {
  const rows = await deps.prisma.budget.findMany({ orderBy: { createdAt: 'asc' } });
  const bound = rows.filter((r) => !r.appliesTo);
  const shards = await shardKeys(deps.prisma, bound);
  const work: Array<Promise<Counter[]>> = bound.map(async (row) => [await counter(deps.store, budgetRule(row), row.entityId, shards.get(`${row.level}:${row.entityId}`), now)]);
  for (const row of rows.filter((r) => r.appliesTo)) {
    const rule = budgetRule(row);
    work.push(defaultChildren(deps, rule, now).then((children) => Promise.all(children.map((c) => counter(deps.store, rule, c.entityId, c.shardKey, now)))));
  }
  return (await Promise.all(work)).flat();
}

/** A counter as the API shows it: USD strings, percentages, ISO times. */
export function present(c: Counter, name?: string) {
  const { status, rule, projection } = c;
  const remaining = status.remainingNano < 0n ? 0n : status.remainingNano;
  return {
    budgetId: rule.id,
    level: rule.level,
    entityId: c.entityId,
    entityName: name ?? null,
    source: rule.inheritedFrom ? 'inherited' : 'own',
    inheritedFrom: rule.inheritedFrom ?? null,
    period: rule.period,
    periodId: status.periodId,
    timezone: rule.timezone,
    hard: rule.hard,
    thresholds: rule.thresholds,
    scope: { model: rule.modelScope ?? null, provider: rule.providerScope ?? null },
    limitUsd: nanoToUsd(status.limitNano),
    spentUsd: nanoToUsd(status.spentNano),
    reservedUsd: nanoToUsd(status.reservedNano),
    remainingUsd: nanoToUsd(remaining),
    utilizationPercent: percentOf(status.spentNano, status.limitNano),
    resetsAt: status.resetAt?.toISOString() ?? null,
    projectedSpendUsd: projection.projectedNano === null ? null : nanoToUsd(projection.projectedNano),
    projectedUtilizationPercent: projection.projectedNano === null ? null : percentOf(projection.projectedNano, status.limitNano),
    exhaustsAt: projection.exhaustsAt?.toISOString() ?? null,
    runsOutBeforeReset: projection.exhaustsAt !== null,
  };
}

export async function presentAll(prisma: PrismaClient, counters: Counter[]) {
  const names = new Map<string, string>();
  for (const level of ['organization', 'project', 'team', 'user', 'key'] as const) {
    const found = await namesOf(prisma, level, counters.filter((c) => c.rule.level === level).map((c) => c.entityId));
    for (const [id, name] of found) names.set(`${level}:${id}`, name);
  }
  return counters.map((c) => present(c, names.get(`${c.rule.level}:${c.entityId}`)));
}

/**
 * One entity's status: its budgets (own or inherited) with projections, and the spend of each
 * level below it in the period of its first budget (the current UTC month without one).
 */
export async function entityStatus(deps: StatusDeps, level: BudgetLevel, id: string, now = new Date()) {
  const entities = await entityAncestry(deps.prisma, level, id);
  const shardKey = entities.organization ?? entities.key;
  const rules = deps.directory.budgetsOf(level, entities);
  const counters = await Promise.all(rules.map((rule) => counter(deps.store, rule, id, shardKey, now)));
  const [name] = [...(await namesOf(deps.prisma, level, [id])).values()];
  const window = counters[0]?.window.start ? counters[0].window : { id: 'month', start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), end: null };
  const range = { from: window.start!, to: now };
  const children: Record<string, unknown[]> = {};
  const totals = measuresOf((await runRollupQuery(deps.prisma, { range, filters: { [FILTER_OF[level]]: id } }))[0] ?? {});
  for (const below of BELOW[level]) {
    const rows = await runRollupQuery(deps.prisma, {
      range,
      filters: { [FILTER_OF[level]]: id },
      keys: { key: `"${LEVEL_COLUMN[below]}"` },
      orderBy: '"costTotalUsd" DESC',
      limit: 100,
    });
    const names = await namesOf(deps.prisma, below, rows.map((r) => String(r.key)));
    children[below] = rows.map((r) => ({
      id: r.key === '' ? null : r.key,
      name: r.key === '' ? `(no ${below})` : (names.get(String(r.key)) ?? r.key),
      requests: Number(r.requests),
      spentUsd: trimUsd(r.costTotalUsd as string),
    }));
  }
  return {
    entity: { level, id, name: name ?? null, ancestors: entities },
    budgets: counters.map((c) => present(c, name)),
    period: { from: range.from.toISOString(), to: now.toISOString(), source: counters[0]?.window.start ? counters[0].status.periodId : 'current UTC month' },
    spend: totals,
    children,
  };
}
