// Acceptance: SIGTERM while 20 streams are open. The gateway stops accepting, every stream
// runs to its end, every call leaves its usage row in PostgreSQL, and the process exits 0.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/admin/keys.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/faults.js';
import { childEnv, spawnGateway, type ChildGateway } from './child-gateway.js';

const STREAMS = 20;
// 36 pauses between the story's 37 events: each stream stays open about 11 s, so on a loaded
// machine the first one opened is still open well after the 20th opened and the signal went.
const CHUNK_DELAY_MS = 300;

let database: TestDatabase;
let simulator: Simulator;
let gateway: ChildGateway;

beforeAll(async () => {
  [database, simulator] = await Promise.all([createTestDatabase(), startSimulator({ port: 0, chunkDelayMs: CHUNK_DELAY_MS })]);
});

afterAll(async () => {
  await gateway?.cleanup();
  await simulator?.close();
  await database?.drop();
});

interface OpenStream {
  requestId: string;
  /** Resolves with the whole body once the stream ends. */
  rest: Promise<string>;
  /** Date.now() of every chunk read, the first included. */
  chunkTimes: number[];
  /** Date.now() when the body ended; undefined while the stream is open. */
  endedAt?: number;
}

/** Opens a streamed chat completion and reads up to its first chunk; the rest is read in the background. */
async function openStream(url: string, key: string): Promise<OpenStream> {
  const response = await fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a long story' }] }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const firstChunk = await reader.read();
  const stream: OpenStream = { requestId: response.headers.get('x-request-id')!, rest: Promise.resolve(''), chunkTimes: [Date.now()] };
  stream.rest = (async () => {
    let text = decoder.decode(firstChunk.value, { stream: true });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        stream.endedAt = Date.now();
        return text + decoder.decode();
      }
      stream.chunkTimes.push(Date.now());
      text += decoder.decode(value, { stream: true });
    }
  })();
  stream.rest.catch(() => {}); // awaited below; a rejection before that is not "unhandled"
  return stream;
}

/** A request on a connection of its own: refused once the gateway stopped accepting. */
function freshConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/healthz`, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
  });
}

describe('graceful shutdown of `tollgate start`', () => {
  it('SIGTERM with 20 open streams: all complete, 20 usage rows, exit code 0', async () => {
    // The grace outlasts the streams (about 11 s each) with room for a loaded machine.
    gateway = spawnGateway(childEnv(database.url, simulator, { TOLLGATE_SHUTDOWN_GRACE_MS: '30000' }));
    const url = await gateway.listening();
    const key = (await createKey(database.database.prisma, gateway.env.TOLLGATE_KEY_SECRET!, { name: 'shutdown' })).secret;
    expect(await freshConnection(url)).toBe(200);
    // Warm: the child's one-time costs of a first call (key lookup, estimator, upstream
    // connection) are paid here, not by the streams below.
    const warm = await fetch(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();

    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(url, key)));
    // Open when the signal goes: none ended, whatever the reads in the background have done so far.
    expect(streams.filter((s) => s.endedAt !== undefined)).toHaveLength(0);

    const sigtermAt = Date.now();
    gateway.child.kill('SIGTERM');
    let exitedAt = 0;
    void gateway.exited.then(() => (exitedAt = Date.now()));
    // No longer accepting, while the streams are still being served: the listener closes at
    // the signal, not after the streams ended. How soon it closes depends on the machine's load.
    await eventually(() => freshConnection(url).then(() => undefined, () => true), 'new connections refused', 10_000);
    expect(streams.filter((s) => s.endedAt === undefined).length).toBeGreaterThan(0);

    const bodies = await Promise.all(streams.map((s) => s.rest));
    for (const body of bodies) {
      // The whole stream: the final chunk with its finish reason, then [DONE].
      expect(body).toContain('"finish_reason":"stop"');
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    // Each stream was still being served after the signal: it kept receiving chunks, and ended after it.
    for (const s of streams) {
      expect(s.endedAt!, s.requestId).toBeGreaterThan(sigtermAt);
      expect(s.chunkTimes.filter((at) => at > sigtermAt).length, s.requestId).toBeGreaterThan(0);
    }
    const code = await gateway.exited;
    expect(code, gateway.output()).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(Math.max(...streams.map((s) => s.endedAt!)));

    const ids = streams.map((s) => s.requestId);
    const rows = await database.database.prisma.usageRecord.findMany({ where: { requestId: { in: ids } } });
    expect(rows).toHaveLength(STREAMS);
    for (const row of rows) {
      expect(row.status).toBe(200);
      expect(row.outputTokens).toBeGreaterThan(0);
      // Priced from the usage the finished stream reported, not from the admission estimate.
      expect(row.costSource).not.toBe('estimated');
      expect(row.errorCode).toBeNull();
    }
  }, 120_000);
});
