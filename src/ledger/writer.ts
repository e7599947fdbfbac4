/**
 * The ledger writer: moves usage events from the durable queue into PostgreSQL, off the hot
 * path. At least once in, exactly once on disk:
 *
 * - A batch is acknowledged only after its INSERT committed (and its refused entries sit in
 *   the dead-letter sink). Until then it stays "in hand" and is retried, with capped
 *   exponential backoff, however long PostgreSQL is away: nothing is dropped.
 * - The INSERT is `ON CONFLICT ("requestId") DO NOTHING`, so redelivery (a crash between
 *   commit and ack, a batch claimed by a second writer) never duplicates a row.
 * - Entries another consumer read and never acknowledged (it died) are taken over with
 *   `claimStale` every `claimEveryMs`.
 * - One bad entry must not hold up the others: malformed ones fail `decodeUsageEvent`; rows
 *   PostgreSQL refuses as data are isolated by bisecting (batch.ts). Both go to the
 *   dead-letter sink and are acknowledged with their batch.
 * - While a full batch is written the next one is already being read (one read ahead): the
 *   INSERT is two thirds of a batch's time, the queue read most of the rest.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { UsageEntry, UsageQueue } from '../budgets/usage-queue.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { insertIsolating, prepare, withTimeout, type Batch } from './batch.js';
import { MemoryDeadLetters, type DeadLetterSink } from './dead-letter.js';
import { insertWithRecordset, type InsertRows } from './rows.js';

type LogFn = (obj: object, msg?: string) => void;
/** The part of a pino logger used here. */
export interface LedgerLogger {
  debug?: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export interface LedgerWriterOptions {
  prisma: PrismaClient;
  queue: UsageQueue;
  /** Default: an in-memory list (fine for the in-process queue; give Redis ones a Redis sink). */
  deadLetters?: DeadLetterSink;
  logger?: LedgerLogger;
  /** Entries per read and per INSERT (default 500). */
  batchSize?: number;
  /** How long a read waits for new entries (default 1000 ms; also bounds how fast stop() is). */
  blockMs?: number;
  /** Unique per process (default `ledger-<host>-<pid>-<random>`). */
  consumerName?: string;
  /** Entries pending this long for another consumer are taken over (default 30 s). */
  claimIdleMs?: number;
  /** How often to look for such entries (default claimIdleMs / 2, at least 1 s). */
  claimEveryMs?: number;
  /** First retry delay after a failure (default 100 ms), doubled up to maxRetryDelayMs. */
  minRetryDelayMs?: number;
  /** Default 10 s. */
  maxRetryDelayMs?: number;
  /** A write taking longer than this counts as failed and is retried (default 30 s). */
  writeTimeoutMs?: number;
  /** Default `insertWithRecordset` (see rows.ts for why). */
  insert?: InsertRows;
  /** Read the next batch while one is written (default true). */
  readAhead?: boolean;
  /**
   * Called with a batch's entries once their rows are committed and before they are
   * acknowledged, so what it records (e.g. the alerts a settle raised) is as durable as the
   * rows: a failure retries the batch; a dead writer's entries are claimed and replayed.
   * It must be idempotent.
   */
  onWritten?: (entries: readonly UsageEntry[]) => Promise<void>;
}

type Settled<T> = { ok: true; value: T } | { ok: false; err: unknown };

export class LedgerWriter {
  rowsWritten = 0;
  /** Events already in the table (redelivered or appended twice): skipped, acknowledged. */
  duplicates = 0;
  batches = 0;
  writeErrors = 0;
  queueErrors = 0;
  deadLettered = 0;
  claimed = 0;
  /** now - the oldest createdAt in the last batch written; -1 before the first. */
  lastLagMs = -1;
  readonly consumerName: string;

  private readonly o: Required<Omit<LedgerWriterOptions, 'logger' | 'onWritten'>> & Pick<LedgerWriterOptions, 'logger' | 'onWritten'>;
  private batch: Batch | undefined;
  /** The read ahead; never rejects (a rejection nobody awaits yet would be "unhandled"). */
  private next: Promise<Settled<UsageEntry[]>> | undefined;
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(options: LedgerWriterOptions) {
    const claimIdleMs = options.claimIdleMs ?? 30_000;
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.o = {
      deadLetters: new MemoryDeadLetters(),
      batchSize: 500,
      blockMs: 1000,
      consumerName: `ledger-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      claimEveryMs: Math.max(1000, claimIdleMs / 2),
      minRetryDelayMs: 100,
      maxRetryDelayMs: 10_000,
      writeTimeoutMs: 30_000,
      insert: insertWithRecordset,
      readAhead: true,
      ...given,
      prisma: options.prisma,
      queue: options.queue,
      claimIdleMs,
    };
    this.consumerName = this.o.consumerName;
  }

  /**
   * How far behind the ledger is, in ms: the age of the oldest event in a batch the writer
   * holds and has not committed (it grows while PostgreSQL is away), else that of the last
   * batch committed; -1 before the first.
   */
  lagMs(now = Date.now()): number {
    const held = this.batch;
    if (held && !held.inserted && held.events.length > 0) return Math.max(this.lastLagMs, now - held.oldestMs);
    return this.lastLagMs;
  }

  /** Queue length: events appended and not yet acknowledged. */
  pending(): Promise<number> {
    return this.o.queue.length();
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.run();
  }

  /**
   * Stops the loop. With `flush`, keeps writing what is queued until the queue reads empty
   * or `timeoutMs` (default 10 s) passes. Whatever is left stays pending in the queue, for
   * the next writer to claim. Resolves once the loop has exited.
   */
  async stop(opts: { flush?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    if (opts.flush) await this.drain(Date.now() + (opts.timeoutMs ?? 10_000));
    const left = (this.batch?.ids.length ?? 0) + (this.next ? 1 : 0);
    if (left > 0) this.o.logger?.warn({ batch: this.batch?.ids.length ?? 0, readAhead: !!this.next }, 'ledger writer stopped with events unwritten; they stay pending in the queue');
  }

  /**
   * One step without waiting: finishes the batch in hand or reads a new one (after claiming
   * stale entries when `claim`), writes and acknowledges it. Throws what failed; the batch
   * then stays in hand for the next step. Returns how many entries were acknowledged.
   * For tests and tools: not while the loop runs (start()).
   */
  flushOnce(opts: { claim?: boolean } = {}): Promise<number> {
    return this.step(0, opts.claim ?? false, false);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.step(this.o.blockMs, false, true);
        failures = 0;
      } catch {
        failures += 1;
        await this.sleep(this.retryDelay(failures), true);
      }
    }
  }

  private async drain(deadline: number): Promise<void> {
    let failures = 0;
    while (Date.now() < deadline) {
      try {
        const holding = this.batch !== undefined || this.next !== undefined;
        if ((await this.step(0, false, true)) === 0 && !holding) return; // the queue reads empty
        failures = 0;
      } catch {
        failures += 1;
        await this.sleep(Math.min(this.retryDelay(failures), deadline - Date.now()), false);
      }
    }
  }

  private async step(blockMs: number, forceClaim: boolean, readAhead: boolean): Promise<number> {
    if (!this.batch) {
      const entries = await this.take(blockMs, forceClaim);
      if (entries.length === 0) return 0;
      this.batch = prepare(entries);
      // A full batch suggests more is queued: read the next one while this one is written.
      if (readAhead && this.o.readAhead && entries.length >= this.o.batchSize) {
        this.next = this.fetch(0, false).then(
          (value) => ({ ok: true as const, value }),
          (err: unknown) => ({ ok: false as const, err }),
        );
      }
    }
    const batch = this.batch;
    await this.complete(batch);
    this.batch = undefined;
    this.batches += 1;
    if (batch.events.length > 0) this.lastLagMs = Date.now() - batch.oldestMs;
    this.o.logger?.debug?.({ entries: batch.ids.length, lagMs: this.lastLagMs }, 'ledger batch written');
    return batch.ids.length;
  }

  /** The read-ahead entries if there are some, else a fresh read. */
  private async take(blockMs: number, forceClaim: boolean): Promise<UsageEntry[]> {
    const next = this.next;
    this.next = undefined;
    if (next) {
      const settled = await next;
      if (!settled.ok) throw settled.err;
      if (settled.value.length > 0 || !forceClaim) return settled.value;
    }
    return this.fetch(blockMs, forceClaim);
  }

  private async fetch(blockMs: number, forceClaim: boolean): Promise<UsageEntry[]> {
    const { queue, batchSize, consumerName } = this.o;
    try {
      let entries: UsageEntry[] = [];
      if (forceClaim || Date.now() - this.lastClaimAt >= this.o.claimEveryMs) {
        this.lastClaimAt = Date.now();
        entries = await queue.claimStale(consumerName, this.o.claimIdleMs, batchSize);
        this.claimed += entries.length;
        if (entries.length > 0) this.o.logger?.info({ entries: entries.length }, 'ledger writer took over stale usage events');
      }
      if (entries.length < batchSize) {
        // Never block while holding claimed entries: write them now.
        entries.push(...(await queue.read(consumerName, batchSize - entries.length, entries.length > 0 ? 0 : blockMs)));
      }
      return entries;
    } catch (err) {
      this.queueErrors += 1;
      this.o.logger?.warn({ err }, 'ledger writer could not read the usage queue');
      throw err;
    }
  }

  /** Insert, then follow up, then dead-letter, then ack; each stage at most once per batch (flags). */
  private async complete(batch: Batch): Promise<void> {
    if (!batch.inserted) {
      try {
        const work = insertIsolating(this.o.insert, this.o.prisma, batch.events);
        const { written, refused } = await withTimeout(work, this.o.writeTimeoutMs, 'ledger write');
        this.rowsWritten += written;
        this.duplicates += batch.repeats + batch.events.length - refused.length - written;
        for (const r of refused) {
          const source = batch.sources.get(r.requestId)!;
          batch.refused.push({ id: source.id, fields: source.event, error: r.error });
        }
        batch.inserted = true;
      } catch (err) {
        this.writeErrors += 1;
        this.o.logger?.warn({ err, entries: batch.ids.length }, 'ledger write failed; will retry the same batch');
        throw err;
      }
    }
    if (!batch.followedUp) {
      try {
        await this.o.onWritten?.([...batch.sources.values()]);
      } catch (err) {
        this.o.logger?.warn({ err }, 'recording what the written events raised failed; will retry before acknowledging');
        throw err;
      }
      batch.followedUp = true;
    }
    if (!batch.deadLettered) {
      try {
        await this.o.deadLetters.put(batch.refused);
      } catch (err) {
        this.o.logger?.warn({ err }, 'ledger could not store dead letters; will retry before acknowledging');
        throw err;
      }
      batch.deadLettered = true;
      this.deadLettered += batch.refused.length;
      for (const d of batch.refused) this.o.logger?.error({ id: d.id, error: d.error }, 'usage event dead-lettered');
    }
    try {
      await this.o.queue.ack(batch.ids);
    } catch (err) {
      this.queueErrors += 1;
      this.o.logger?.warn({ err }, 'ledger rows committed but the ack failed; will ack again');
      throw err;
    }
  }

  private retryDelay(failures: number): number {
    const exp = this.o.minRetryDelayMs * 2 ** Math.min(failures - 1, 30);
    // Jitter, so several writers do not retry in step against a recovering database.
    return Math.min(this.o.maxRetryDelayMs, exp) * (0.75 + Math.random() * 0.5);
  }

  /** A timer; `interruptible` ones end early when stop() is called. */
  private sleep(ms: number, interruptible: boolean): Promise<void> {
    if (ms <= 0 || (interruptible && this.stopping)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (interruptible) this.wake = done;
    });
  }
}
