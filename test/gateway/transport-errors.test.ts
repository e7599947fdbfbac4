import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort } from '../support/ports.js';

let t: TestGateway;
/** A second instance on the same database (so the same key works) whose Gemini upstream refuses connections. */
let geminiDown: TestGateway;
beforeAll(async () => {
  const port = await closedPort();
  t = await startTestGateway({ env: { TOLLGATE_XAI_BASE_URL: `http://127.0.0.1:${port}/xai/v1` } });
  geminiDown = await startTestGateway({ shareWith: t, env: { TOLLGATE_GEMINI_BASE_URL: `http://127.0.0.1:${port}/gemini/v1beta` } });
});
afterAll(async () => {
  await geminiDown?.close();
  await t?.close();
});

describe('upstream failures in the caller provider shape', () => {
  it('connection refused → 502 OpenAI-shaped, no cost', async () => {
    const response = await fetch(`${t.url}/xai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'grok-4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = (await response.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'server_error', code: 'upstream_unavailable' });
    expect(body.error.message).not.toContain('127.0.0.1');
  });

  it.each([
    ['generateContent', 'models/gemini-2.5-flash:generateContent'],
    ['streamGenerateContent', 'models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
  ])('connection refused on a Gemini %s → 502 in the google.rpc.Status shape, with a request id', async (_name, route) => {
    const response = await fetch(`${geminiDown.url}/gemini/v1beta/${route}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': t.key, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error).toMatchObject({ code: 502, status: 'UNAVAILABLE' });
    expect(body.error.message).not.toContain('127.0.0.1');
    expect(JSON.stringify(body)).not.toContain('upstream-gemini-secret');
  });

  it('an upstream error status passes through with its own body', async () => {
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': t.key, 'content-type': 'application/json', 'x-sim-scenario': 'error-503' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { status: string } }).error.status).toBeTruthy();
  });

  it('invalid JSON, a wrong content type, a missing model: 4xx in the provider shape, nothing forwarded', async () => {
    t.simulator.clearRequests();
    const post = (body: string, type = 'application/json') =>
      fetch(`${t.url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${t.key}`, 'content-type': type }, body });
    const invalid = await post('{"model": ');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as any).error.type).toBe('invalid_request_error');
    expect((await post('model=gpt-4o', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post(JSON.stringify({ messages: [] }))).status).toBe(400);
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('an unknown path under no provider is a 404', async () => {
    const response = await fetch(`${t.url}/nowhere/at/all`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });
});
