/**
 * Where the ledger writer puts queue entries it cannot turn into a row (a malformed entry,
 * or one PostgreSQL rejects as data). Writing one there is what allows the writer to
 * acknowledge it: the entry leaves the usage queue but is never silently dropped, and the
 * batch it came with is written without it. An operator reads, fixes and re-appends them.
 *
 * The UsageQueue interface (budgets/) has no dead-letter operation, so the sink is its own
 * small interface here: a Redis stream beside the usage streams, or a list in memory.
 */
import type { Redis } from 'ioredis';

export interface DeadLetter {
  /** The queue entry id it had. */
  id: string;
  /** The entry's fields exactly as read. */
  fields: Record<string, string>;
  /** Why it was refused. */
  error: string;
}

export interface DeadLetterSink {
  /** Resolves once stored durably enough that the entries may be acknowledged. */
  put(entries: readonly DeadLetter[]): Promise<void>;
}

/** `<prefix>usage:dead`; no hash tag: it is written outside the settle script. */
export function deadLetterKey(prefix: string): string {
  return `${prefix}usage:dead`;
}

// Our own fields get a prefix no event field uses, so they cannot collide with the entry's.
export const DEAD_ID = 'dead.id';
export const DEAD_ERROR = 'dead.error';
export const DEAD_AT = 'dead.at';

/** One stream entry per dead letter: the original fields plus why and when. */
export class RedisDeadLetters implements DeadLetterSink {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async put(entries: readonly DeadLetter[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    const at = String(Date.now());
    for (const e of entries) {
      // Never trimmed (no MAXLEN): trimming would drop exactly what this stream keeps.
      pipeline.xadd(this.key, '*', ...Object.entries(e.fields).flat(), DEAD_ID, e.id, DEAD_ERROR, e.error, DEAD_AT, at);
    }
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }

  /** Reads them back (oldest first), for tools and tests. */
  async list(count = 1000): Promise<DeadLetter[]> {
    const reply = await this.redis.xrange(this.key, '-', '+', 'COUNT', count);
    return reply.map(([, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      const { [DEAD_ID]: id = '', [DEAD_ERROR]: error = '', [DEAD_AT]: _at, ...original } = fields;
      return { id, error, fields: original };
    });
  }
}

/** The embedded default (in-process queue): kept as long as the process lives, like the queue. */
export class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];

  async put(entries: readonly DeadLetter[]): Promise<void> {
    for (const e of entries) this.entries.push({ ...e, fields: { ...e.fields } });
  }
}
