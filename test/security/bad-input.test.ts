// Bad input that the other suites do not already send (test/gateway/transport-errors.test.ts has
// invalid JSON, a wrong content type and a missing model; test/faults/keys.test.ts malformed
// keys): each is refused before anything is admitted, in the caller's provider shape, nothing
// reaches the upstream, and no usage row or budget reservation is left behind.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { budgetedKey, ledgerRow, settledStatus, type BudgetedKey } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { raw } from '../support/raw-http.js';

let t: TestGateway;
let key: BudgetedKey;
beforeAll(async () => {
  t = await startTestGateway();
  key = await budgetedKey(t, 'bad-input', '10');
});
afterAll(async () => t?.close());
beforeEach(() => {
  t.simulator.clearRequests();
});

const BODY_LIMIT = 10 * 1024 * 1024; // server.bodyLimitBytes default

function openai(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/openai/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

function gemini(body: string) {
  return fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': key.secret, 'content-type': 'application/json' },
    body,
  });
}

describe('bad input is refused before admission', () => {
  it('a body over the limit → 413 in the OpenAI and in the Gemini shape', async () => {
    const huge = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] });
    const refused = await openai('/chat/completions', huge);
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as any).error).toMatchObject({ type: 'invalid_request_error', code: 'payload_too_large' });
    const google = await gemini(JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(BODY_LIMIT) }] }] }));
    expect(google.status).toBe(413);
    expect(((await google.json()) as any).error).toMatchObject({ code: 413, status: 'INVALID_ARGUMENT' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('"stream": true on an endpoint that does not stream (embeddings) → 400', async () => {
    const refused = await openai('/embeddings', JSON.stringify({ model: 'text-embedding-3-small', input: 'hello', stream: true }));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error).toMatchObject({ type: 'invalid_request_error', message: 'This endpoint does not stream; remove "stream": true.' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('JSON that is not an object, a model that is not a string, an empty body → 400 "names no model"', async () => {
    const bodies = ['[]', '"gpt-4o-mini"', 'null', '42', JSON.stringify({ model: 42, messages: [] }), JSON.stringify({ model: '', messages: [] }), JSON.stringify({ model: ['gpt-4o-mini'] }), ''];
    for (const body of bodies) {
      const refused = await openai('/chat/completions', body);
      expect(refused.status, body).toBe(400);
      expect(((await refused.json()) as any).error, body).toMatchObject({ type: 'invalid_request_error', message: 'The request names no model.' });
    }
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('invalid JSON in a Gemini request → 400 INVALID_ARGUMENT', async () => {
    const refused = await gemini('{"contents": [');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('request headers larger than the server accepts → 431 in the OpenAI shape, nothing forwarded', async () => {
    const refused = await openai('/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }), { 'x-padding': 'a'.repeat(20_000) });
    expect(refused.status).toBe(431);
    expect(((await refused.json()) as any).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/headers are larger/) });
    expect(t.simulator.requests).toHaveLength(0);
  });

  // Node's parser refuses these before any route runs; the answer still names the error the way
  // the caller's SDK reads it, chosen by the route in the request line.
  const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  it.each([
    ['SOH (0x01)', '\x01'],
    ['NUL', '\x00'],
    ['a bare line feed inside the value', 'a\nb'],
    ['DEL (0x7f)', '\x7f'],
  ])('a header carrying %s → 400 in the OpenAI shape, nothing forwarded', async (_name, bad) => {
    const head = `POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key.secret}\r\nContent-Type: application/json\r\nX-Note: a${bad}b`;
    const answer = await raw(t.url, head, BODY);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/not valid HTTP/) });
    expect(answer.body).not.toContain(key.secret);
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('a header with a control character on a Gemini route → 400 INVALID_ARGUMENT (Gemini shape)', async () => {
    const head = `POST /gemini/v1beta/models/gemini-2.5-flash:generateContent?key=${key.secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Note: a\x01b`;
    const answer = await raw(t.url, head, JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('after all of it: no usage row, nothing spent, nothing reserved', async () => {
    expect(await t.gateway.storage.prisma.usageRecord.count()).toBe(0);
    expect(await settledStatus(t, key.budgetId)).toMatchObject({ spentUsd: '0', reservedUsd: '0' });
    // The key still works: refusals did not lock it or leave a reservation behind.
    const ok = await openai('/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    expect(ok.status).toBe(200);
    // And the ledger does record what is admitted, so the zero above is not a ledger that is off.
    expect(await ledgerRow(t, ok.headers.get('x-request-id')!)).toMatchObject({ status: 200, costSource: 'computed' });
    expect(await t.gateway.storage.prisma.usageRecord.count()).toBe(1);
  });
});
