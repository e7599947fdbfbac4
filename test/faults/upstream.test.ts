// The upstream misbehaves: a 5xx, a connection reset in the middle of a stream, a hang before
// any header. The client must get an honest answer in its provider's shape, and the ledger and
// the budget counters must stay right (nothing reserved left behind, nothing billed twice).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetedKey, chat, ledgerRow, plainUsd, settledStatus } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const HEADERS_TIMEOUT_MS = 1500;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ env: { TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
});
afterAll(async () => t?.close());

function sdk(key: string): OpenAI {
  return new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
}

describe('upstream faults', () => {
  it('upstream 503 → the provider\'s own 503 body; row status 503, costSource none; budget spent 0, reserved back to 0', async () => {
    const key = await budgetedKey(t, 'error-503', '10');
    // What the provider itself answers, asked directly.
    const direct = await fetch(`${t.simulator.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-scenario': 'error-503' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    const providerBody = await direct.json();
    t.simulator.clearRequests();
    const answer = await chat(t, key.secret, { 'x-sim-scenario': 'error-503' });
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual(providerBody);
    expect(answer.body.error.message).toBe('The engine is currently overloaded, please try again later.');
    expect(t.simulator.requests).toHaveLength(1);

    const row = await ledgerRow(t, answer.requestId);
    expect(row).toMatchObject({ status: 503, costSource: 'none', errorCode: null, stream: false });
    expect(Number(row.costTotalUsd)).toBe(0);
    const status = await settledStatus(t, key.budgetId);
    expect(status).toMatchObject({ spentUsd: '0', reservedUsd: '0', remainingUsd: '10' });
  });

  it('the OpenAI SDK sees the 503 as its own APIError (status 503, the provider message)', async () => {
    const key = await budgetedKey(t, 'error-503-sdk', '10');
    const failure = await sdk(key.secret)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-sim-scenario': 'error-503' } })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((failure as Error).message).toMatch(/overloaded/);
    expect(await settledStatus(t, key.budgetId)).toMatchObject({ spentUsd: '0', reservedUsd: '0' });
  });

  it('connection reset mid-stream (OpenAI SDK) → the stream throws; row upstream_reset priced from the estimate; reservation released', async () => {
    const key = await budgetedKey(t, 'reset-openai', '10');
    const { data: stream, response } = await sdk(key.secret)
      .chat.completions.create(
        { model: 'gpt-4o-mini', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'Tell me a long story' }] },
        { headers: { 'x-sim-scenario': 'reset-midstream' } },
      )
      .withResponse();
    const requestId = response.headers.get('x-request-id')!;
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(seen.length).toBeGreaterThan(0); // it was cut mid-stream, not refused

    const row = await ledgerRow(t, requestId);
    // The usage block comes last in an OpenAI stream: nothing seen, so the estimate is billed.
    expect(row).toMatchObject({ stream: true, status: 200, errorCode: 'upstream_reset', costSource: 'estimated', outputTokens: null });
    expect(Number(row.costTotalUsd)).toBeGreaterThan(0);
    const status = await settledStatus(t, key.budgetId);
    expect(status.reservedUsd).toBe('0');
    expect(status.spentUsd).toBe(plainUsd(row.costTotalUsd));
  });

  it('connection reset mid-stream (Gemini SSE) → the cut shows; row upstream_reset priced from the usage seen so far', async () => {
    const key = await budgetedKey(t, 'reset-gemini', '10');
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.secret, 'content-type': 'application/json', 'x-sim-scenario': 'reset-midstream' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'Tell me a long story' }] }] }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const failure = await response.text().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);

    const row = await ledgerRow(t, requestId);
    // Gemini sends cumulative usage in every chunk: the last one seen prices the call.
    expect(row).toMatchObject({ stream: true, errorCode: 'upstream_reset', costSource: 'computed' });
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(Number(row.costTotalUsd)).toBeGreaterThan(0);
    const status = await settledStatus(t, key.budgetId);
    expect(status.reservedUsd).toBe('0');
    expect(status.spentUsd).toBe(plainUsd(row.costTotalUsd));
  });

  it('a hang before headers with a short headers timeout → 504 in the provider shape; the upstream call is dropped; reservation released', async () => {
    const key = await budgetedKey(t, 'hang', '10');
    const started = Date.now();
    const answer = await chat(t, key.secret, { 'x-sim-scenario': 'hang' });
    const tookMs = Date.now() - started;
    expect(answer.status).toBe(504);
    expect(answer.body.error).toMatchObject({ message: 'The provider did not answer in time.', type: 'server_error', param: null, code: 'upstream_timeout' });
    expect(tookMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(tookMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
    // The gateway gave up on the upstream connection; the simulator saw it go.
    const abort = await t.simulator.waitForAbort(5_000);
    expect(abort).toMatchObject({ headersSent: false });

    const gemini = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': key.secret, 'content-type': 'application/json', 'x-sim-scenario': 'hang' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hello' }] }] }),
    });
    expect(gemini.status).toBe(504);
    expect(((await gemini.json()) as any).error).toMatchObject({ code: 504, message: 'The provider did not answer in time.', status: 'DEADLINE_EXCEEDED' });

    const row = await ledgerRow(t, answer.requestId);
    // A timeout may still have been billed upstream: the estimate is charged, flagged as such.
    expect(row).toMatchObject({ status: 504, errorCode: 'upstream_timeout', costSource: 'estimated' });
    const status = await settledStatus(t, key.budgetId);
    expect(status.reservedUsd).toBe('0');
    expect(Number(status.spentUsd)).toBeGreaterThan(0);
  });

  // A slow client reading a long stream (backpressure): test/faults/slow-client.test.ts.
});
