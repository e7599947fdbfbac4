/**
 * Delivering alerts off the request path: a bounded in-process queue worked by a few
 * concurrent senders, per-channel retries with capped exponential backoff (and jitter, so a
 * receiver that comes back is not hit by every gateway at the same instant), and every
 * attempt written to the alert's row.
 *
 * Nothing is lost when the queue is full or the process dies: the row stays `pending` with a
 * lease (`nextAttemptAt`), and the sweeper of any instance takes it over once the lease runs
 * out. A channel that already took the alert is never sent it again.
 */
import type { AlertTable } from './table.js';
import type { AlertRow, Channel, ChannelState, DeliveryStatus } from './types.js';

type Log = (obj: object, msg?: string) => void;

export interface DeliveryOptions {
  table: AlertTable;
  channels: readonly Channel[];
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  queueSize: number;
  leaseMs: number;
  sweepMs: number;
  concurrency?: number;
  logger: { warn: Log; error: Log; info: Log };
}

export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // ±20 % jitter, never beyond the cap.
  return Math.min(maxMs, Math.round(exp * (0.8 + 0.4 * random())));
}

export class AlertDelivery {
  private readonly queue: AlertRow[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids queued, being sent or waiting for a retry here: a sweep must not queue them twice. */
  private readonly held = new Set<string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** Counters for tests and metrics. */
  readonly stats = { sent: 0, failedAttempts: 0, givenUp: 0, overflowed: 0 };

  constructor(private readonly o: DeliveryOptions) {}

  get channelNames() {
    return this.o.channels.map((c) => c.name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const sweep = () => void this.sweep().catch((error: unknown) => this.o.logger.warn({ err: (error as Error).message }, 'alert sweep failed; will retry'));
    sweep();
    this.sweepTimer = setInterval(sweep, this.o.sweepMs);
    this.sweepTimer.unref();
  }

  /** Stops taking work; waits (bounded) for sends under way. Queued rows stay leased in the table. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.running = false;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.held.clear();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (deadline = setTimeout(r, timeoutMs)))]);
    clearTimeout(deadline);
  }

  /** Queues a row for delivery; false when full (the row then waits for a sweeper). */
  offer(row: AlertRow, retry = false): boolean {
    if (!this.running || row.status !== 'pending') return false;
    if (this.held.has(row.id) && !retry) return false;
    if (this.queue.length >= this.o.queueSize) {
      this.stats.overflowed += 1;
      this.held.delete(row.id);
      // Hand it to the sweepers now rather than after a whole lease.
      void this.o.table.release(row.id, new Date()).catch(() => {});
      return false;
    }
    this.held.add(row.id);
    this.queue.push(row);
    this.pump();
    return true;
  }

  /** Takes over pending rows whose lease ran out, as many as the queue has room for. */
  async sweep(): Promise<number> {
    const room = Math.min(50, this.o.queueSize - this.queue.length);
    if (!this.running || room <= 0 || this.o.channels.length === 0) return 0;
    const rows = await this.o.table.claimDue(room, this.o.leaseMs);
    for (const row of rows) this.offer(row);
    return rows.length;
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 4;
    while (this.running && this.inFlight.size < limit && this.queue.length > 0) {
      const row = this.queue.shift()!;
      const work: Promise<void> = this.deliver(row)
        .catch((error: unknown) => {
          // The row keeps its lease; a sweeper retries it once that runs out.
          this.held.delete(row.id);
          this.o.logger.error({ alertId: row.id, err: (error as Error).message }, 'alert delivery bookkeeping failed');
        })
        .finally(() => {
          this.inFlight.delete(work);
          this.pump();
        });
      this.inFlight.add(work);
    }
  }

  /** One round: every channel still pending gets one attempt; then done, given up or retried later. */
  private async deliver(row: AlertRow): Promise<void> {
    const pending = this.o.channels.filter((c) => (row.deliveries[c.name]?.status ?? 'pending') === 'pending');
    const results = await Promise.allSettled(pending.map((channel) => channel.send(row)));
    const now = new Date();
    let lastError: string | null = null;
    pending.forEach((channel, i) => {
      const state: ChannelState = { ...(row.deliveries[channel.name] ?? { status: 'pending', attempts: 0 }) };
      state.attempts += 1;
      const result = results[i]!;
      if (result.status === 'fulfilled') {
        state.status = 'delivered';
        state.deliveredAt = now.toISOString();
        delete state.lastError;
        this.stats.sent += 1;
      } else {
        state.lastError = String((result.reason as Error)?.message ?? result.reason).slice(0, 500);
        lastError = `${channel.name}: ${state.lastError}`;
        this.stats.failedAttempts += 1;
        if (state.attempts >= this.o.maxAttempts) {
          state.status = 'failed';
          this.stats.givenUp += 1;
          this.o.logger.error({ alertId: row.id, channel: channel.name, attempts: state.attempts, err: state.lastError }, 'alert delivery given up');
        }
      }
      row.deliveries[channel.name] = state;
    });
    row.attempts += pending.length;
    const states = Object.values(row.deliveries);
    const open = states.filter((s) => s.status === 'pending');
    const status: DeliveryStatus = open.length > 0 ? 'pending' : states.some((s) => s.status === 'failed') ? 'failed' : 'delivered';
    row.status = status;
    const retryIn = open.length > 0 ? backoffMs(Math.max(...open.map((s) => s.attempts)), this.o.retryBaseMs, this.o.retryMaxMs) : 0;
    await this.o.table.update(row.id, {
      status,
      attempts: row.attempts,
      deliveries: row.deliveries,
      lastError,
      // The lease outlasts the wait, so no sweeper takes the row while its retry is scheduled.
      nextAttemptAt: status === 'pending' ? new Date(now.getTime() + retryIn + this.o.leaseMs) : null,
      deliveredAt: status === 'delivered' ? now : null,
    });
    if (status !== 'pending') {
      this.held.delete(row.id);
      return;
    }
    this.o.logger.warn({ alertId: row.id, retryInMs: retryIn, err: lastError }, 'alert delivery failed; will retry');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.offer(row, true);
    }, retryIn);
    timer.unref();
    this.timers.add(timer);
  }
}
