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
 * Resolution per level and scope: see `budgetsOf`.
 */
export class BudgetDirectory {
  private own = new Map<string, BudgetRule[]>();
  private defaults = new Map<string, BudgetRule[]>();
  private byId = new Map<string, BudgetRule>();

  /** A budget by id (own or default), as the reservation used it; undefined once deleted. */
  rule(id: string): BudgetRule | undefined {
    return this.byId.get(id);
  }

  replace(rows: readonly BudgetRow[]): void {
    const own = new Map<string, BudgetRule[]>();
    const defaults = new Map<string, BudgetRule[]>();
    const byId = new Map<string, BudgetRule>();
    for (const row of rows) {
      const rule = budgetRule(row);
      byId.set(rule.id, rule);
      const map = row.appliesTo ? defaults : own;
      const key = row.appliesTo ? `${row.level}:${row.entityId}>${row.appliesTo}` : `${row.level}:${row.entityId}`;
      const list = map.get(key);
      if (list) list.push(rule);
      else map.set(key, [rule]);
    }
    this.own = own;
    this.defaults = defaults;
    this.byId = byId;
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
      if (!entities[level]) continue;
      for (const rule of this.budgetsOf(level, entities)) if (ruleAppliesTo(rule, model, provider)) rules.push(rule);
    }
    return { rules, counterEntityIds: entities, shardKey: key.organizationId ?? key.keyId };
  }

  /**
   * The budgets binding one entity: its own, plus the defaults it inherits for every scope
   * (all models, one model, one provider) it has no budget of its own for. Per scope, the
   * entity's own budgets beat any default, and the nearest ancestor's default beats a farther
   * one's: a user's own gpt-5 budget replaces an inherited gpt-5 default, never the inherited
   * all-models one.
   */
  budgetsOf(level: BudgetLevel, entities: CounterEntityIds): BudgetRule[] {
    const entityId = entities[level];
    if (!entityId) return [];
    const own = this.own.get(`${level}:${entityId}`) ?? [];
    const candidates = ANCESTORS[level].flatMap((ancestor) => {
      const ancestorId = entities[ancestor];
      const found = ancestorId ? this.defaults.get(`${ancestor}:${ancestorId}>${level}`) : undefined;
      return found ? [found] : [];
    });
    if (candidates.length === 0) return own;
    const covered = new Set(own.map(scopeOf));
    const rules = [...own];
    for (const defaults of candidates) {
      const fresh = defaults.filter((rule) => !covered.has(scopeOf(rule)));
      rules.push(...fresh);
      for (const rule of fresh) covered.add(scopeOf(rule));
    }
    return rules;
  }

}

/** What a budget covers: all traffic, one provider, one model, or one model of one provider. */
function scopeOf(rule: BudgetRule): string {
  return `${rule.providerScope ?? '*'}/${rule.modelScope ?? '*'}`;
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
