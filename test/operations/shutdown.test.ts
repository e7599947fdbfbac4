// Acceptance: SIGTERM while 20 streams are open. The gateway stops accepting, every stream
// runs to its end, every call leaves its usage row in PostgreSQL, and the process exits 0.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/admin/keys.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { childEnv, spawnGateway, type ChildGateway } from './child-gateway.js';

const STREAMS = 20;
const CHUNK_DELAY_MS = 150; // ~22 chunks: each stream stays open about 3 s

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
  first: string;
}

/** Opens a streamed chat completion and reads up to its first chunk. */
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
  const first = decoder.decode(firstChunk.value, { stream: true });
  const rest = (async () => {
    let text = first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
    }
  })();
  rest.catch(() => {}); // awaited below; a rejection before that is not "unhandled"
  return { requestId: response.headers.get('x-request-id')!, rest, first };
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
    gateway = spawnGateway(childEnv(database.url, simulator, { TOLLGATE_SHUTDOWN_GRACE_MS: '20000' }));
    const url = await gateway.listening();
    const key = (await createKey(database.database.prisma, gateway.env.TOLLGATE_KEY_SECRET!, { name: 'shutdown' })).secret;
    expect(await freshConnection(url)).toBe(200);

    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(url, key)));
    const ended: number[] = [];
    for (const s of streams) void s.rest.then(() => ended.push(Date.now()), () => {});
    expect(ended).toHaveLength(0); // every stream is still open when the signal arrives

    gateway.child.kill('SIGTERM');
    let exitedAt = 0;
    void gateway.exited.then(() => (exitedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 300));
    await expect(freshConnection(url)).rejects.toThrow(); // no longer accepting

    const bodies = await Promise.all(streams.map((s) => s.rest));
    for (const body of bodies) {
      // The whole stream: the final chunk with its finish reason, then [DONE].
      expect(body).toContain('"finish_reason":"stop"');
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    const code = await gateway.exited;
    expect(code, gateway.output()).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(Math.max(...ended));

    const ids = streams.map((s) => s.requestId);
    const rows = await database.database.prisma.usageRecord.findMany({ where: { requestId: { in: ids } } });
    expect(rows).toHaveLength(STREAMS);
    for (const row of rows) {
      expect(row.status).toBe(200);
      expect(row.outputTokens).toBeGreaterThan(0);
    }
  }, 90_000);
});
