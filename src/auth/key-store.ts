import type { PrismaClient } from '../generated/prisma/client.js';
import { KEY_LINEAGE_INCLUDE, keyLineage } from './key-lineage.js';
import { hashKeySecret, plausibleKey, sameHash } from './key-secret.js';

/** Who a request belongs to: the key and every level of the hierarchy above it. */
export interface KeyContext {
  keyId: string;
  name: string;
  prefix: string;
  organizationId?: string;
  projectId?: string;
  teamId?: string;
  userId?: string;
  allowedModels: readonly string[];
  allowedProviders: readonly string[];
  expiresAt?: Date;
}

export type KeyCheck = { ok: true; key: KeyContext } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'revoked' };

interface CacheEntry {
  key: KeyContext | null;
  revoked: boolean;
  until: number;
}

const NEGATIVE_TTL_MS = 5_000;
const LOOKUP_DEADLINE_MS = 5_000;
const MAX_CACHE_ENTRIES = 50_000;

/**
 * Verifies Tollgate keys. Verified keys (and recent misses) are cached in memory, so the hot
 * path does no database query; a revocation reaches every gateway within `cacheMs` (or at once
 * through `invalidate`, called on a change notice).
 */
export class KeyStore {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly hashSecret: string,
    private readonly cacheMs: number,
  ) {}

  async verify(candidate: string | undefined, now = Date.now()): Promise<KeyCheck> {
    if (candidate === undefined || candidate === '') return { ok: false, reason: 'missing' };
    if (!plausibleKey(candidate)) return { ok: false, reason: 'invalid' };
    const hash = hashKeySecret(candidate, this.hashSecret);
    let entry = this.cache.get(hash);
    if (!entry || entry.until <= now) {
      // Only a cache miss reaches the database, and only it pays for a deadline: a database
      // that accepts connections but never answers must not hold the request forever.
      entry = await withDeadline(this.load(hash, now), LOOKUP_DEADLINE_MS);
      this.remember(hash, entry);
    }
    if (!entry.key) return { ok: false, reason: 'invalid' };
    if (entry.revoked) return { ok: false, reason: 'revoked' };
    if (entry.key.expiresAt && entry.key.expiresAt.getTime() <= now) return { ok: false, reason: 'expired' };
    return { ok: true, key: entry.key };
  }

  /** Drops cached entries, e.g. after a key was revoked through any gateway. */
  invalidate(): void {
    this.cache.clear();
  }

  private async load(hash: string, now: number): Promise<CacheEntry> {
    const row = await this.prisma.apiKey.findUnique({
      where: { secretHash: hash },
      include: KEY_LINEAGE_INCLUDE,
    });
    // The index lookup is by hash; comparing again in constant time keeps the check itself
    // free of timing differences whatever the database does.
    if (!row || !sameHash(row.secretHash, hash)) return { key: null, revoked: false, until: now + NEGATIVE_TTL_MS };
    const lineage = keyLineage(row);
    const key: KeyContext = {
      keyId: row.id,
      name: row.name,
      prefix: row.prefix,
      organizationId: lineage.organization,
      projectId: lineage.project,
      teamId: lineage.team,
      userId: lineage.user,
      allowedModels: row.allowedModels,
      allowedProviders: row.allowedProviders,
      expiresAt: row.expiresAt ?? undefined,
    };
    return { key, revoked: row.revokedAt !== null, until: now + this.cacheMs };
  }

  private remember(hash: string, entry: CacheEntry): void {
    if (this.cache.size >= MAX_CACHE_ENTRIES) {
      // Drop the oldest insertion; Map iterates in insertion order.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(hash, entry);
  }
}

/** `work`, or a rejection once `ms` passed without an answer (the caller answers 503). */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the key lookup got no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
