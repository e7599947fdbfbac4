import type { KeyContext } from '../auth/key-store.js';
import { usdToAtto, ATTO_PER_NANO } from '../core/money.js';
import { ruleAppliesTo, type BudgetLevel, type BudgetRule, type CounterEntityIds, type FailMode } from './types.js';

/** The columns of a `Budget` row this module reads (a Prisma row fits). */
export interface BudgetRow {
  id: string;
  level: BudgetLevel;
  entityId: string;
  appliesTo: BudgetLevel | null;
  period: BudgetRule['period'];
  timezone: string;
  limitUsd: { toString(): string } | string;
  hard: boolean;
  thresholds: number[];
  modelScope: string | null;
  providerScope: string | null;
  failMode: FailMode | null;
}

/** Levels above each level, most specific first: where inherited defaults come from. */
const ANCESTORS: Record<BudgetLevel, BudgetLevel[]> = {
  key: ['user', 'team', 'project', 'organization'],
  user: ['team', 'project', 'organization'],
  team: ['project', 'organization'],
  project: ['organization'],
  organization: [],
};
const LEVELS: BudgetLevel[] = ['key', 'user', 'team', 'project', 'organization'];

export interface AppliedRules {
  rules: BudgetRule[];
  counterEntityIds: CounterEntityIds;
  /** Picks the Redis hash slot: the organization, or the key itself without one. */
  shardKey: string;
}

/**
 * Every budget in memory, so the hot path asks no database which budgets apply. Rebuilt
 * from the table on start, on a change notice and on a timer (`replace`).
 *
 * Resolution per level: an entity's own budgets when it has any; otherwise the defaults
 * (`appliesTo` = its level) of its nearest ancestor that sets some. The most specific wins,
 * and an own budget always beats a default.
 */
export class BudgetDirectory {
  private own = new Map<string, BudgetRule[]>();
  private defaults = new Map<string, BudgetRule[]>();

  replace(rows: readonly BudgetRow[]): void {
    const own = new Map<string, BudgetRule[]>();
    const defaults = new Map<string, BudgetRule[]>();
    for (const row of rows) {
      const rule = budgetRule(row);
      const map = row.appliesTo ? defaults : own;
      const key = row.appliesTo ? `${row.level}:${row.entityId}>${row.appliesTo}` : `${row.level}:${row.entityId}`;
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    }
    this.own = own;
    this.defaults = defaults;
  }

  rulesFor(key: KeyContext, provider: string, model: string | undefined): AppliedRules {
    const entities: CounterEntityIds = {
      key: key.keyId,
      user: key.userId,
      team: key.teamId,
      project: key.projectId,
      organization: key.organizationId,
    };
    const rules: BudgetRule[] = [];
    for (const level of LEVELS) {
      const entityId = entities[level];
      if (!entityId) continue;
      const chosen = this.own.get(`${level}:${entityId}`) ?? this.inherited(level, entities);
      for (const rule of chosen) if (ruleAppliesTo(rule, model, provider)) rules.push(rule);
    }
    return { rules, counterEntityIds: entities, shardKey: key.organizationId ?? key.keyId };
  }

  /** The entity's own budgets, or the defaults it inherits, for status pages. */
  budgetsOf(level: BudgetLevel, entities: CounterEntityIds): BudgetRule[] {
    const entityId = entities[level];
    if (!entityId) return [];
    return this.own.get(`${level}:${entityId}`) ?? this.inherited(level, entities);
  }

  private inherited(level: BudgetLevel, entities: CounterEntityIds): BudgetRule[] {
    for (const ancestor of ANCESTORS[level]) {
      const ancestorId = entities[ancestor];
      if (!ancestorId) continue;
      const found = this.defaults.get(`${ancestor}:${ancestorId}>${level}`);
      if (found) return found;
    }
    return [];
  }
}

export function budgetRule(row: BudgetRow): BudgetRule {
  const limitNano = usdToAtto(row.limitUsd.toString()) / ATTO_PER_NANO;
  return {
    id: row.id,
    level: row.appliesTo ?? row.level,
    entityId: row.entityId,
    period: row.period,
    timezone: row.timezone,
    limitNano,
    hard: row.hard,
    thresholds: row.thresholds,
    modelScope: row.modelScope ?? undefined,
    providerScope: row.providerScope ?? undefined,
    failMode: row.failMode ?? undefined,
    inheritedFrom: row.appliesTo ? { level: row.level, entityId: row.entityId } : undefined,
  };
}
