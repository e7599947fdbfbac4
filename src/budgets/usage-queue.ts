/**
 * The durable queue of usage events between settle (which appends one event per request in
 * the same atomic step that charges the budgets) and the ledger writer (which batches them
 * into PostgreSQL and acknowledges only after commit).
 *
 * Delivery is at least once: an event read but never acknowledged (the consumer crashed)
 * stays pending and another consumer takes it over with `claimStale`. The ledger writer is
 * idempotent on the event's `requestId` field, which settle always sets.
 *
 * Served by Redis Streams (`usage-queue-redis.ts`) or in process (`MemoryUsageQueue` below).
 */
export interface UsageEntry {
  /** Opaque; pass it back to `ack`. */
  id: string;
  event: Record<string, string>;
}

export interface UsageQueue {
  /**
   * Up to `count` events never delivered before, now pending for `consumer`. Waits up to
   * `blockMs` for one to arrive when there is none (0: answer at once).
   */
  read(consumer: string, count: number, blockMs: number): Promise<UsageEntry[]>;
  /** Done with these events: they are removed from the queue for good. */
  ack(ids: readonly string[]): Promise<void>;
  /**
   * Takes over up to `count` events delivered to any consumer at least `minIdleMs` ago and
   * not acknowledged (their consumer probably died); they are now pending for `consumer`.
   */
  claimStale(consumer: string, minIdleMs: number, count: number): Promise<UsageEntry[]>;
  /** Events appended and not yet acknowledged (read or not). */
  length(): Promise<number>;
}

interface Pending {
  entry: UsageEntry;
  consumer: string;
  deliveredAt: number;
}

/** The in-process queue of the embedded default: same contract, lost with the process. */
export class MemoryUsageQueue implements UsageQueue {
  private unread: UsageEntry[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private lastMs = 0;
  private seq = 0;

  /** Stream-like ids (`<ms>-<seq>`), increasing even if the clock steps back. */
  append(event: Record<string, string>): string {
    const ms = Date.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.seq = 0;
    } else {
      this.seq += 1;
    }
    const id = `${this.lastMs}-${this.seq}`;
    this.unread.push({ id, event: { ...event } });
    for (const wake of this.waiters) wake();
    return id;
  }

  async read(consumer: string, count: number, blockMs: number): Promise<UsageEntry[]> {
    if (this.unread.length === 0 && blockMs > 0) await this.waitForAppend(blockMs);
    const taken = this.unread.splice(0, Math.max(0, count));
    const now = Date.now();
    for (const entry of taken) this.pending.set(entry.id, { entry, consumer, deliveredAt: now });
    return taken.map((e) => ({ id: e.id, event: { ...e.event } }));
  }

  async ack(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.pending.delete(id);
  }

  async claimStale(consumer: string, minIdleMs: number, count: number): Promise<UsageEntry[]> {
    const now = Date.now();
    const out: UsageEntry[] = [];
    for (const p of this.pending.values()) {
      if (out.length >= count) break;
      if (now - p.deliveredAt < minIdleMs) continue;
      p.consumer = consumer;
      p.deliveredAt = now;
      out.push({ id: p.entry.id, event: { ...p.entry.event } });
    }
    return out;
  }

  async length(): Promise<number> {
    return this.unread.length + this.pending.size;
  }

  /** Wakes blocked readers (they return what there is: nothing). */
  close(): void {
    for (const wake of this.waiters) wake();
  }

  private waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
