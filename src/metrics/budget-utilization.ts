/**
 * Budget utilization as bounded gauges: per budget LEVEL (key, user, team, project,
 * organization), never per budget or entity, since ids must not become labels. This process
 * remembers the keys of its recent calls (bounded), and every sample reads the live counters
 * of the budgets that apply to them (bounded) from the budget store, off the request path.
 */
import type { KeyContext } from '../auth/key-store.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import { BUDGET_LEVELS, type BudgetLevel, type BudgetRule, type BudgetStore, type CounterEntityIds } from '../budgets/types.js';
import type { Metrics } from './definitions.js';

export interface UtilizationDeps {
  directory: BudgetDirectory;
  store: BudgetStore;
  metrics: Pick<Metrics, 'budgetUtilization' | 'budgetsExhausted' | 'budgetsTracked'>;
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
    for (const { rule, entityId, shardKey } of counters) {
      // One small read each; sequential, so a sample never floods the store.
      const status = await this.deps.store.status(rule, entityId, now, shardKey);
      const limit = Number(status.limitNano);
      const used = limit > 0 ? Number(status.spentNano) / limit : status.spentNano > 0n ? 1 : 0;
      const level = stats.get(rule.level)!;
      level.tracked += 1;
      level.max = Math.max(level.max, used);
      if (status.spentNano >= status.limitNano) level.exhausted += 1;
    }
    this.publish(stats);
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
