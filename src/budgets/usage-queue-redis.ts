/**
 * The usage queue on Redis Streams: one stream per shard (`tg:{sNN}:usage`, see keys.ts),
 * read with one consumer group, `ledger`.
 *
 * - read: XREADGROUP over every shard stream in one call. Redis answers with up to `count`
 *   entries PER stream, and those are pending for us the moment Redis replies, so entries
 *   beyond `count` are kept in a local carry and handed out first on the next read (if the
 *   process dies first they stay pending and `claimStale` recovers them).
 * - ack: XACK then XDEL, so the streams only hold unacknowledged events and `length` is
 *   their XLEN sum. (This assumes `ledger` is the only group reading these streams.)
 * - claimStale: XAUTOCLAIM shard by shard.
 *
 * Every read, claim and ack goes through the ledger's own connection, which has no command
 * timeout; the store's fail-fast connection (500 ms) carries only the budget scripts and
 * `length`. Two reasons:
 * - A BLOCK read would hold up every budget call queued behind it.
 * - A read's reply grows with the batch: up to `count` entries from each of the 16 streams,
 *   so 32,000 entries (several MB) at batch 2000. On a busy machine parsing that took longer
 *   than the 500 ms timeout: the read failed, yet Redis had delivered the entries, so they
 *   sat pending until `claimStale` took them back 30 s later (bench: 360 rows/s instead of
 *   thousands). A reply that large would also delay the budget scripts queued behind it.
 *
 * In a Redis Cluster the shard streams sit in different slots, so the multi-stream
 * XREADGROUP here would need to become one read per node; this class targets one Redis
 * (with replicas / Sentinel).
 */
import type { Redis } from 'ioredis';
import { usageStreamKeys } from './keys.js';
import type { UsageEntry, UsageQueue } from './usage-queue.js';

export const USAGE_GROUP = 'ledger';

type StreamEntries = [id: string, fields: string[] | null][];

export class RedisUsageQueue implements UsageQueue {
  private readonly streams: string[];
  private groupsReady: Promise<void> | undefined;
  private readonly carry = new Map<string, UsageEntry[]>();

  /**
   * @param redis the store's connection (short timeouts): only `length` uses it
   * @param blocking the ledger's own connection (no command timeout), made on first use
   */
  constructor(
    private readonly redis: Redis,
    private readonly blocking: () => Redis,
    prefix: string,
  ) {
    this.streams = usageStreamKeys(prefix);
  }

  async read(consumer: string, count: number, blockMs: number): Promise<UsageEntry[]> {
    const carried = this.carry.get(consumer) ?? [];
    if (carried.length < count) {
      await this.ensureGroups();
      // Block only when we have nothing to hand out.
      const block = carried.length === 0 && blockMs > 0 ? ['BLOCK', String(blockMs)] : [];
      const reply = (await this.withGroups(() =>
        this.blocking().call(
          'XREADGROUP', 'GROUP', USAGE_GROUP, consumer, 'COUNT', String(count - carried.length), ...block,
          'STREAMS', ...this.streams, ...this.streams.map(() => '>'),
        ),
      )) as [stream: string, entries: StreamEntries][] | null;
      for (const [stream, entries] of reply ?? []) {
        carried.push(...this.toEntries(stream, entries));
      }
    }
    const out = carried.splice(0, Math.max(0, count));
    if (carried.length > 0) this.carry.set(consumer, carried);
    else this.carry.delete(consumer);
    return out;
  }

  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const byStream = new Map<string, string[]>();
    for (const id of ids) {
      const { stream, entryId } = this.parseId(id);
      const list = byStream.get(stream) ?? [];
      list.push(entryId);
      byStream.set(stream, list);
    }
    const pipeline = this.blocking().pipeline();
    for (const [stream, entryIds] of byStream) {
      pipeline.xack(stream, USAGE_GROUP, ...entryIds);
      pipeline.xdel(stream, ...entryIds);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async claimStale(consumer: string, minIdleMs: number, count: number): Promise<UsageEntry[]> {
    await this.ensureGroups();
    const out: UsageEntry[] = [];
    for (const stream of this.streams) {
      let cursor = '0-0';
      while (out.length < count) {
        const reply = (await this.withGroups(() =>
          this.blocking().call(
            'XAUTOCLAIM', stream, USAGE_GROUP, consumer, String(minIdleMs), cursor,
            'COUNT', String(count - out.length),
          ),
        )) as [next: string, entries: StreamEntries, ...rest: unknown[]];
        out.push(...this.toEntries(stream, reply[1]));
        cursor = reply[0];
        if (cursor === '0-0') break; // scanned this stream's whole pending list
      }
      if (out.length >= count) break;
    }
    return out;
  }

  async length(): Promise<number> {
    const pipeline = this.redis.pipeline();
    for (const stream of this.streams) pipeline.xlen(stream);
    const results = (await pipeline.exec()) ?? [];
    let total = 0;
    for (const [err, n] of results) {
      if (err) throw err;
      total += Number(n);
    }
    return total;
  }

  private toEntries(stream: string, entries: StreamEntries): UsageEntry[] {
    const shard = this.streams.indexOf(stream);
    const out: UsageEntry[] = [];
    for (const [entryId, fields] of entries) {
      if (!fields) continue; // deleted while pending (Redis < 7 still lists it)
      const event: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
      out.push({ id: `${shard}/${entryId}`, event });
    }
    return out;
  }

  private parseId(id: string): { stream: string; entryId: string } {
    const slash = id.indexOf('/');
    const stream = this.streams[Number(id.slice(0, slash))];
    if (slash < 0 || !stream) throw new RangeError(`not a usage event id: ${id}`);
    return { stream, entryId: id.slice(slash + 1) };
  }

  /** Creates the group on every shard stream (from the start: no event is skipped). */
  private ensureGroups(): Promise<void> {
    this.groupsReady ??= (async () => {
      const pipeline = this.blocking().pipeline();
      for (const stream of this.streams) pipeline.xgroup('CREATE', stream, USAGE_GROUP, '0', 'MKSTREAM');
      for (const [err] of (await pipeline.exec()) ?? []) {
        if (err && !String(err.message).startsWith('BUSYGROUP')) throw err;
      }
    })().catch((err: unknown) => {
      this.groupsReady = undefined; // try again next time
      throw err;
    });
    return this.groupsReady;
  }

  /** Someone deleted a stream (and its group): create the groups again and retry once. */
  private async withGroups<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOGROUP')) throw err;
      this.groupsReady = undefined;
      await this.ensureGroups();
      return run();
    }
  }
}
