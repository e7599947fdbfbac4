// A client that reads a long stream slowly, or stops reading, must not make the gateway buffer
// the upstream's answer: backpressure has to reach the provider. Measured without timing or
// memory figures: the simulator counts the body bytes each socket accepted from it
// (RecordedRequest.responseBytes, written paced by the reader), the client counts what it read.
// With backpressure the upstream can only be ahead of the client by the buffers in between
// (kernel socket buffers on both hops, a few stream buffers); without it, the gateway would
// read the whole stream into memory and the upstream would finish while the client sleeps.
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/simulator/index.js';
import { budgetedKey, eventually, ledgerRow, plainUsd, settledStatus } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** The largest buffer the kernel lets a socket grow to, from its autotuning limit and the cap. */
function kernelBufferMax(kind: 'rmem' | 'wmem', fallback: number): number {
  try {
    const autotuned = Number(readFileSync(`/proc/sys/net/ipv4/tcp_${kind}`, 'utf8').trim().split(/\s+/)[2]);
    const capped = Number(readFileSync(`/proc/sys/net/core/${kind}_max`, 'utf8').trim());
    return Math.max(autotuned, capped);
  } catch {
    return fallback;
  }
}

/**
 * How far the upstream may get ahead of a client that stopped reading: two hops (upstream to
 * gateway, gateway to client), each a send buffer plus a receive buffer at the most the kernel
 * lets them autotune to, plus a few stream buffers inside the processes. The kernel's limits
 * decide, not a guess: a kept-alive upstream connection whose receive window already grew in an
 * earlier request holds far more than a fresh one.
 */
const MAX_AHEAD_BYTES = 2 * (kernelBufferMax('rmem', 32 * 1024 * 1024) + kernelBufferMax('wmem', 4 * 1024 * 1024)) + 4 * 1024 * 1024;
/** Bytes of one streamed chunk carrying a single token (the simulator's chat chunk). */
const BYTES_PER_TOKEN = 330;
/**
 * Output tokens of the long answer, one chunk each: the stream is at least 30 MB longer than all
 * the buffers above can hold, so a gateway without backpressure would let the upstream finish
 * while the client sleeps, and the bound below would catch it.
 */
const OUTPUT_TOKENS = Math.ceil((MAX_AHEAD_BYTES + 30 * 1024 * 1024) / BYTES_PER_TOKEN);
/** What the client reads before it stops reading. */
const READ_BEFORE_PAUSE = 256 * 1024;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

interface SlowReader {
  response: IncomingMessage;
  requestId: string;
  /** Body bytes the client has read so far. */
  read(): number;
  /** Starts reading again and resolves with the whole body once it ends. */
  finish(): Promise<Buffer>;
  /** Closes the connection without reading further. */
  leave(): void;
}

/**
 * Streams a long chat completion through the gateway and stops reading after `pauseAfter`
 * bytes: the socket is no longer read, so the client's kernel buffer fills and TCP stops the
 * gateway's writes, just as a slow mobile client would.
 */
function slowStream(key: string, pauseAfter: number): Promise<SlowReader> {
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: true,
    // Asked for by the client, so the gateway strips nothing and the bytes compare one to one.
    stream_options: { include_usage: true },
    max_tokens: OUTPUT_TOKENS,
    messages: [{ role: 'user', content: 'Tell me a very long story' }],
  });
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-sim-output-tokens': String(OUTPUT_TOKENS) },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      let ended: Promise<Buffer> | undefined;
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        read += chunk.length;
        if (read >= pauseAfter && !ended) response.pause();
      };
      response.on('data', onData);
      response.on('error', () => {});
      resolve({
        response,
        requestId: String(response.headers['x-request-id']),
        read: () => read,
        finish: () =>
          (ended ??= new Promise((done, fail) => {
            response.once('end', () => done(Buffer.concat(chunks)));
            response.once('error', fail);
            response.resume();
          })),
        leave: () => req.destroy(),
      });
    });
    req.end(body);
  });
}

/** The simulator's record of the one streamed request of this test. */
function upstreamRecord(): RecordedRequest {
  const found = t.simulator.requests.filter((r) => r.path === '/openai/v1/chat/completions');
  expect(found).toHaveLength(1);
  return found[0]!;
}

/**
 * Waits until the upstream's written bytes stop growing (unchanged for `quietPolls` polls in a
 * row) and returns that figure. Progress, not a clock, decides: on a loaded machine the buffers
 * just take longer to fill.
 */
async function upstreamSettled(record: RecordedRequest, quietPolls = 10): Promise<number> {
  let last = -1;
  let quiet = 0;
  return eventually(
    async () => {
      const now = record.responseBytes;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
      return quiet >= quietPolls ? now : undefined;
    },
    'the upstream stops writing',
    30_000,
    100,
  );
}

describe('a slow client: backpressure reaches the upstream', () => {
  it('a client that stops reading holds the upstream back; once it reads on it gets every byte, and the ledger and budget are exact', { timeout: 120_000 }, async () => {
    const key = await budgetedKey(t, 'slow-reader', '10');
    t.simulator.clearRequests();
    const reader = await slowStream(key.secret, READ_BEFORE_PAUSE);
    expect(reader.response.statusCode).toBe(200);
    const record = await eventually(async () => t.simulator.requests.find((r) => r.path === '/openai/v1/chat/completions'), 'the upstream request');

    const writtenWhilePaused = await upstreamSettled(record);
    const readWhilePaused = reader.read();
    // The upstream got a little ahead (the buffers in between filled up) and then stopped.
    expect(writtenWhilePaused).toBeGreaterThan(readWhilePaused);
    expect(writtenWhilePaused - readWhilePaused).toBeLessThan(MAX_AHEAD_BYTES);

    const body = await reader.finish();
    const total = upstreamRecord().responseBytes;
    // Longer than every buffer in between could hold: the bound above was not met by a short stream.
    expect(total).toBeGreaterThan(readWhilePaused + MAX_AHEAD_BYTES + 10 * 1024 * 1024);
    expect(total).toBeGreaterThan(writtenWhilePaused + 10 * 1024 * 1024);
    expect(body.length).toBe(total);

    const text = body.toString('utf8');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const usage = JSON.parse(text.slice(text.lastIndexOf('data: {'), text.lastIndexOf('\n\ndata: [DONE]')).slice(6)).usage;
    expect(usage.completion_tokens).toBe(OUTPUT_TOKENS);

    const row = await ledgerRow(t, reader.requestId);
    expect(row).toMatchObject({ stream: true, status: 200, errorCode: null, costSource: 'computed', inputTokens: usage.prompt_tokens, outputTokens: OUTPUT_TOKENS });
    const status = await settledStatus(t, key.budgetId);
    expect(status.reservedUsd).toBe('0');
    expect(status.spentUsd).toBe(plainUsd(row.costTotalUsd));
  });

  it('a client that stops reading and then disconnects: the upstream call is cancelled, the row says client_abort, the reservation is released', { timeout: 120_000 }, async () => {
    const key = await budgetedKey(t, 'slow-leaver', '10');
    t.simulator.clearRequests();
    const reader = await slowStream(key.secret, READ_BEFORE_PAUSE);
    const record = await eventually(async () => t.simulator.requests.find((r) => r.path === '/openai/v1/chat/completions'), 'the upstream request');
    const writtenWhilePaused = await upstreamSettled(record);
    expect(writtenWhilePaused - reader.read()).toBeLessThan(MAX_AHEAD_BYTES);

    const abort = t.simulator.waitForAbort(10_000);
    reader.leave();
    // The gateway hung up on the provider mid-body: nobody pays for tokens no one reads.
    await expect(abort).resolves.toMatchObject({ headersSent: true, path: '/openai/v1/chat/completions' });
    const finalBytes = await upstreamSettled(record, 5);
    expect(finalBytes).toBeLessThan(writtenWhilePaused + MAX_AHEAD_BYTES);

    const row = await ledgerRow(t, reader.requestId);
    // The usage chunk comes last and was never seen: the estimate is billed, flagged as such.
    expect(row).toMatchObject({ stream: true, errorCode: 'client_abort', costSource: 'estimated', outputTokens: null });
    expect(Number(row.costTotalUsd)).toBeGreaterThan(0);
    const status = await settledStatus(t, key.budgetId);
    expect(status.reservedUsd).toBe('0');
    expect(status.spentUsd).toBe(plainUsd(row.costTotalUsd));
  });
});
