// GET /admin/usage: its query is validated (src/admin/usage-query.ts) and its filters filter.
// Before, `limit=abc` became NaN and `since=garbage` an Invalid Date, both a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT, parseUsageQuery } from '../../src/admin/usage-query.js';
import { MAX_RECENT } from '../../src/ledger/queries.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { admin } from '../support/admin.js';
import { chat, eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeEvent } from '../support/usage-events.js';

describe('parseUsageQuery', () => {
  it('accepts a full, well-formed query and gives recentUsage its filters', () => {
    expect(parseUsageQuery({ limit: '25', since: '2026-11-20T08:00:00Z', provider: 'openai', model: 'gpt-4o-mini', keyId: 'k1' })).toEqual({
      ok: true,
      filters: { limit: 25, since: new Date('2026-11-20T08:00:00Z'), provider: 'openai', model: 'gpt-4o-mini', keyId: 'k1' },
    });
  });

  it('defaults: no parameter at all is the newest rows, default limit', () => {
    expect(parseUsageQuery({})).toEqual({ ok: true, filters: { limit: DEFAULT_LIMIT } });
    expect(parseUsageQuery(undefined)).toEqual({ ok: true, filters: { limit: DEFAULT_LIMIT } });
    expect(parseUsageQuery({ unknown: 'x' })).toEqual({ ok: true, filters: { limit: DEFAULT_LIMIT } });
  });

  it('limit: a whole number from 1 to MAX_RECENT, the bounds included', () => {
    expect(parseUsageQuery({ limit: '1' })).toMatchObject({ ok: true, filters: { limit: 1 } });
    expect(parseUsageQuery({ limit: String(MAX_RECENT) })).toMatchObject({ ok: true, filters: { limit: MAX_RECENT } });
    for (const limit of ['abc', '', '0', '-1', '1.5', '1e3', ' 5', String(MAX_RECENT + 1), '99999999999999999999']) {
      const result = parseUsageQuery({ limit });
      expect(result, limit).toMatchObject({ ok: false });
      expect(!result.ok && result.message, limit).toMatch(/^limit /);
    }
  });

  it('since: an ISO date or a date-time with Z or an offset; anything else is refused', () => {
    expect(parseUsageQuery({ since: '2026-11-20' })).toMatchObject({ ok: true, filters: { since: new Date('2026-11-20T00:00:00Z') } });
    expect(parseUsageQuery({ since: '2026-11-20T09:00:00+01:00' })).toMatchObject({ ok: true, filters: { since: new Date('2026-11-20T08:00:00Z') } });
    expect(parseUsageQuery({ since: '2026-11-20T08:00:00.123Z' })).toMatchObject({ ok: true, filters: { since: new Date('2026-11-20T08:00:00.123Z') } });
    // "garbage" and friends used to become an Invalid Date; "1" and "Tuesday 5" a date nobody meant.
    for (const since of ['garbage', '', '1', 'Tuesday 5', '2026-13-01', '2026-02-30', '2026-11-20T25:00:00Z', '2026-11-20T08:00:00', '1732089600000']) {
      const result = parseUsageQuery({ since });
      expect(result, since).toMatchObject({ ok: false });
      expect(!result.ok && result.message, since).toMatch(/^since /);
    }
  });

  it('provider, model, keyId: one non-empty value each', () => {
    for (const name of ['provider', 'model', 'keyId']) {
      expect(parseUsageQuery({ [name]: '' }), name).toMatchObject({ ok: false });
      expect(parseUsageQuery({ [name]: ['a', 'b'] }), `${name} twice`).toMatchObject({ ok: false }); // ?x=a&x=b
      expect(parseUsageQuery({ [name]: 'x'.repeat(201) }), name).toMatchObject({ ok: false });
    }
    expect(parseUsageQuery({ limit: ['1', '2'] })).toMatchObject({ ok: false });
  });
});

describe('GET /admin/usage over HTTP', () => {
  let t: TestGateway;
  let keyA: { id: string; secret: string };
  let keyB: { id: string; secret: string };
  const old = Date.now() - 3 * 86_400_000; // three days ago: before any `since` used below

  const get = (query: string) => fetch(`${t.url}/admin/usage${query}`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } });
  const ids = async (query: string): Promise<string[]> => {
    const response = await get(query);
    expect(response.status, query).toBe(200);
    return ((await response.json()) as Array<{ requestId: string }>).map((r) => r.requestId).sort();
  };

  let real: { a: string[]; b: string[]; gemini: string };
  beforeAll(async () => {
    t = await startTestGateway();
    keyA = await admin(t, 'POST', '/keys', { name: 'usage-api-a' });
    keyB = await admin(t, 'POST', '/keys', { name: 'usage-api-b' });
    const a = [(await chat(t, keyA.secret)).requestId, (await chat(t, keyA.secret, {}, { model: 'gpt-4o' })).requestId];
    const b = [(await chat(t, keyB.secret)).requestId];
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': keyB.secret, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
    });
    expect(response.status).toBe(200);
    real = { a, b, gemini: response.headers.get('x-request-id')! };
    // Older history for key A, written straight into the ledger (requested gpt-4o-mini, no response model).
    const history = [0, 1, 2].map((i) => ({
      ...makeEvent(i, { prefix: 'usage-api-old', createdAt: new Date(old + i * 60_000), apiKeyId: keyA.id, provider: 'openai', requestedModel: 'gpt-4o-mini' }),
      responseModel: undefined,
    }));
    await insertWithRecordset(t.gateway.storage.prisma, history);
    await eventually(async () => ((await t.gateway.storage.prisma.usageRecord.count()) === 7 ? true : undefined), 'all 7 rows');
  });
  afterAll(async () => t?.close());

  it('answers 400 for a bad limit or since, naming the parameter', async () => {
    for (const query of ['?limit=abc', '?limit=0', '?limit=1001', '?limit=2.5', '?since=garbage', '?since=2026-13-01', '?provider=', '?keyId=a&keyId=b']) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { message: string; type: string } };
      expect(body.error.type, query).toBe('invalid_request');
      expect(body.error.message, query).toMatch(/^(limit|since|provider|keyId) /);
    }
  });

  it('without filters: every row, newest first; limit cuts from the newest', async () => {
    const all = (await (await get('')).json()) as Array<{ requestId: string; createdAt: string }>;
    expect(all).toHaveLength(7);
    const times = all.map((r) => Date.parse(r.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const two = (await (await get('?limit=2')).json()) as Array<{ requestId: string }>;
    expect(two.map((r) => r.requestId)).toEqual(all.slice(0, 2).map((r) => r.requestId));
  });

  it('provider, model, keyId and since each filter, and combine', async () => {
    expect(await ids('?provider=gemini')).toEqual([real.gemini]);
    expect(await ids(`?keyId=${keyB.id}`)).toEqual([...real.b, real.gemini].sort());
    expect(await ids(`?keyId=${keyA.id}`)).toEqual([...real.a, 'usage-api-old-0', 'usage-api-old-1', 'usage-api-old-2'].sort());
    // The requested model, or the one that answered (the simulator answers gpt-4o with its snapshot).
    expect(await ids('?model=gpt-4o')).toEqual([real.a[1]!]);
    expect(await ids('?model=gpt-4o-2024-08-06')).toEqual([real.a[1]!]);
    const since = new Date(old + 86_400_000).toISOString(); // after the old rows, before today's
    expect(await ids(`?since=${since}`)).toEqual([...real.a, ...real.b, real.gemini].sort());
    expect(await ids(`?since=${new Date(old + 60_000).toISOString()}`)).toHaveLength(6); // >= : old-1 and old-2 included
    expect(await ids(`?keyId=${keyA.id}&provider=openai&since=${since}&model=gpt-4o-mini`)).toEqual([real.a[0]!]);
    expect(await ids('?provider=xai')).toEqual([]);
  });
});
