/**
 * The Redis connection of the budget store, configured to fail fast and heal by itself.
 *
 * A dead Redis must cost a request milliseconds, not a hang: no offline queue (a command
 * while disconnected fails at once), one retry, short connect and command timeouts. The
 * client keeps reconnecting in the background and serves again as soon as Redis is back.
 */
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { BudgetStoreUnavailableError } from './errors.js';

export interface ConnectionSettings {
  /** `redis://host:port/db`; default 127.0.0.1:6379. */
  url?: string;
  /** Extra ioredis options (host, password, tls, ...); the fail-fast ones below win. */
  redis?: RedisOptions;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Default 500 ms: the most a hung Redis adds to a request. */
  commandTimeoutMs?: number;
  /** Called with connection errors (which ioredis would otherwise print as unhandled). */
  onError?: (err: Error) => void;
}

export function failFastOptions(settings: ConnectionSettings): RedisOptions {
  return {
    ...settings.redis,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: settings.connectTimeoutMs ?? 1000,
    // A script runs in well under 1 ms, so this only trips when Redis is stuck.
    commandTimeout: settings.commandTimeoutMs ?? 500,
    // Never give up reconnecting; back off to at most one attempt per second.
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1000),
  };
}

/** For blocking stream reads, off the hot path: they may wait. */
export function blockingOptions(options: RedisOptions): RedisOptions {
  // No command timeout (a BLOCK read legitimately waits) and an offline queue (the first
  // read must not fail while this fresh client connects).
  return { ...options, commandTimeout: undefined, enableOfflineQueue: true };
}

export function createClient(url: string | undefined, options: RedisOptions, onError?: (err: Error) => void): Redis {
  const client = url ? new Redis(url, options) : new Redis(options);
  // Without a listener ioredis prints every reconnect failure as an unhandled error.
  client.on('error', (err: Error) => onError?.(err));
  return client;
}

/**
 * Resolves when the first connection attempt ends (connected, refused, or timed out), so
 * calls made right after boot wait for the socket to open instead of failing because the
 * offline queue is off. Later outages fail at once.
 */
export function firstAttempt(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const events = ['ready', 'error', 'end'] as const;
    const done = (): void => {
      clearTimeout(timer);
      for (const e of events) client.off(e, done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    for (const e of events) client.on(e, done);
  });
}

/** Resolves true once the client is connected, false if not within `timeoutMs`. */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}

// Replies that mean "Redis cannot serve right now", as opposed to a bug in a call.
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM|NOREPLICAS)\b/;

/** Maps a failure to the typed error the caller's fail mode acts on; others pass through. */
export function storeError(operation: string, err: unknown): unknown {
  if (err instanceof ReplyError && !UNAVAILABLE_REPLY.test((err as Error).message)) return err;
  return new BudgetStoreUnavailableError(operation, err);
}

export async function quit(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect(); // not connected: just stop reconnecting
  }
}
