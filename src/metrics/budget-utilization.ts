/**
 * Budget utilization as bounded gauges: per budget LEVEL (key, user, team, project,
 * organization), never per entity, since key, user and team ids must not become labels. This
 * process remembers the keys of its recent calls (bounded), and every sample reads the live
 * counters of the budgets that apply to them (bounded) from the budget store, off the request
 * path. Budgets an operator opts in (`metrics.budgetGauges`, capped by the config schema) also
 * get a series of their own, labelled with the budget's id.
 */
import type { KeyContext } from '../auth/key-store.js';
import { budgetRule, type BudgetDirectory, type BudgetRow } from '../budgets/directory.js';
import { BUDGET_LEVELS, type BudgetLevel, type BudgetRule, type BudgetStatus, type BudgetStore, type CounterEntityIds } from '../budgets/types.js';
import type { Metrics } from './definitions.js';

export interface OptedInBudgets {
  ids: readonly string[];
  /** The rows of those budgets that exist (read at each sample: budgets change at run time). */
  rows(ids: readonly string[]): Promise<BudgetRow[]>;
}

export interface UtilizationDeps {
  directory: BudgetDirectory;
  store: BudgetStore;
  metrics: Pick<Metrics, 'budgetUtilization' | 'budgetsExhausted' | 'budgetsTracked' | 'budgetUtilizationOptedIn'>;
  /** Budgets exported one series each; none by default. */
  optedIn?: OptedInBudgets;
  /** Most keys remembered (default 500); further keys are not sampled until one is forgotten. */
  maxKeys?: number;
  /** Most budget counters read per sample (default 200). */
  maxCounters?: number;
  /** A key idle this long is forgotten (default 1 h). */
  idleMs?: number;
}

interface Counter {
  rule: BudgetRule;
  entityId: string;
  shardKey: string;
}

export class BudgetUtilization {
  private readonly recent = new Map<string, { key: KeyContext; seenAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** budget id → budget_level of the opted-in series published last, to remove deleted budgets'. */
  private published = new Map<string, BudgetLevel>();

  constructor(private readonly deps: UtilizationDeps) {
    // Every level exported from the start, at 0, until the first sample says otherwise.
    this.publish(new Map(BUDGET_LEVELS.map((level) => [level, { max: 0, exhausted: 0, tracked: 0 }])));
  }

  /** On the request path (after settle): one Map lookup. */
  touch(key: KeyContext, now = Date.now()): void {
    const entry = this.recent.get(key.keyId);
    if (entry) {
      entry.seenAt = now;
      entry.key = key;
    } else if (this.recent.size < (this.deps.maxKeys ?? 500)) {
      this.recent.set(key.keyId, { key, seenAt: now });
    }
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => void this.sample().catch(() => {}), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the counters and sets the gauges; gauges keep their last value if the store is away. */
  async sample(now = new Date()): Promise<void> {
    const counters = this.counters(now.getTime());
    const stats = new Map<BudgetLevel, { max: number; exhausted: number; tracked: number }>(BUDGET_LEVELS.map((level) => [level, { max: 0, exhausted: 0, tracked: 0 }]));
    const optedIn = new Set(this.deps.optedIn?.ids ?? []);
    /** Opted-in defaults: the highest utilization among their children seen here. */
    const defaults = new Map<string, number>();
    for (const { rule, entityId, shardKey } of counters) {
      // One small read each; sequential, so a sample never floods the store.
      const status = await this.deps.store.status(rule, entityId, now, shardKey);
      const used = utilization(status);
      const level = stats.get(rule.level)!;
      level.tracked += 1;
      level.max = Math.max(level.max, used);
      if (status.spentNano >= status.limitNano) level.exhausted += 1;
      if (rule.inheritedFrom && optedIn.has(rule.id)) defaults.set(rule.id, Math.max(defaults.get(rule.id) ?? 0, used));
    }
    this.publish(stats);
    if (optedIn.size > 0) await this.sampleOptedIn(now, defaults);
  }

  /**
   * One series per opted-in budget that exists. An own budget has one counter, read whether or
   * not this process served it lately; a default has one per child, and only the children of
   * recent calls are known here (their highest is published, 0 when none).
   */
  private async sampleOptedIn(now: Date, defaults: ReadonlyMap<string, number>): Promise<void> {
    const { optedIn, store, metrics } = this.deps;
    const rows = await optedIn!.rows(optedIn!.ids);
    const next = new Map<string, BudgetLevel>();
    for (const row of rows) {
      const rule = budgetRule(row);
      let used = defaults.get(rule.id) ?? 0;
      if (!rule.inheritedFrom) {
        // An organization's counters live in its own shard; other entities' shard is their
        // organization, unknown here, so every shard is read (exact: a counter lives in one).
        used = utilization(await store.status(rule, rule.entityId, now, rule.level === 'organization' ? rule.entityId : undefined));
      }
      metrics.budgetUtilizationOptedIn.labels(rule.id, rule.level).set(used);
      next.set(rule.id, rule.level);
    }
    for (const [id, level] of this.published) {
      if (next.get(id) !== level) metrics.budgetUtilizationOptedIn.remove(id, level); // deleted (or changed level)
    }
    this.published = next;
  }

  private publish(stats: ReadonlyMap<BudgetLevel, { max: number; exhausted: number; tracked: number }>): void {
    const { budgetUtilization, budgetsExhausted, budgetsTracked } = this.deps.metrics;
    for (const [level, stat] of stats) {
      budgetUtilization.labels(level).set(stat.max);
      budgetsExhausted.labels(level).set(stat.exhausted);
      budgetsTracked.labels(level).set(stat.tracked);
    }
  }

  /** The distinct budget counters behind the remembered keys; forgets idle keys. */
  private counters(now: number): Counter[] {
    const idleMs = this.deps.idleMs ?? 3_600_000;
    const max = this.deps.maxCounters ?? 200;
    const found = new Map<string, Counter>();
    for (const [id, { key, seenAt }] of this.recent) {
      if (now - seenAt > idleMs) {
        this.recent.delete(id);
        continue;
      }
      const entities: CounterEntityIds = { key: key.keyId, user: key.userId, team: key.teamId, project: key.projectId, organization: key.organizationId };
      for (const level of BUDGET_LEVELS) {
        // An own budget counts on its entity, an inherited default on the child's: both are entities[level].
        const entityId = entities[level];
        if (!entityId) continue;
        for (const rule of this.deps.directory.budgetsOf(level, entities)) {
          const id = `${rule.id}\u0000${entityId}`;
          if (found.size >= max) return [...found.values()];
          if (!found.has(id)) found.set(id, { rule, entityId, shardKey: key.organizationId ?? key.keyId });
        }
      }
    }
    return [...found.values()];
  }
}

/** spent/limit; a zero limit counts as fully used once anything is spent. */
function utilization(status: BudgetStatus): number {
  const limit = Number(status.limitNano);
  return limit > 0 ? Number(status.spentNano) / limit : status.spentNano > 0n ? 1 : 0;
}
