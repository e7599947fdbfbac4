// One ledger row per request, in the cases around the happy path: cached prompts, usage the
// client did not ask for, provider-reported cost, no usage, provider errors, a client abort.
// The exact per-provider rows (tokens, cost by kind, price, hierarchy) for every provider,
// streamed and not, are in ledger-providers.test.ts.
import OpenAI from 'openai';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attoToUsd, usdToAtto } from '../../src/core/money.js';
import { ledgerRow } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
let openai: OpenAI;
let xai: OpenAI;
let gemini: GoogleGenAI;

beforeAll(async () => {
  t = await startTestGateway();
  openai = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: t.key, maxRetries: 0 });
  xai = new OpenAI({ baseURL: `${t.url}/xai/v1`, apiKey: t.key, maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: t.key, httpOptions: { baseUrl: `${t.url}/gemini` } });
});
afterAll(async () => t?.close());

/** USD per 1M tokens × tokens, exactly, as a decimal string. */
function cost(...terms: Array<[tokens: number, usdPer1M: string]>): string {
  const atto = terms.reduce((sum, [tokens, rate]) => sum + (BigInt(tokens) * usdToAtto(rate)) / 1_000_000n, 0n);
  return attoToUsd(atto);
}

/** Decimal column text without insignificant zeros, comparable with attoToUsd output. */
function plain(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}

/**
 * The ledger row of a request (GET /admin/usage/:requestId) once the writer flushed it. The
 * deadline is generous: on a loaded machine a flush can take seconds, and a row that never comes
 * still fails the test.
 */
const row = (requestId: string) => ledgerRow(t, requestId, 20_000);

const messages = [{ role: 'user' as const, content: 'Explain toll roads in one sentence' }];

// Above two ledger-row deadlines: the Gemini test waits for two rows.
describe('every request leaves one ledger row with its exact cost', { timeout: 60_000 }, () => {
  it('OpenAI chat, non-streamed: cached tokens billed once, at the cached rate', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    const u = data.usage!;
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    // gpt-4o-mini: input $0.15/M on uncached prompt tokens, $0.075/M on cached, $0.60/M output.
    const expected = cost([u.prompt_tokens - cached, '0.15'], [cached, '0.075'], [u.completion_tokens, '0.6']);
    const r = await row(response.headers.get('x-request-id')!);
    expect(r).toMatchObject({ provider: 'openai', endpoint: 'chat', stream: false, status: 200, requestedModel: 'gpt-4o-mini', responseModel: data.model });
    expect(r).toMatchObject({ inputTokens: u.prompt_tokens, cachedInputTokens: cached, outputTokens: u.completion_tokens, costSource: 'computed', priceSource: 'builtin' });
    expect(plain(r.costTotalUsd)).toBe(expected);
    expect(response.headers.get('x-tollgate-cost-usd')).toBe(expected);
  });

  it('OpenAI chat with a long prompt: the cached part is billed at the cached rate', async () => {
    const long = [{ role: 'user' as const, content: 'toll '.repeat(3000) }];
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: long }).withResponse();
    const u = data.usage!;
    const cached = u.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThan(0);
    const r = await row(response.headers.get('x-request-id')!);
    expect(plain(r.costTotalUsd)).toBe(cost([u.prompt_tokens - cached, '0.15'], [cached, '0.075'], [u.completion_tokens, '0.6']));
  });

  it('OpenAI chat streamed without include_usage: the gateway still learns the usage', async () => {
    const reference = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).withResponse();
    for await (const chunk of stream.data) expect(chunk.usage ?? null).toBeNull();
    const r = await row(stream.response.headers.get('x-request-id')!);
    const u = reference.usage!;
    expect(r).toMatchObject({ stream: true, inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, costSource: 'computed' });
    expect(plain(r.costTotalUsd)).toBe(cost([u.prompt_tokens, '0.15'], [u.completion_tokens, '0.6']));
    expect(r.ttftMs).not.toBeNull();
  });

  it('xAI chat: the provider-reported cost (ticks) is the cost; the computed one is kept beside it', async () => {
    const { data, response } = await xai.chat.completions.create({ model: 'grok-4', messages }).withResponse();
    const ticks = (data.usage as unknown as { cost_in_usd_ticks: number }).cost_in_usd_ticks;
    const r = await row(response.headers.get('x-request-id')!);
    // 1 USD = 1e10 ticks.
    expect(plain(r.costTotalUsd)).toBe(attoToUsd(BigInt(ticks) * 100_000_000n));
    expect(r.costSource).toBe('provider');
    expect(r.computedCostUsd).not.toBeNull();
  });

  it('Gemini generateContent and stream: thoughts billed as output, the last cumulative usage taken', async () => {
    const once = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
    const u = once.usageMetadata!;
    // gemini-2.5-flash: $0.30/M input, $2.50/M output and thinking.
    const expected = cost([u.promptTokenCount! - (u.cachedContentTokenCount ?? 0), '0.3'], [u.cachedContentTokenCount ?? 0, '0.03'], [u.candidatesTokenCount! + (u.thoughtsTokenCount ?? 0), '2.5']);
    const nonStream = await row(once.sdkHttpResponse!.headers!['x-request-id']!);
    expect(nonStream).toMatchObject({ endpoint: 'generate', stream: false, reasoningTokens: u.thoughtsTokenCount ?? 0 });
    expect(plain(nonStream.costTotalUsd)).toBe(expected);

    let last;
    let requestId = '';
    for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' })) {
      last = chunk.usageMetadata;
      requestId ||= chunk.sdkHttpResponse?.headers?.['x-request-id'] ?? '';
    }
    const streamed = await row(requestId);
    expect(streamed).toMatchObject({ stream: true, inputTokens: last!.promptTokenCount, outputTokens: last!.candidatesTokenCount! + (last!.thoughtsTokenCount ?? 0), reasoningTokens: last!.thoughtsTokenCount ?? 0 });
  });

  it('a response without usage is priced from the estimate and says so, never $0', async () => {
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'x-sim-scenario': 'no-usage' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages }),
    });
    expect(response.status).toBe(200);
    const r = await row(response.headers.get('x-request-id')!);
    expect(r.costSource).toBe('estimated');
    expect(Number(r.costTotalUsd)).toBeGreaterThan(0);
    expect(r.inputTokens).toBeNull();
  });

  it('a provider error is recorded with its status and no cost', async () => {
    const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', 'x-sim-scenario': 'error-500' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
    });
    expect(response.status).toBe(500);
    const r = await row(response.headers.get('x-request-id')!);
    expect(r).toMatchObject({ status: 500, costSource: 'none' });
    expect(plain(r.costTotalUsd)).toBe('0');
  });

  it('a Gemini client abort mid-stream is priced from the cumulative usage already seen (computed, not estimated)', async () => {
    const controller = new AbortController();
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'x-goog-api-key': t.key, 'content-type': 'application/json', 'x-sim-chunk-delay-ms': '200' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'Tell me a long story' }] }] }),
      signal: controller.signal,
    });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await t.simulator.waitForAbort(5000);
    const r = await row(requestId);
    expect(r.errorCode).toBe('client_abort');
    // Every Gemini chunk carries the usage so far, and the client read a whole chunk before it
    // left: the gateway saw real usage, so the row is computed from it, never estimated.
    // Prompt: 1 per turn + "Tell me a long story" (5 one-token words) = 6.
    expect(r.costSource).toBe('computed');
    expect(r.inputTokens).toBe(6);
    expect(r.outputTokens).toBeGreaterThan(0);
    // gemini-2.5-flash: $0.30/M input, $2.50/M output (thoughts included in outputTokens).
    expect(plain(r.costTotalUsd)).toBe(cost([r.inputTokens, '0.3'], [r.outputTokens, '2.5']));
  });
});
