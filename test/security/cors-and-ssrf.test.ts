// CORS is closed by default, and nothing a client sends can choose where the gateway connects.
// Requests are written as raw HTTP over a socket (fetch would normalise away the very request
// targets tried here: `..`, `%2e%2e`, absolute URLs). An "evil" HTTP server stands ready on
// 127.0.0.1 and every test asserts it never received a byte of a request.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { raw, type RawAnswer } from '../support/raw-http.js';

interface Recorder {
  server: Server;
  port: number;
  url: string;
  seen: IncomingMessage[];
}

async function listen(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<Recorder> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  // A CONNECT tunnel or an upgrade would not reach the request handler: count those too.
  server.on('connect', (req: IncomingMessage, socket: net.Socket) => {
    seen.push(req);
    socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: net.Socket) => {
    seen.push(req);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}`, seen };
}

let t: TestGateway;
let evil: Recorder;
/**
 * An OpenAI-compatible upstream (xAI's slot) with habits the simulator lacks: it answers with
 * permissive CORS headers, as public APIs do, and redirects `/v1/redirect` to the evil server.
 */
let provider: Recorder;
let evilHost: string;

beforeAll(async () => {
  evil = await listen((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"evil":true}'));
  evilHost = `127.0.0.1:${evil.port}`;
  provider = await listen((req, res) => {
    req.resume();
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', 'access-control-allow-headers': 'authorization', vary: 'Origin' };
    if (req.url?.includes('/redirect')) {
      res.writeHead(307, { ...cors, location: `${evil.url}/stolen`, 'content-type': 'application/json' }).end('{}');
      return;
    }
    const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
    const body = { id: 'x', object: 'chat.completion', created: 1, model: 'grok-4', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage };
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  t = await startTestGateway({ env: { TOLLGATE_XAI_BASE_URL: `${provider.url}/v1` } });
});
afterAll(async () => {
  await t?.close();
  for (const r of [evil, provider]) {
    r?.server.closeAllConnections();
    await new Promise((resolve) => r?.server.close(resolve));
  }
});
beforeEach(() => {
  t.simulator.clearRequests();
  provider.seen.length = 0;
});

const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function post(target: string, extraHeaders: string[] = [], body = CHAT): Promise<RawAnswer> {
  const host = new URL(t.url).host;
  const head = [`POST ${target} HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${t.key}`, 'Content-Type: application/json', ...extraHeaders].join('\r\n');
  return raw(t.url, head, body);
}

function corsHeaders(answer: RawAnswer | Headers): string[] {
  const names = answer instanceof Headers ? [...answer.keys()] : Object.keys(answer.headers);
  return names.filter((name) => name.toLowerCase().startsWith('access-control-'));
}

describe('CORS is closed by default', () => {
  it('a preflight from a foreign origin gets no Access-Control-Allow-* header, on every kind of route', async () => {
    for (const path of ['/openai/v1/chat/completions', '/gemini/v1beta/models/gemini-2.5-flash:generateContent', '/xai/v1/chat/completions', '/admin/keys', '/metrics', '/dashboard']) {
      const head = [`OPTIONS ${path} HTTP/1.1`, `Host: ${new URL(t.url).host}`, 'Origin: https://evil.example', 'Access-Control-Request-Method: POST', 'Access-Control-Request-Headers: authorization, content-type'].join('\r\n');
      const answer = await raw(t.url, head);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(corsHeaders(answer), path).toEqual([]);
    }
    // Preflights carry no credentials: none was forwarded to a provider to answer for us.
    expect(t.simulator.requests).toHaveLength(0);
    expect(provider.seen).toHaveLength(0);
  });

  it('ordinary answers (proxied, admin, health, metrics) carry no Access-Control-Allow-Origin, even when the provider sent one', async () => {
    const origin = { origin: 'https://evil.example' };
    const answers = [
      await fetch(`${t.url}/openai/v1/chat/completions`, { method: 'POST', headers: { ...origin, authorization: `Bearer ${t.key}`, 'content-type': 'application/json' }, body: CHAT }),
      // This upstream answers with "*" and allow-credentials: a gateway must not adopt them.
      await fetch(`${t.url}/xai/v1/chat/completions`, { method: 'POST', headers: { ...origin, authorization: `Bearer ${t.key}`, 'content-type': 'application/json' }, body: CHAT.replace('gpt-4o-mini', 'grok-4') }),
      await fetch(`${t.url}/admin/keys`, { headers: { ...origin, authorization: `Bearer ${t.gateway.adminToken}` } }),
      await fetch(`${t.url}/healthz`, { headers: origin }),
      await fetch(`${t.url}/metrics`, { headers: origin }),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.url).toBe(200);
      expect(corsHeaders(answer.headers), answer.url).toEqual([]);
      await answer.arrayBuffer();
    }
    expect(provider.seen).toHaveLength(1);
  });
});

describe('no client-controlled upstream (SSRF)', () => {
  afterAll(() => {
    // Checked once more at the very end: nothing at all reached the evil server.
    expect(evil.seen.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('Host, X-Forwarded-Host, Forwarded and custom-host style headers do not move the upstream', async () => {
    const attempts: string[][] = [
      [`X-Forwarded-Host: ${evilHost}`, 'X-Forwarded-Proto: http'],
      [`Forwarded: host=${evilHost};proto=http`],
      [`x-portkey-custom-host: ${evil.url}/v1`, `x-portkey-provider: openai`],
      [`x-tollgate-upstream: ${evil.url}`, `x-upstream-url: ${evil.url}`, `x-base-url: ${evil.url}`],
      [`X-Original-URL: ${evil.url}/openai/v1/chat/completions`, `X-Rewrite-URL: ${evil.url}/x`],
    ];
    for (const extra of attempts) {
      const answer = await post('/openai/v1/chat/completions', extra);
      expect(answer.status, extra.join()).toBe(200);
    }
    // A Host header naming the evil server (the request still arrives on the gateway's socket).
    const host = await raw(t.url, [`POST /openai/v1/chat/completions HTTP/1.1`, `Host: ${evilHost}`, `Authorization: Bearer ${t.key}`, 'Content-Type: application/json'].join('\r\n'), CHAT);
    expect(host.status).toBe(200);
    expect(t.simulator.requests).toHaveLength(attempts.length + 1);
    const simulatorHost = new URL(t.simulator.url).host;
    for (const seen of t.simulator.requests) {
      expect(seen.headers.host).toBe(simulatorHost);
      expect(seen.headers['x-forwarded-host']).toBeUndefined();
      expect(seen.headers.forwarded).toBeUndefined();
    }
    expect(evil.seen).toHaveLength(0);
  });

  it('absolute-form request targets ("POST http://evil/...") are refused with 400 and reach no upstream', async () => {
    for (const target of [`${evil.url}/openai/v1/chat/completions`, `http://${evilHost}/v1/chat/completions`, `http://evil.example/openai/v1/chat/completions`, `http://evil.example/gemini/v1beta/models/gemini-2.5-flash:generateContent`]) {
      const answer = await post(target);
      expect(answer.status, target).toBe(400);
    }
    expect(t.simulator.requests).toHaveLength(0);
    expect(evil.seen).toHaveLength(0);
  });

  it('CONNECT tunnels are refused', async () => {
    const answer = await raw(t.url, `CONNECT ${evilHost} HTTP/1.1\r\nHost: ${evilHost}`);
    expect(answer.status === 0 || answer.status >= 400).toBe(true);
    expect(evil.seen).toHaveLength(0);
  });

  it('paths that climb out of the provider root or smuggle a host are refused or stay under the provider root', async () => {
    const refused = [
      '/openai/v1/../../../stolen',
      '/openai/v1/chat/../../../../stolen',
      '/openai/v1/%2e%2e/%2e%2e/stolen',
      '/openai/v1/%2E%2E%2F%2E%2E%2Fstolen',
      '/openai/v1/.%2e/stolen',
      '/openai/v1//evil.example/chat/completions',
      `/openai/v1//${evilHost}/v1/chat/completions`,
      '/openai/v1/chat%2fcompletions',
      '/openai/v1/chat\\..\\..\\stolen',
      `/gemini/v1beta/models/http:%2F%2F${evilHost}%2Fx:generateContent`,
    ];
    for (const target of refused) {
      const answer = await post(target);
      expect(answer.status, target).toBe(400);
    }
    expect(t.simulator.requests).toHaveLength(0);

    // Not refused, but harmless: the text lands in the path on the configured upstream.
    for (const target of [`/openai/v1/@${evilHost}/chat/completions`, `/openai/v1/chat/completions@${evilHost}`, `/openai/v1/chat/completions?url=${evil.url}&host=${evilHost}`]) {
      await post(target);
    }
    const simulatorHost = new URL(t.simulator.url).host;
    for (const seen of t.simulator.requests) {
      expect(seen.headers.host).toBe(simulatorHost);
      expect(seen.path.startsWith('/openai/v1/')).toBe(true);
    }
    expect(evil.seen).toHaveLength(0);
  });

  it('an upstream redirect is handed to the client, never followed by the gateway', async () => {
    const answer = await post('/xai/v1/redirect', [], '{}');
    expect(answer.status).toBe(307);
    expect(answer.headers.location).toBe(`${evil.url}/stolen`);
    expect(provider.seen).toHaveLength(1);
    expect(evil.seen).toHaveLength(0);
  });
});
