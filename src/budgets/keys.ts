/**
 * Redis key layout for budgets.
 *
 * Every key of one organization lives in ONE Redis Cluster hash slot, so one Lua call can
 * touch all of them (a script may only touch keys of one slot). The slot is chosen by a hash
 * tag `{sNN}`: one of SHARD_COUNT fixed shards, picked by a stable hash of the shard key (the
 * organization id, or the key id when a key has no organization). The usage stream of a shard
 * sits in the same slot, so settle appends the usage event in the same atomic call.
 *
 *   tg:{s07}:b:<rule>:<entity>:d:2026-11-22   spent counter (string, integer nano-USD) of one
 *   tg:{s07}:b:<rule>:<entity>:w:2026-W47     period; expires COUNTER_GRACE_MS after the period
 *   tg:{s07}:b:<rule>:<entity>:m:2026-11      ends (status and reconciliation can still read the
 *   tg:{s07}:b:<rule>:<entity>:total          last period); `total` never expires
 *   tg:{s07}:b:<rule>:<entity>:held           hash requestId -> nano-USD held, field "" = their sum
 *   tg:{s07}:b:<rule>:<entity>:exp            zset requestId by expiry (ms); expired holds are
 *                                             purged by the next reserve/settle/status
 *   tg:{s07}:b:<rule>:<entity>:<period>:seed  seed state of that counter: `s` once seeded from
 *                                             the ledger, else a token naming the moment it was
 *                                             first touched (see "Seeding" below)
 *   tg:{s07}:b:<rule>:<entity>:<period>:late  set of request ids settled into the counter while
 *                                             it waited for its seed
 *   tg:{s07}:a:<rule>:<entity>:<period>:<pct> alert marker, SET NX: a threshold fires once
 *   tg:{s07}:s:<requestId>                    settled marker (SETTLED_TTL_MS): settle is idempotent
 *   tg:{s07}:usage                            usage stream (consumer group `ledger`)
 *
 * <entity> is the counter entity: the bound entity, or for an inherited default the child.
 * Holds are per rule and entity, not per period: money in flight across a period boundary
 * keeps counting until settled, and is then charged to the period the request started in
 * (the caller passes the request's start as `now`), as the ledger row's createdAt is.
 *
 * Seeding: a counter that Redis does not have (a new period, or a flushed or replaced Redis)
 * may still have spend in the ledger. Its first touch leaves a token in its seed key; while
 * the token stands, settles still charge the counter and also list their request ids in its
 * `late` set, and reserves answer "seed first". The store then reads the ledger's spend for
 * that counter in one snapshot, minus the rows listed in `late` (those are already in the
 * counter), and adds it in a script that only applies while the same token stands: one seed
 * per counter, however many gateways race for it (seed-counter.ts).
 *
 * Why 16 fixed shards instead of one slot per organization: the ledger consumer must know
 * every stream to read; 16 is a fixed list (`usageStreamKeys`). The price is that budgets use
 * at most 16 slots, i.e. spread over at most 16 cluster primaries. Changing SHARD_COUNT moves
 * every key: only do it on an empty Redis (rebuild counters from the ledger with seedSpent).
 */
export const DEFAULT_KEY_PREFIX = 'tg:';
export const SHARD_COUNT = 16;
/** Counters outlive their period by this much. */
export const COUNTER_GRACE_MS = 2 * 86_400_000;
/**
 * How long a settle is remembered (a duplicate settle within it counts once). A settle is
 * sent once per request; a duplicate can only be a client library resending it after a
 * reconnect, within seconds. Ten minutes covers that with room, and bounds the markers to
 * ten minutes of traffic (a day's worth would be tens of millions of keys on a busy gateway).
 */
export const SETTLED_TTL_MS = 600_000;
/** Hold keys outlive their newest reservation by this much, then vanish when idle. */
export const HOLD_KEY_SLACK_MS = 60_000;

/** FNV-1a (32 bit) over UTF-8: tiny, stable across processes and languages. */
export function shardOf(shardKey: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(shardKey, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % SHARD_COUNT;
}

export function shardTag(shard: number): string {
  return `{s${String(shard).padStart(2, '0')}}`;
}

/** The common start of every key of a shard key: `tg:{s07}:`. */
export function shardBase(prefix: string, shardKey: string): string {
  return `${prefix}${shardTag(shardOf(shardKey))}:`;
}

/** The key base of every shard, for reads that do not know the organization. */
export function allShardBases(prefix: string): string[] {
  return Array.from({ length: SHARD_COUNT }, (_, i) => `${prefix}${shardTag(i)}:`);
}

/** Every usage stream, one per shard, for the consumer to read them all. */
export function usageStreamKeys(prefix: string = DEFAULT_KEY_PREFIX): string[] {
  return Array.from({ length: SHARD_COUNT }, (_, i) => `${prefix}${shardTag(i)}:usage`);
}

/** Ids are uuids in practice; anything else is escaped so `:` cannot merge two keys' names. */
export function seg(id: string): string {
  return /^[\w.-]+$/.test(id) ? id : encodeURIComponent(id);
}

export function counterKey(base: string, ruleId: string, entity: string, periodId: string): string {
  return `${base}b:${seg(ruleId)}:${seg(entity)}:${periodId}`;
}

/** The seed state of one counter (see "Seeding" above). */
export function seedStateKey(counter: string): string {
  return `${counter}:seed`;
}

/** Request ids settled into a counter while it waited for its seed. */
export function lateSettlesKey(counter: string): string {
  return `${counter}:late`;
}

export function heldKey(base: string, ruleId: string, entity: string): string {
  return `${base}b:${seg(ruleId)}:${seg(entity)}:held`;
}

export function expiryKey(base: string, ruleId: string, entity: string): string {
  return `${base}b:${seg(ruleId)}:${seg(entity)}:exp`;
}

export function alertKey(base: string, ruleId: string, entity: string, periodId: string, pct: number): string {
  return `${base}a:${seg(ruleId)}:${seg(entity)}:${periodId}:${pct}`;
}

/** The parts of an alert marker's name (the inverse of `alertKey`), or undefined for anything else. */
export function parseAlertKey(key: string): { ruleId: string; entity: string; periodId: string; pct: number } | undefined {
  const m = /:a:([^:]+):([^:]+):([dwm]:[^:]+|total):(\d+)$/.exec(key);
  if (!m) return undefined;
  try {
    return { ruleId: decodeURIComponent(m[1]!), entity: decodeURIComponent(m[2]!), periodId: m[3]!, pct: Number(m[4]) };
  } catch {
    return undefined; // not an escape seg() wrote
  }
}

export function settledKey(base: string, requestId: string): string {
  return `${base}s:${seg(requestId)}`;
}

export function streamKey(base: string): string {
  return `${base}usage`;
}
