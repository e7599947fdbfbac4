/**
 * Is PostgreSQL reachable and migrated, is Redis reachable? Asked by /readyz (a fresh answer
 * each time, concurrent askers sharing one check) and by a periodic timer that keeps the
 * `tollgate_dependency_up` gauges current, so a scrape never waits on a dependency.
 * Every check is bounded by a timeout: a blackholed database must not hang /readyz.
 */
import type { BudgetStore } from '../budgets/types.js';
import type { LedgerWriter } from '../ledger/writer.js';
import type { Database } from '../storage/database.js';
import { readMigrations } from '../storage/migrate.js';
import type { Metrics } from './definitions.js';

export interface Readiness {
  ready: boolean;
  /** The parts that are not ready: `database`, `redis`. */
  failing: string[];
  database: { reachable: boolean; migrated: boolean; pendingMigrations: string[]; error?: string };
  /** `configured: false`: the in-process budget store, nothing to reach. */
  redis: { configured: boolean; reachable: boolean };
}

export interface ProbeDeps {
  storage: Database;
  store: BudgetStore;
  redisConfigured: boolean;
  ledger: LedgerWriter;
  metrics: Pick<Metrics, 'dependencyUp' | 'migrationsPending' | 'ledgerPending'>;
  timeoutMs?: number;
  /** Migration names the database must have applied (default: prisma/migrations). */
  migrations?: readonly string[];
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

export class DependencyProbe {
  private readonly expected: readonly string[];
  private readonly timeoutMs: number;
  private inFlight: Promise<Readiness> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ProbeDeps) {
    this.timeoutMs = deps.timeoutMs ?? 1000;
    this.expected = deps.migrations ?? expectedMigrations();
  }

  /** A fresh check, shared with any check already running. */
  check(): Promise<Readiness> {
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Checks now and then every `everyMs`, updating the gauges; the timer never keeps the process up. */
  start(everyMs: number): void {
    const tick = () => void this.sample().catch(() => {});
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sample(): Promise<void> {
    const readiness = await this.check();
    if (readiness.redis.reachable) {
      const pending = await bounded(this.deps.ledger.pending(), this.timeoutMs);
      if (pending.ok) this.deps.metrics.ledgerPending.set(pending.value);
    }
  }

  private async run(): Promise<Readiness> {
    const { storage, store, redisConfigured, metrics } = this.deps;
    const [applied, redisOk] = await Promise.all([
      bounded(storage.prisma.$queryRaw<Array<{ migration_name: string }>>`
        SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`, this.timeoutMs),
      redisConfigured ? bounded(store.ping(), this.timeoutMs) : Promise.resolve<Outcome<boolean>>({ ok: true, value: true }),
    ]);
    const done = new Set(applied.ok ? applied.value.map((row) => row.migration_name) : []);
    const pendingMigrations = applied.ok ? this.expected.filter((name) => !done.has(name)) : [];
    const database = {
      reachable: applied.ok,
      migrated: applied.ok && pendingMigrations.length === 0,
      pendingMigrations,
      ...(applied.ok ? {} : { error: applied.error }),
    };
    const redis = { configured: redisConfigured, reachable: redisOk.ok && redisOk.value };
    metrics.dependencyUp.labels('postgresql').set(database.reachable ? 1 : 0);
    if (redisConfigured) metrics.dependencyUp.labels('redis').set(redis.reachable ? 1 : 0);
    if (applied.ok) metrics.migrationsPending.set(pendingMigrations.length);
    const failing = [...(database.migrated ? [] : ['database']), ...(redis.reachable ? [] : ['redis'])];
    return { ready: failing.length === 0, failing, database, redis };
  }
}

function expectedMigrations(): string[] {
  try {
    return readMigrations().map((file) => file.name);
  } catch {
    return []; // no migrations folder shipped: reachability is all that can be checked
  }
}

/** `work`'s result, or its error, or a timeout, whichever comes first; never rejects. */
async function bounded<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${ms} ms` }), ms);
  });
  const settled = work.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error: firstLine(error) }),
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split('\n').pop()!.slice(0, 200);
}
