import { Pool, errors as undiciErrors } from 'undici';
import type { GatewayError } from '../providers/types.js';

export interface UpstreamOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connections: number;
}

/** One keep-alive pool per provider origin, created on first use and shared by all requests. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: UpstreamOptions) {}

  for(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        connect: { timeout: this.options.connectTimeoutMs },
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
        keepAliveTimeout: 30_000,
        pipelining: 1,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }
}

/**
 * Transport failures, mapped in one place: a timeout is 504, anything that broke the
 * connection (refused, reset, closed, DNS) is 502. The message never carries the URL's
 * query (which may hold a key) nor the provider's key.
 */
export function transportError(error: unknown): GatewayError {
  const code = (error as { code?: string }).code ?? '';
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    code === 'ETIMEDOUT'
  ) {
    return { kind: 'upstream_timeout', status: 504, message: 'The provider did not answer in time.', details: { cause: code || 'timeout' } };
  }
  return {
    kind: 'upstream_unavailable',
    status: 502,
    message: 'The provider could not be reached or closed the connection.',
    details: { cause: code || (error as Error).name || 'transport_error' },
  };
}
