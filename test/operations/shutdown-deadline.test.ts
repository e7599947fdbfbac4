// The shutdown deadline: SIGTERM gives in-flight streams server.shutdownGraceMs
// (TOLLGATE_SHUTDOWN_GRACE_MS), no more. A stream that ends within it completes; one that would
// run past it is cut at the deadline, and its call is still billed: the usage row is written
// (from the admission estimate, since the provider's usage comes only at the stream's end)
// before the process exits 0, shortly after the deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/admin/keys.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { childEnv, spawnGateway, type ChildGateway } from './child-gateway.js';

// Margins are wide on purpose: the suite shares 2 cores with PostgreSQL, Redis and other tests.
const GRACE_MS = 4_000;
/** The simulator's story is ~36 chunks: at 20 ms apart about 0.75 s, well inside the grace period. */
const SHORT_CHUNK_DELAY_MS = 20;
/** At 500 ms apart about 18 s, far past it (and past grace + flush allowance). */
const LONG_CHUNK_DELAY_MS = 500;
/**
 * After the deadline, shutdown waits for the cut call's settle (at most 2 s, in practice
 * milliseconds) and flushes the ledger against a live database (well under a second): 6 s is
 * generous even on a loaded machine, and far less than what the long stream would have needed.
 */
const FLUSH_ALLOWANCE_MS = 6_000;

let database: TestDatabase;
let simulator: Simulator;
let gateway: ChildGateway;

beforeAll(async () => {
  [database, simulator] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
});

afterAll(async () => {
  await gateway?.cleanup();
  await simulator?.close();
  await database?.drop();
});

interface Stream {
  requestId: string;
  /** Date.now() when the body ended or broke off, and whether it was the whole stream. */
  done: Promise<{ at: number; body: string; broken: boolean }>;
}

/** Opens a streamed chat completion whose upstream waits `chunkDelayMs` between chunks; reads the first chunk. */
async function openStream(url: string, key: string, chunkDelayMs: number): Promise<Stream> {
  const response = await fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-sim-chunk-delay-ms': String(chunkDelayMs) },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me a long story' }] }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let body = decoder.decode((await reader.read()).value, { stream: true });
  const done = (async () => {
    try {
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) return { at: Date.now(), body: body + decoder.decode(), broken: false };
        body += decoder.decode(value, { stream: true });
      }
    } catch {
      return { at: Date.now(), body, broken: true }; // the connection was cut
    }
  })();
  return { requestId: response.headers.get('x-request-id')!, done };
}

describe('the shutdown deadline of `tollgate start`', () => {
  it(`SIGTERM with a ${GRACE_MS} ms grace: a short stream completes, a long one is cut at the deadline and still billed, exit 0 soon after`, async () => {
    gateway = spawnGateway(childEnv(database.url, simulator, { TOLLGATE_SHUTDOWN_GRACE_MS: String(GRACE_MS), TOLLGATE_DEBUG_SHUTDOWN: '1' }));
    const url = await gateway.listening();
    const key = (await createKey(database.database.prisma, gateway.env.TOLLGATE_KEY_SECRET!, { name: 'deadline' })).secret;
    const [short, long] = await Promise.all([openStream(url, key, SHORT_CHUNK_DELAY_MS), openStream(url, key, LONG_CHUNK_DELAY_MS)]);

    const sigtermAt = Date.now();
    gateway.child.kill('SIGTERM');
    const exited = gateway.exited.then((code) => ({ code, at: Date.now() }));

    const shortEnd = await short.done;
    expect(shortEnd.broken).toBe(false);
    expect(shortEnd.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(shortEnd.at - sigtermAt).toBeLessThan(GRACE_MS);

    const longEnd = await long.done;
    expect(longEnd.body).not.toContain('data: [DONE]'); // cut, not completed
    // Cut at the deadline: not before it (the grace was given), and not long after it.
    expect(longEnd.at - sigtermAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(longEnd.at - sigtermAt).toBeLessThan(GRACE_MS + 3_000);

    const exit = await exited;
    expect(exit.code, gateway.output()).toBe(0);
    expect(exit.at - sigtermAt, gateway.output()).toBeLessThan(GRACE_MS + FLUSH_ALLOWANCE_MS);

    // Both rows were written before the process exited: read once, no polling.
    const rows = await database.database.prisma.usageRecord.findMany({ where: { requestId: { in: [short.requestId, long.requestId] } } });
    const shortRow = rows.find((r) => r.requestId === short.requestId);
    const longRow = rows.find((r) => r.requestId === long.requestId);
    expect(shortRow).toMatchObject({ status: 200, errorCode: null });
    expect(shortRow!.costSource).not.toBe('estimated');
    // The cut stream never reached its usage chunk: billed at the admission estimate, never $0.
    expect(longRow).toMatchObject({ stream: true, errorCode: 'client_abort', costSource: 'estimated' });
    expect(longRow!.costTotalUsd.toNumber()).toBeGreaterThan(0);
  }, 60_000);
});
