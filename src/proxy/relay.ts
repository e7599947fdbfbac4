import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { StreamTap } from '../providers/types.js';

export interface StreamRelayResult {
  /** performance.now() of the first upstream body byte. */
  firstByteAt?: number;
  /** Why the stream did not end normally, if it did not. */
  errorCode?: 'client_abort' | 'upstream_reset';
}

/**
 * Copies an upstream SSE body to the client chunk by chunk, as it arrives, with the tap
 * beside it. Backpressure: when the client reads slowly we stop reading upstream until it
 * drains, so memory stays bounded by the socket buffers, not by the stream's length.
 */
export async function relayStream(
  upstream: Readable,
  response: ServerResponse,
  tap: StreamTap,
  clientGone: () => boolean,
): Promise<StreamRelayResult> {
  let firstByteAt: number | undefined;
  try {
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      firstByteAt ??= performance.now();
      const out = tap.push(chunk);
      if (clientGone() || response.destroyed) return { firstByteAt, errorCode: 'client_abort' };
      if (out.length > 0 && !response.write(out)) await drained(response);
    }
    const rest = tap.end();
    if (rest.length > 0) response.write(rest);
    response.end();
    return { firstByteAt };
  } catch {
    if (clientGone()) return { firstByteAt, errorCode: 'client_abort' };
    // Headers are gone already; cutting the connection is the only honest signal left.
    response.destroy();
    return { firstByteAt, errorCode: 'upstream_reset' };
  }
}

function drained(response: ServerResponse): Promise<void> {
  // A response already closed will never drain: do not wait for it.
  if (response.destroyed || response.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/** Reads a whole (non-streamed) upstream body, refusing to hold more than `limit` bytes. */
export async function readWhole(upstream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upstream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      upstream.destroy();
      throw Object.assign(new Error('upstream body above the limit'), { code: 'UPSTREAM_BODY_TOO_LARGE' });
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
