import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

describe('streams pass through as they arrive', () => {
  it('the first chunk reaches the client long before the slow upstream has finished', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: t.key, maxRetries: 0 });
    // Warm: the file's first call pays one-time costs (key lookup, estimator, a new upstream
    // connection) that are not what the timings below are about.
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
    const started = performance.now();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stream something slowly please' }] },
      { headers: { 'x-sim-chunk-delay-ms': '60' } },
    );
    let firstAt = 0;
    let lastAt = 0;
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks += 1;
      lastAt = performance.now() - started;
      if (chunks === 1) firstAt = lastAt;
    }
    const total = performance.now() - started;
    expect(chunks).toBeGreaterThan(4);
    // With 60 ms between chunks the whole stream takes (chunks - 1) * 60 ms; the first chunk
    // must arrive that long before the last, i.e. it was not held back with the rest. Measured
    // between chunks, not from the request's start: a slow start (a loaded machine) is not
    // buffering. A buffering gateway delivers every chunk at once: first and last together.
    expect(total).toBeGreaterThan((chunks - 1) * 60 * 0.9);
    expect(lastAt - firstAt).toBeGreaterThan((chunks - 2) * 60 * 0.9);
  });

  it('a client abort reaches the upstream: the simulator sees its socket close', async () => {
    const controller = new AbortController();
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'x-sim-chunk-delay-ms': '200' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'A long story' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    const abortSeen = t.simulator.waitForAbort(5000);
    controller.abort();
    await expect(abortSeen).resolves.toBeTruthy();
  });

  it('hop-by-hop headers are not forwarded upstream', async () => {
    t.simulator.clearRequests();
    await fetch(`${t.url}/openai/v1/models`, { headers: { authorization: `Bearer ${t.key}`, 'proxy-authorization': 'Basic secret', te: 'trailers', 'x-custom': 'kept' } });
    const seen = t.simulator.requests[0]!.headers;
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen.te).toBeUndefined();
    expect(seen['x-custom']).toBe('kept');
  });

  // What a provider (or a proxy in front of it) might send for its own hop to the gateway. A
  // header named in Connection is hop-by-hop too (RFC 9110 §7.6.1). The gateway's own hop to the
  // client carries its own Connection/Keep-Alive, so for those only the upstream's values are
  // looked for (undici consumes the upstream's Keep-Alive before the gateway sees it; the check
  // holds the whole path to the contract, not headers.ts alone).
  const UPSTREAM_HOP_HEADERS = {
    connection: 'keep-alive, x-upstream-hop',
    'keep-alive': 'timeout=9, max=77',
    'x-upstream-hop': 'listed in connection',
    'proxy-authenticate': 'Basic realm="upstream"',
    te: 'trailers',
    trailer: 'x-upstream-checksum',
    upgrade: 'h2c',
    'x-upstream-note': 'end-to-end',
  };

  function expectNoUpstreamHopHeaders(headers: Headers) {
    // The control: the simulator did send its extra headers, and an end-to-end one got through.
    expect(headers.get('x-upstream-note')).toBe('end-to-end');
    for (const name of ['x-upstream-hop', 'proxy-authenticate', 'te', 'trailer', 'upgrade']) expect(headers.get(name), name).toBeNull();
    expect(headers.get('connection') ?? '').not.toContain('x-upstream-hop');
    expect(headers.get('keep-alive') ?? '').not.toContain('max=77');
  }

  it('hop-by-hop headers of the upstream response are not forwarded to the client (JSON and SSE)', async () => {
    const post = (stream: boolean) =>
      fetch(`${t.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'x-sim-response-headers': JSON.stringify(UPSTREAM_HOP_HEADERS) },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const json = await post(false);
    expect(json.status).toBe(200);
    expect(((await json.json()) as { object: string }).object).toBe('chat.completion');
    expectNoUpstreamHopHeaders(json.headers);

    const sse = await post(true);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    expect(await sse.text()).toContain('data: [DONE]');
    expectNoUpstreamHopHeaders(sse.headers);
  });

  it('a sane client request id is kept; anything else is replaced', async () => {
    const keep = await fetch(`${t.url}/openai/v1/models`, { headers: { authorization: `Bearer ${t.key}`, 'x-request-id': 'client-req-42' } });
    expect(keep.headers.get('x-request-id')).toBe('client-req-42');
    const replaced = await fetch(`${t.url}/openai/v1/models`, { headers: { authorization: `Bearer ${t.key}`, 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

});
