import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLOW_CHUNK_DELAY_MS, startSimulator, type Simulator } from '../../src/simulator/index.js';

let sim: Simulator;
let openai: OpenAI;
let xai: OpenAI;
let ai: GoogleGenAI;

beforeAll(async () => {
  sim = await startSimulator();
  openai = new OpenAI({ apiKey: 'sk-client-key', baseURL: sim.baseUrls.openai, maxRetries: 0 });
  xai = new OpenAI({ apiKey: 'xai-client-key', baseURL: sim.baseUrls.xai, maxRetries: 0 });
  ai = new GoogleGenAI({ apiKey: 'gemini-client-key', apiVersion: 'v1beta', httpOptions: { baseUrl: sim.baseUrls.gemini } });
});
afterAll(() => sim.close());
beforeEach(() => sim.setScenario(null));

const chat = (model: string, extra: Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming> = {}) => ({
  model,
  messages: [{ role: 'user' as const, content: 'hello' }],
  ...extra,
});

describe('magic error models', () => {
  it.each([400, 401, 403, 404, 429, 500, 502, 503])('OpenAI sim-error-%i rejects in the SDK with that status', async (status) => {
    const err = await openai.chat.completions.create(chat(`sim-error-${status}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect((err as InstanceType<typeof OpenAI.APIError>).type).toEqual(expect.any(String));
  });

  it('OpenAI tells a rate limit from exhausted quota by code, not status', async () => {
    const rate = await openai.chat.completions.create(chat('sim-error-429')).catch((e: unknown) => e);
    expect(rate).toBeInstanceOf(OpenAI.RateLimitError);
    expect(rate).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'tokens' });
    const quota = await openai.chat.completions.create(chat('sim-error-quota')).catch((e: unknown) => e);
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
  });

  it('OpenAI streaming requests get the error before any stream starts', async () => {
    await expect(openai.chat.completions.create({ ...chat('sim-error-500'), stream: true })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it.each([400, 404, 429, 500, 503])('xAI sim-error-%i rejects with that status and an xAI-shaped body', async (status) => {
    const err = await xai.chat.completions.create(chat(`sim-error-${status}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    // The SDK keeps body.error; for xAI that is the message string (body is {code, error}).
    expect(typeof (err as InstanceType<typeof OpenAI.APIError>).error).toBe('string');
  });

  it.each([400, 403, 404, 429, 500, 503])('Gemini sim-error-%i rejects with ApiError of that status', async (status) => {
    const err = await ai.models.generateContent({ model: `sim-error-${status}`, contents: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(status);
  });

  it('Gemini stream errors arrive as JSON under text/event-stream and still reject', async () => {
    const err = await ai.models.generateContentStream({ model: 'sim-error-404', contents: 'hi' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    const raw = await fetch(`${sim.url}/v1beta/models/sim-error-429:streamGenerateContent?alt=sse`, { method: 'POST', body: '{"contents":[]}' });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    expect(((await raw.json()) as { error: { status: string } }).error.status).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('broken streams, aborts and hangs', () => {
  it('sim-reset-midstream makes the OpenAI SDK stream throw after some chunks', async () => {
    const before = sim.closedSockets;
    const stream = await openai.chat.completions.create({ ...chat('sim-reset-midstream'), stream: true });
    let received = 0;
    await expect(
      (async () => {
        for await (const _chunk of stream) received++;
      })(),
    ).rejects.toThrow();
    expect(received).toBeGreaterThan(0);
    expect(sim.closedSockets).toBe(before); // the simulator's own reset is not a client abort
  });

  it('sim-reset-midstream breaks non-streamed JSON and Gemini streams too', async () => {
    // Headers arrived, the body did not: the SDK surfaces undici's "terminated".
    await expect(openai.chat.completions.create(chat('sim-reset-midstream'))).rejects.toThrow(/terminated/);
    const stream = await ai.models.generateContentStream({ model: 'sim-reset-midstream', contents: 'a long answer please' });
    await expect(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
    ).rejects.toThrow();
  });

  it('detects a client abort on a slow stream (waitForAbort resolves)', async () => {
    const before = sim.closedSockets;
    const controller = new AbortController();
    const stream = await openai.chat.completions.create({ ...chat('sim-slow'), stream: true }, { signal: controller.signal });
    let chunks = 0;
    // The SDK ends a user-aborted stream quietly (or throws an abort error); either is fine here.
    await (async () => {
      for await (const _chunk of stream) {
        chunks++;
        controller.abort();
      }
    })().catch(() => undefined);
    expect(chunks).toBe(1);
    const info = await sim.waitForAbort(3000);
    expect(info).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: 'sim-slow', headersSent: true });
    expect(sim.closedSockets).toBe(before + 1);
  });

  it('sim-hang never answers; the client timeout fires and is seen as an abort before headers', async () => {
    const impatient = new OpenAI({ apiKey: 'k', baseURL: sim.baseUrls.openai, maxRetries: 0, timeout: 1_000 });
    await expect(impatient.chat.completions.create(chat('sim-hang'))).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const info = await sim.waitForAbort(3000);
    expect(info).toMatchObject({ model: 'sim-hang', headersSent: false });
    // Held until the client gave up: afterMs counts from the request's arrival, which may come
    // well after the client's timer started on a loaded machine, hence the slack below 1 s.
    expect(info.afterMs).toBeGreaterThanOrEqual(500);
  });

  it('sim-slow spaces chunks by SLOW_CHUNK_DELAY_MS', async () => {
    const started = Date.now();
    const stream = await openai.chat.completions.create({ ...chat('sim-slow'), stream: true });
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    expect(Date.now() - started).toBeGreaterThanOrEqual((chunks - 1) * SLOW_CHUNK_DELAY_MS * 0.9);
  });

  it('chunkDelayMs and firstByteDelayMs options pace every stream', async () => {
    const paced = await startSimulator({ chunkDelayMs: 10, firstByteDelayMs: 60 });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: paced.baseUrls.openai, maxRetries: 0 });
      const started = Date.now();
      const stream = await client.chat.completions.create({ ...chat('gpt-4o-mini'), stream: true });
      const firstByte = Date.now() - started;
      let chunks = 0;
      for await (const _chunk of stream) chunks++;
      expect(firstByte).toBeGreaterThanOrEqual(55);
      expect(Date.now() - started).toBeGreaterThanOrEqual(60 + (chunks - 1) * 10 * 0.9);
    } finally {
      await paced.close();
    }
  });

  it('waitForAbort rejects when nothing aborts', async () => {
    await expect(sim.waitForAbort(50)).rejects.toThrow(/no client abort/);
  });
});

describe('usage-free answers and scenario controls', () => {
  it('sim-no-usage drops usage everywhere (magic token may sit inside a real model name)', async () => {
    const json = await openai.chat.completions.create(chat('gpt-4o-mini+sim-no-usage'));
    expect(json.usage).toBeUndefined();
    expect(json.choices[0]!.message.content).toBeTruthy();
    const stream = await openai.chat.completions.create({ ...chat('sim-no-usage'), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.usage == null && c.choices.length === 1)).toBe(true);
    const resp = await openai.responses.create({ model: 'sim-no-usage', input: 'hi' });
    expect(resp.usage).toBeUndefined();
    const gem = await ai.models.generateContent({ model: 'sim-no-usage', contents: 'hi' });
    expect(gem.usageMetadata).toBeUndefined();
  });

  it('setScenario applies to the next N matching requests, then clears itself', async () => {
    sim.setScenario({ error: 503, times: 1, pathIncludes: '/xai/' });
    await expect(openai.chat.completions.create(chat('gpt-4o-mini'))).resolves.toBeDefined(); // path does not match
    await expect(xai.chat.completions.create(chat('grok-3'))).rejects.toMatchObject({ status: 503 });
    await expect(xai.chat.completions.create(chat('grok-3'))).resolves.toBeDefined();
  });

  it('setScenario can force cached tokens', async () => {
    sim.setScenario({ cachedTokens: 4 });
    const res = await openai.chat.completions.create(chat('gpt-4o-mini'));
    expect(res.usage!.prompt_tokens_details!.cached_tokens).toBe(4);
  });

  it('x-sim-* headers pick a scenario and delays per request', async () => {
    const err = await openai.chat.completions.create(chat('gpt-4o-mini'), { headers: { 'x-sim-scenario': 'error-502' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    const started = Date.now();
    await openai.chat.completions.create(chat('gpt-4o-mini'), { headers: { 'x-sim-first-byte-delay-ms': '120' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers invalid JSON in the provider shape', async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});

describe('request recording and auth', () => {
  it('records method, path, query, headers and body of what the upstream saw', async () => {
    sim.clearRequests();
    await openai.chat.completions.create(chat('gpt-4o-mini'));
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'recorded' });
    expect(sim.requests).toHaveLength(2);
    const [o, g] = sim.requests;
    expect(o).toMatchObject({ method: 'POST', path: '/v1/chat/completions', provider: 'openai', model: 'gpt-4o-mini' });
    expect(o!.headers.authorization).toBe('Bearer sk-client-key');
    expect(JSON.parse(o!.body)).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    expect(g).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(g!.headers['x-goog-api-key']).toBe('gemini-client-key');
    expect(g!.headers.authorization).toBeUndefined();
    expect(g!.seq).toBeGreaterThan(o!.seq);
  });

  it('keeps only the most recent maxRecordedRequests', async () => {
    const small = await startSimulator({ maxRecordedRequests: 3 });
    try {
      for (let i = 0; i < 5; i++) await fetch(`${small.url}/v1/models?i=${i}`);
      expect(small.requests.map((r) => r.query.i)).toEqual(['2', '3', '4']);
    } finally {
      await small.close();
    }
  });

  it('requireAuth refuses missing keys like each provider; sim-invalid-key is always refused', async () => {
    const strict = await startSimulator({ requireAuth: true });
    try {
      const post = (path: string, headers: Record<string, string> = {}) =>
        fetch(`${strict.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"model":"m","messages":[],"contents":[]}' });
      expect((await post('/v1/chat/completions')).status).toBe(401);
      expect((await post('/xai/v1/chat/completions')).status).toBe(400);
      expect((await post('/v1beta/models/gemini-2.5-flash:generateContent')).status).toBe(403);
      expect((await post('/v1/chat/completions', { authorization: 'Bearer ok' })).status).toBe(200);
    } finally {
      await strict.close();
    }
    const bad = new OpenAI({ apiKey: 'sim-invalid-key', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    await expect(bad.chat.completions.create(chat('gpt-4o-mini'))).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    const badGemini = new GoogleGenAI({ apiKey: 'sim-invalid-key', apiVersion: 'v1beta', httpOptions: { baseUrl: sim.baseUrls.gemini } });
    await expect(badGemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })).rejects.toMatchObject({ status: 400 });
  });

  it('close() ends hanging requests promptly without counting them as aborts', async () => {
    const other = await startSimulator();
    const before = other.closedSockets;
    const pending = fetch(`${other.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat('sim-hang')) }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    expect(other.closedSockets).toBe(before);
  });
});
