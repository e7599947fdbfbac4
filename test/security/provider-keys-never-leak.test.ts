// Provider keys, the client's Tollgate key and the gateway's own secrets must never show up in a
// log line, a response (body or header) or /metrics, on success and on every failure path.
// Two real gateways log at trace level into memory through the production logger
// (createLogger, with its redaction): one in front of a working simulator, one whose upstreams
// refuse connections or reject the provider key. Every provider key is a distinctive canary,
// so any spelling of it, whole or cut after its random part, is found by a plain text search.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { admin } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort } from '../support/ports.js';

/** A provider key nobody could confuse with anything else; `marker` is its random part. */
function canary(prefix: string): { key: string; marker: string } {
  const marker = randomBytes(10).toString('hex');
  return { key: `${prefix}LEAKCANARY-${marker}`, marker };
}

const OPENAI = canary('sk-proj-');
const XAI = canary('xai-');
// Contains the simulator's trigger word, so Google's "API key not valid" answer is exercised.
const GEMINI_REJECTED = canary('AIza-sim-invalid-key-');
const GEMINI = canary('AIza');

/** Every log line both gateways wrote, as written (JSON text). */
const logLines: string[] = [];
/** Every response status line, header and body the tests received, as text. */
const responses: string[] = [];

function capturingLogger() {
  return createLogger('trace', {
    write(line: string) {
      logLines.push(line);
    },
  });
}

let simulator: Simulator;
/**
 * Healthy upstreams, a short headers timeout for the hang; every other call's upstream answers
 * within it too, so not so short that a loaded machine misses it.
 */
let healthy: TestGateway;
/** OpenAI and xAI upstreams refuse connections; Gemini's rejects the provider key. */
let broken: TestGateway;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, requireAuth: true });
  healthy = await startTestGateway({
    simulator,
    logger: capturingLogger(),
    env: { OPENAI_API_KEY: OPENAI.key, GEMINI_API_KEY: GEMINI.key, XAI_API_KEY: XAI.key, TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS: '3000' },
  });
  const refused = `http://127.0.0.1:${await closedPort()}`;
  broken = await startTestGateway({
    simulator,
    logger: capturingLogger(),
    env: {
      OPENAI_API_KEY: OPENAI.key,
      GEMINI_API_KEY: GEMINI_REJECTED.key,
      XAI_API_KEY: XAI.key,
      TOLLGATE_OPENAI_BASE_URL: `${refused}/openai/v1`,
      TOLLGATE_XAI_BASE_URL: `${refused}/xai/v1`,
    },
  });
});
afterAll(async () => {
  await Promise.allSettled([healthy?.close(), broken?.close()]);
  await simulator?.close();
});

/** Sends a request, keeps everything the client could see, and returns status and body. */
async function send(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    responses.push(`fetch failed: ${String(error)}`);
    return { status: 0, text: '' };
  }
  const text = await response.text().catch((error: unknown) => `body cut: ${String(error)}`);
  responses.push(`${response.status} ${JSON.stringify([...response.headers])}\n${text}`);
  return { status: response.status, text };
}

function post(t: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}) {
  return send(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const chatBody = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], ...extra });
const grokBody = (extra: Record<string, unknown> = {}) => ({ model: 'grok-4', messages: [{ role: 'user', content: 'Say hello' }], ...extra });
const geminiBody = { contents: [{ parts: [{ text: 'Say hello' }] }] };

/** Every secret that must stay inside the gateway, with the fragments to look for. */
function secrets(): Array<{ name: string; needles: string[] }> {
  const list = [
    { name: 'OpenAI provider key', needles: [OPENAI.key, OPENAI.marker] },
    { name: 'xAI provider key', needles: [XAI.key, XAI.marker] },
    { name: 'Gemini provider key', needles: [GEMINI.key, GEMINI.marker] },
    { name: 'rejected Gemini provider key', needles: [GEMINI_REJECTED.key, GEMINI_REJECTED.marker] },
  ];
  for (const t of [healthy, broken]) {
    // The part after the visible prefix: a log that printed the key cut short would still hold it.
    list.push({ name: 'client Tollgate key', needles: [t.key, t.key.slice(12, 40)] });
    list.push({ name: 'admin token', needles: [t.gateway.adminToken] });
    list.push({ name: 'key hash secret', needles: [t.gateway.keyHashSecret] });
  }
  return list;
}

function leaks(texts: string[]): string[] {
  const found: string[] = [];
  for (const { name, needles } of secrets()) {
    for (const needle of needles) {
      const at = texts.findIndex((text) => text.includes(needle));
      if (at !== -1) found.push(`${name} in: ${texts[at]!.slice(0, 300)}`);
    }
  }
  return found;
}

describe('no secret in logs, responses or metrics, whatever happens', () => {
  it('drives successes and failures through both gateways', { timeout: 90_000 }, async () => {
    const t = healthy;
    // Successes on every provider, streamed and not, the Gemini key in the header and in ?key=.
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), bearer(t.key))).status).toBe(200);
    expect((await post(t, '/openai/v1/chat/completions', chatBody({ stream: true }), bearer(t.key))).status).toBe(200);
    expect((await post(t, '/xai/v1/chat/completions', grokBody({ stream: true, stream_options: { include_usage: true } }), bearer(t.key))).status).toBe(200);
    expect((await post(t, '/gemini/v1beta/models/gemini-2.5-flash:generateContent', geminiBody, { 'x-goog-api-key': t.key })).status).toBe(200);
    expect((await post(t, `/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${t.key}`, geminiBody)).status).toBe(200);
    expect((await send(`${t.url}/openai/v1/models`, { headers: bearer(t.key) })).status).toBe(200);

    // Upstream failures: 5xx, a provider 401, a reset mid-stream, a hang past the headers timeout.
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), { ...bearer(t.key), 'x-sim-scenario': 'error-503' })).status).toBe(503);
    expect((await post(t, '/xai/v1/chat/completions', grokBody(), { ...bearer(t.key), 'x-sim-scenario': 'error-500' })).status).toBe(500);
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), { ...bearer(t.key), 'x-sim-scenario': 'error-401' })).status).toBe(401);
    expect((await post(t, '/gemini/v1beta/models/gemini-2.5-flash:generateContent', geminiBody, { 'x-goog-api-key': t.key, 'x-sim-scenario': 'error-503' })).status).toBe(503);
    await post(t, '/openai/v1/chat/completions', chatBody({ stream: true }), { ...bearer(t.key), 'x-sim-scenario': 'reset-midstream' });
    await post(t, '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', geminiBody, { 'x-goog-api-key': t.key, 'x-sim-scenario': 'reset-midstream' });
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), { ...bearer(t.key), 'x-sim-scenario': 'hang' })).status).toBe(504);

    // A client that leaves mid-stream.
    const leaving = new AbortController();
    const stream = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(t.key), 'content-type': 'application/json', 'x-sim-chunk-delay-ms': '100' },
      body: JSON.stringify(chatBody({ stream: true })),
      signal: leaving.signal,
    });
    await stream.body!.getReader().read();
    leaving.abort();
    await simulator.waitForAbort(5_000);

    // Bad input and refused keys.
    expect((await post(t, '/openai/v1/chat/completions', '{"model": ', bearer(t.key))).status).toBe(400);
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), { ...bearer(t.key), 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(t, '/openai/v1/chat/completions', { messages: [] }, bearer(t.key))).status).toBe(400);
    expect((await post(t, '/openai/v1/embeddings', { model: 'text-embedding-3-small', input: 'x', stream: true }, bearer(t.key))).status).toBe(400);
    expect((await post(t, '/openai/v1/chat/completions', 'x'.repeat(10 * 1024 * 1024 + 1), bearer(t.key))).status).toBe(413);
    expect((await post(t, '/openai/v1/chat/completions', chatBody())).status).toBe(401);
    expect((await post(t, '/openai/v1/chat/completions', chatBody(), bearer(`tg_${'x'.repeat(43)}`))).status).toBe(401);
    expect((await post(t, '/gemini/v1beta/models/gemini-2.5-flash:generateContent?key=tg_not-a-real-key-at-all', geminiBody)).status).toBe(401);
    expect((await send(`${t.url}/nowhere`)).status).toBe(404);

    // The admin API's failures: no token, a wrong token, bad JSON, invalid input, unknown ids.
    expect((await send(`${t.url}/admin/keys`)).status).toBe(401);
    expect((await send(`${t.url}/admin/keys`, { headers: bearer(`${t.gateway.adminToken}x`) })).status).toBe(401);
    const adminHeaders = bearer(t.gateway.adminToken);
    expect((await post(t, '/admin/keys', '{"name":', adminHeaders)).status).toBe(400);
    expect((await post(t, '/admin/budgets', { level: 'nowhere', limitUsd: -1 }, adminHeaders)).status).toBe(400);
    expect((await send(`${t.url}/admin/usage/no-such-request`, { headers: adminHeaders })).status).toBe(404);
    expect((await send(`${t.url}/admin/keys`, { headers: adminHeaders })).status).toBe(200);

    // The broken gateway: refused connections (502) and a provider that rejects our key.
    const b = broken;
    expect((await post(b, '/openai/v1/chat/completions', chatBody(), bearer(b.key))).status).toBe(502);
    expect((await post(b, '/xai/v1/chat/completions', grokBody({ stream: true }), bearer(b.key))).status).toBe(502);
    expect((await post(b, '/gemini/v1beta/models/gemini-2.5-flash:generateContent', geminiBody, { 'x-goog-api-key': b.key })).status).toBe(400);
    expect((await post(b, `/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${b.key}`, geminiBody)).status).toBe(400);

    for (const gateway of [healthy, broken]) {
      for (const path of ['/metrics', '/healthz']) expect((await send(`${gateway.url}${path}`)).status).toBe(200);
      // Each /readyz is a fresh check of PostgreSQL and Redis bounded at 1 s, which a loaded
      // machine can miss once: ask again for a while (every answer is kept and searched).
      const deadline = Date.now() + 10_000;
      let ready = await send(`${gateway.url}/readyz`);
      while (ready.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await send(`${gateway.url}/readyz`);
      }
      expect(ready.status).toBe(200);
    }
  });

  it('the capture is real: the failure paths above were logged, and the metrics saw the traffic', () => {
    // Without these, an empty capture would pass the searches below.
    expect(logLines.some((line) => line.includes('upstream transport error'))).toBe(true);
    expect(logLines.length).toBeGreaterThan(5);
    const metrics = responses.filter((text) => text.includes('# HELP'));
    expect(metrics).toHaveLength(2);
    // The provider key really was used: the upstream got it (and so it could have leaked back).
    expect(simulator.requests.some((r) => r.headers.authorization === `Bearer ${OPENAI.key}`)).toBe(true);
    expect(simulator.requests.some((r) => r.headers['x-goog-api-key'] === GEMINI.key)).toBe(true);
    expect(simulator.requests.some((r) => r.headers['x-goog-api-key'] === GEMINI_REJECTED.key)).toBe(true);
  });

  it('no log line holds any provider key, the client key, the admin token or the hash secret', () => {
    expect(leaks(logLines)).toEqual([]);
  });

  it('no response (status, headers, body; /metrics included) holds any of them', () => {
    expect(leaks(responses)).toEqual([]);
  });

  it('the upstream never received the client\'s Tollgate key: not in a header, the query, the path or the body', () => {
    expect(simulator.requests.length).toBeGreaterThan(10);
    for (const seen of simulator.requests) {
      const text = JSON.stringify({ path: seen.path, query: seen.query, headers: seen.headers, body: seen.body });
      expect(text).not.toContain(healthy.key);
      expect(text).not.toContain(broken.key);
      expect(seen.query.key).toBeUndefined();
    }
  });
});

describe('what the client sends for one hop only, or to authenticate, stays with the gateway', () => {
  // test/gateway/streaming.test.ts covers proxy-authorization and te; this adds the rest of the
  // RFC 9110 hop-by-hop list, headers named in Connection, and every place a client key can sit.
  it('hop-by-hop headers, Connection-listed headers, cookies and every client auth header are not forwarded', async () => {
    simulator.clearRequests();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${healthy.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${healthy.key}`,
          'x-api-key': healthy.key,
          'api-key': healthy.key,
          'x-goog-api-key': healthy.key,
          cookie: `session=${healthy.key}`,
          'content-type': 'application/json',
          connection: 'keep-alive, x-hop-secret',
          'keep-alive': 'timeout=5',
          'x-hop-secret': 'for this hop only',
          'proxy-authorization': 'Basic c2VjcmV0',
          'proxy-connection': 'keep-alive',
          upgrade: 'websocket',
          trailer: 'x-checksum',
          te: 'trailers',
          forwarded: 'for=10.0.0.1;host=evil.example',
          'x-forwarded-for': '10.0.0.1',
          'x-forwarded-host': 'evil.example',
          'x-kept': 'yes',
        },
      });
      req.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      });
      req.on('error', reject);
      req.end(JSON.stringify(chatBody()));
    });
    expect(status).toBe(200);
    expect(simulator.requests).toHaveLength(1);
    const seen = simulator.requests[0]!.headers;
    for (const name of ['keep-alive', 'x-hop-secret', 'proxy-authorization', 'proxy-connection', 'upgrade', 'trailer', 'te', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie']) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(seen.authorization).toBe(`Bearer ${OPENAI.key}`);
    expect(seen['x-kept']).toBe('yes');
    expect(JSON.stringify(seen)).not.toContain(healthy.key);
  });

  it('a new key\'s secret is in the creating answer only: not in the key list, not in the database, not in a log line', async () => {
    const created = await admin(healthy, 'POST', '/keys', { name: 'shown-once' });
    expect(created.secret).toMatch(/^tg_/);
    const listed = await admin(healthy, 'GET', '/keys');
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const rows = await healthy.gateway.storage.prisma.apiKey.findMany();
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    expect(logLines.some((line) => line.includes(created.secret))).toBe(false);
  });
});
