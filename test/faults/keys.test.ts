// Keys that must not pass: expired, revoked, restricted to other models or providers, and
// malformed ones (too long, control characters) that must be refused before any database lookup.
// In every case nothing reaches the upstream simulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { admin } from '../support/admin.js';
import { chat, eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
/** Counts the key lookups the gateway makes in PostgreSQL. */
let lookups: MockInstance;

beforeAll(async () => {
  t = await startTestGateway();
  lookups = vi.spyOn(t.gateway.storage.prisma.apiKey, 'findUnique');
});
afterAll(async () => {
  lookups?.mockRestore();
  await t?.close();
});
beforeEach(() => {
  t.simulator.clearRequests();
});

const GEMINI_BODY = JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] });

function gemini(key: string, via: 'header' | 'query' = 'header', model = 'gemini-2.5-flash') {
  const query = via === 'query' ? `?key=${key}` : '';
  return fetch(`${t.url}/gemini/v1beta/models/${model}:generateContent${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(via === 'header' ? { 'x-goog-api-key': key } : {}) },
    body: GEMINI_BODY,
  });
}

describe('keys the gateway refuses', () => {
  it('an expired key → 401 "The Tollgate key has expired." in the OpenAI shape and in the Gemini shape', async () => {
    const expired = await t.createKey({ name: 'expired', expiresAt: new Date(Date.now() - 60_000) });
    const openai = await chat(t, expired);
    expect(openai.status).toBe(401);
    expect(openai.body).toEqual({ error: { message: 'The Tollgate key has expired.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    const google = await gemini(expired);
    expect(google.status).toBe(401);
    expect(await google.json()).toEqual({ error: { code: 401, message: 'The Tollgate key has expired.', status: 'UNAUTHENTICATED' } });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('a key that expires while it is cached as valid is refused at once after its expiry', { timeout: 45_000 }, async () => {
    // 15 s: room for both calls below to happen before the expiry even on a loaded machine.
    const expiresAt = new Date(Date.now() + 15_000);
    const key = await t.createKey({ name: 'expires-soon', expiresAt });
    expect((await chat(t, key)).status).toBe(200);
    // Cached now (the key cache holds entries 30 s): a second call takes no lookup.
    lookups.mockClear();
    expect((await chat(t, key)).status).toBe(200);
    expect(lookups).not.toHaveBeenCalled();
    expect(Date.now()).toBeLessThan(expiresAt.getTime()); // both calls really were before the expiry

    await new Promise((r) => setTimeout(r, expiresAt.getTime() - Date.now() + 10));
    t.simulator.clearRequests();
    const refused = await chat(t, key);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ message: 'The Tollgate key has expired.', code: 'invalid_api_key' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('a revoked key is refused at once by the instance that revoked it, although it was cached as valid', async () => {
    const created = await admin(t, 'POST', '/keys', { name: 'to-revoke' });
    // Warm the key cache (30 s by default): without invalidation the next call would pass.
    expect((await chat(t, created.secret)).status).toBe(200);
    expect(await admin(t, 'DELETE', `/keys/${created.id}`)).toEqual({ revoked: 1 });
    t.simulator.clearRequests();
    const refused = await chat(t, created.secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ message: 'The Tollgate key has been revoked.', code: 'invalid_api_key' });
    const google = await gemini(created.secret);
    expect(google.status).toBe(401);
    expect(((await google.json()) as any).error).toMatchObject({ status: 'UNAUTHENTICATED', message: 'The Tollgate key has been revoked.' });
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('a revoked key is refused by a second instance well before its key cache expires (change notice)', { timeout: 60_000 }, async () => {
    const other = await startTestGateway({ shareWith: t });
    try {
      const created = await admin(t, 'POST', '/keys', { name: 'to-revoke-everywhere' });
      expect((await chat(other, created.secret)).status).toBe(200); // cached as valid over there
      await admin(t, 'DELETE', `/keys/${created.id}`);
      const started = Date.now();
      const refused = await eventually(async () => {
        const answer = await chat(other, created.secret);
        return answer.status === 401 ? answer : undefined;
      }, 'the other instance refuses the revoked key', 15_000);
      expect(Date.now() - started).toBeLessThan(15_000); // the key cache is 30 s: only the notice can be this quick
      expect(refused.body.error.message).toBe('The Tollgate key has been revoked.');
    } finally {
      await other.close();
    }
  });

  it('a key restricted to allowedModels ["gpt-4o-mini"] gets 403 for another model', async () => {
    const key = await t.createKey({ name: 'one-model', allowedModels: ['gpt-4o-mini'] });
    const refused = await chat(t, key, {}, { model: 'gpt-4o' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'insufficient_permissions', message: 'This key may not use model gpt-4o.' });
    const google = await gemini(key);
    expect(google.status).toBe(403);
    expect(((await google.json()) as any).error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect(t.simulator.requests).toHaveLength(0);
    // The allowed model still passes (so the 403 above is the restriction, not a broken key).
    expect((await chat(t, key)).status).toBe(200);
  });

  it('a key restricted to allowedProviders ["openai"] gets 403 on /gemini/...', async () => {
    const key = await t.createKey({ name: 'openai-only', allowedProviders: ['openai'] });
    const refused = await gemini(key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 403, message: 'This key may not use provider gemini.', status: 'PERMISSION_DENIED' } });
    const xai = await fetch(`${t.url}/xai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'grok-4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(xai.status).toBe(403);
    expect(t.simulator.requests).toHaveLength(0);
    expect((await chat(t, key)).status).toBe(200);
  });

  describe('malformed keys are 401 without any database lookup', () => {
    beforeEach(() => {
      lookups.mockClear(); // braces: a function returned from beforeEach would run as its teardown
    });

    it('an over-long key (300 characters)', async () => {
      const long = `tg_${'a'.repeat(297)}`;
      expect(long).toHaveLength(300);
      const openai = await chat(t, long);
      expect(openai.status).toBe(401);
      expect(openai.body.error).toMatchObject({ message: 'The Tollgate key is not valid.', code: 'invalid_api_key' });
      const google = await gemini(long);
      expect(google.status).toBe(401);
      expect(((await google.json()) as any).error).toMatchObject({ status: 'UNAUTHENTICATED', message: 'The Tollgate key is not valid.' });
      expect(lookups).not.toHaveBeenCalled();
      expect(t.simulator.requests).toHaveLength(0);
    });

    it('keys with control characters (in ?key=, and a C1 control byte in the Authorization header)', async () => {
      const valid = t.key;
      const refusals = [
        await gemini(`${valid.slice(0, 10)}%01${valid.slice(10)}`, 'query'),
        await gemini(`${valid.slice(0, 10)}%00${valid.slice(10)}`, 'query'),
        await gemini(`${valid.slice(0, 10)}%7F${valid.slice(10)}`, 'query'),
        await gemini(`${valid.slice(0, 10)}%1B%5B2J${valid.slice(10)}`, 'query'),
      ];
      for (const response of refusals) {
        expect(response.status).toBe(401);
        expect(((await response.json()) as any).error).toMatchObject({ status: 'UNAUTHENTICATED', message: 'The Tollgate key is not valid.' });
      }
      // Header values may carry bytes 0x80-0xff (read as latin1): U+0085 is a C1 control.
      const c1 = await chat(t, `${valid.slice(0, 10)}\u0085${valid.slice(10)}`);
      expect(c1.status).toBe(401);
      expect(c1.body.error.message).toBe('The Tollgate key is not valid.');
      expect(lookups).not.toHaveBeenCalled();
      expect(t.simulator.requests).toHaveLength(0);
    });

    it('control: a well-formed unknown key does take one lookup (so the spy sees lookups at all)', async () => {
      const unknown = `tg_${'b'.repeat(43)}`;
      expect((await chat(t, unknown)).status).toBe(401);
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(t.simulator.requests).toHaveLength(0);
    });
  });
});
