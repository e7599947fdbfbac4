/**
 * Reconciliation: do the budget counters agree with the ledger?
 *
 * For every rule and counter entity, in the rule's CURRENT period, the ledger's spend is
 * SUM(CEIL(costTotalUsd * 1e9)) over the rows in the counter's scope: settle charges each
 * request attoToNanoCeil(actual) nano-USD, so rounding each row up, as settle did, is what
 * makes an undisturbed counter and the ledger agree to the nano (a plain SUM would not).
 *
 * Rows in scope: the level's column (apiKeyId, userId, ...) is the counter entity; the
 * provider / requested model match the rule's scope (the model the budget was checked
 * against before the request); createdAt in [periodStart, periodEnd).
 *
 * Known gaps (see the report): events still in the usage queue are counted by the store and
 * not yet by the ledger (drift until the writer catches up: `queueLength` says how many);
 * a request settled on the other side of a period boundary from its createdAt counts in
 * different periods; an inherited default's child with a counter but no ledger row in the
 * period is not found (children are discovered from the ledger).
 */
import type { BudgetDirectory } from '../budgets/directory.js';
import { entityLineage } from '../auth/key-lineage.js';
import { periodWindow, type PeriodWindow } from '../budgets/periods.js';
import type { BudgetLevel, BudgetRule, BudgetStore, CounterEntityIds } from '../budgets/types.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { CounterProbe } from './counter-probe.js';

export const LEVEL_COLUMN: Record<BudgetLevel, string> = {
  key: 'apiKeyId',
  user: 'userId',
  team: 'teamId',
  project: 'projectId',
  organization: 'organizationId',
};

export interface ReconcileOptions {
  prisma: PrismaClient;
  store: BudgetStore;
  rules: readonly BudgetRule[];
  now?: Date;
  /** Seed counters the store has lost with the ledger's sum (never overwrites one). */
  reseed?: boolean;
  /** Tells missing from zero (Redis: `redisCounterProbe`); without it, see `missing`. */
  counterExists?: CounterProbe;
  /** For inherited defaults: keep only children that this rule really applies to. */
  directory?: Pick<BudgetDirectory, 'budgetsOf'>;
}

export interface CounterReport {
  ruleId: string;
  level: BudgetLevel;
  counterEntityId: string;
  shardKey: string;
  periodId: string;
  rows: number;
  /** Exact USD sum of the rows, for people. */
  ledgerUsd: string;
  ledgerNano: bigint;
  storeNano: bigint;
  /** storeNano - ledgerNano: positive when the store counted more. */
  driftNano: bigint;
  /** Undefined when unknown (no probe, and no seed attempt told us). */
  missing: boolean | undefined;
  reseeded: boolean;
}

export interface ReconcileReport {
  counters: CounterReport[];
  drifted: CounterReport[];
  /** Usage events not yet written to the ledger when reconciliation ran. */
  queueLength: number;
}

interface Group {
  entity: string;
  org: string | null;
  rows: number;
  nano: string;
  usd: string;
  apiKeyId: string | null;
  userId: string | null;
  teamId: string | null;
  projectId: string | null;
}

export async function reconcile(opts: ReconcileOptions): Promise<ReconcileReport> {
  const now = opts.now ?? new Date();
  const counters: CounterReport[] = [];
  for (const rule of opts.rules) {
    for (const found of await ledgerCounters(opts.prisma, rule, now, opts.directory)) {
      counters.push(await compare(opts, rule, now, found));
    }
  }
  return {
    counters,
    drifted: counters.filter((c) => c.driftNano !== 0n),
    queueLength: await opts.store.usage.length(),
  };
}

interface FoundCounter {
  entity: string;
  shardKey: string;
  rows: number;
  nano: bigint;
  usd: string;
}

/** One grouped query per rule: the ledger's spend per counter entity in the current period. */
async function ledgerCounters(
  prisma: PrismaClient,
  rule: BudgetRule,
  now: Date,
  directory: ReconcileOptions['directory'],
): Promise<FoundCounter[]> {
  const column = LEVEL_COLUMN[rule.level];
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown, cast = ''): string => `$${params.push(value)}${cast}`;
  if (rule.inheritedFrom) {
    where.push(`"${LEVEL_COLUMN[rule.inheritedFrom.level]}" = ${param(rule.inheritedFrom.entityId)}`, `"${column}" IS NOT NULL`);
  } else {
    where.push(`"${column}" = ${param(rule.entityId)}`);
  }
  // The (organizationId, createdAt) index serves levels that have no index of their own.
  const scopeOwner = rule.inheritedFrom ?? rule;
  if (scopeOwner.level !== 'organization' && scopeOwner.level !== 'key') {
    const org = await organizationOf(prisma, scopeOwner.level, scopeOwner.entityId);
    if (org) where.push(`"organizationId" = ${param(org)}`);
  }
  where.push(...periodAndScope(rule, periodWindow(rule.period, rule.timezone, now), param));
  const sql =
    `SELECT "${column}" AS entity, MIN("organizationId") AS org, COUNT(*)::int AS rows,` +
    ` SUM(CEIL("costTotalUsd" * 1000000000))::text AS nano, SUM("costTotalUsd")::text AS usd,` +
    ` MIN("apiKeyId") AS "apiKeyId", MIN("userId") AS "userId", MIN("teamId") AS "teamId", MIN("projectId") AS "projectId"` +
    ` FROM "UsageRecord" WHERE ${where.join(' AND ')} GROUP BY "${column}"`;
  const groups = await prisma.$queryRawUnsafe<Group[]>(sql, ...params);

  const found: FoundCounter[] = [];
  for (const g of groups) {
    if (rule.inheritedFrom && directory && !appliesToChild(rule, g, directory)) continue;
    found.push({ entity: g.entity, shardKey: g.org ?? g.apiKeyId ?? g.entity, rows: g.rows, nano: BigInt(g.nano), usd: trimZeros(g.usd) });
  }
  if (!rule.inheritedFrom && found.length === 0) {
    // A bound entity always has its counter, even with no traffic this period.
    const org = await organizationOf(prisma, rule.level, rule.entityId);
    found.push({ entity: rule.entityId, shardKey: org ?? rule.entityId, rows: 0, nano: 0n, usd: '0' });
  }
  return found;
}

async function compare(opts: ReconcileOptions, rule: BudgetRule, now: Date, found: FoundCounter): Promise<CounterReport> {
  const { store } = opts;
  const status = await store.status(rule, found.entity, now, found.shardKey);
  const ref = { shardKey: found.shardKey, rule, counterEntityId: found.entity, periodId: status.periodId };
  let missing = opts.counterExists ? !(await opts.counterExists(ref)) : undefined;
  let reseeded = false;
  // Without a probe a zero is possibly a missing counter: seedSpent is SET NX, so trying is
  // safe, and its answer tells us which it was.
  if (opts.reseed && found.nano > 0n && (missing ?? status.spentNano === 0n)) {
    reseeded = await store.seedSpent(rule, found.entity, status.periodId, found.nano, found.shardKey, now);
    missing = reseeded || (missing ?? false);
  }
  return {
    ruleId: rule.id,
    level: rule.level,
    counterEntityId: found.entity,
    shardKey: found.shardKey,
    periodId: status.periodId,
    rows: found.rows,
    ledgerUsd: found.usd,
    ledgerNano: found.nano,
    storeNano: status.spentNano,
    driftNano: status.spentNano - found.nano,
    missing,
    reseeded,
  };
}

/** The rows of a rule's period (createdAt in its window) and model/provider scope. */
export function periodAndScope(rule: BudgetRule, window: PeriodWindow, param: (value: unknown, cast?: string) => string): string[] {
  const where: string[] = [];
  // ISO strings with Z cast to TIMESTAMP keep the UTC wall clock, as Prisma stores DateTime.
  if (window.start) where.push(`"createdAt" >= ${param(window.start.toISOString(), '::timestamp')}`);
  if (window.end) where.push(`"createdAt" < ${param(window.end.toISOString(), '::timestamp')}`);
  if (rule.providerScope !== undefined) where.push(`"provider" = ${param(rule.providerScope)}`);
  if (rule.modelScope !== undefined) where.push(`"requestedModel" = ${param(rule.modelScope)}`);
  return where;
}

/** Whether the directory resolves this inherited default for the child of a ledger group. */
function appliesToChild(rule: BudgetRule, g: Group, directory: Pick<BudgetDirectory, 'budgetsOf'>): boolean {
  const entities: CounterEntityIds = {
    key: g.apiKeyId ?? undefined,
    user: g.userId ?? undefined,
    team: g.teamId ?? undefined,
    project: g.projectId ?? undefined,
    organization: g.org ?? undefined,
  };
  entities[rule.level] = g.entity;
  return directory.budgetsOf(rule.level, entities).some((r) => r.id === rule.id);
}

/** The organization of an entity, as the auth layer derives it for a request. */
async function organizationOf(prisma: PrismaClient, level: BudgetLevel, id: string): Promise<string | undefined> {
  return (await entityLineage(prisma, level, id))?.organization;
}

function trimZeros(decimal: string | null): string {
  if (!decimal) return '0';
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}
