/**
 * The worked example of docs/providers.md end to end: the fourth, OpenAI-compatible provider
 * (test/providers/example-provider/acme) served by a real gateway next to the registered ones,
 * called with the official openai SDK, priced from its own built-in prices, recorded in the
 * ledger under its own id, with its own provider key upstream.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attoToUsd, usdToAtto } from '../../src/core/money.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { adapters } from '../../src/providers/registry.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { listModels } from '../../src/sync/model-lists.js';
import { acmeAdapter } from '../providers/example-provider/acme/index.js';
import { ledgerRow } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ACME_KEY = 'acme-upstream-provider-secret';
let t: TestGateway;
let acme: OpenAI;

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  // Acme speaks the OpenAI wire format, so the simulator's OpenAI surface is its upstream.
  const env = { ACME_API_KEY: ACME_KEY, TOLLGATE_ACME_BASE_URL: `${simulator.url}/openai/v1` };
  t = await startTestGateway({ adapters: [...adapters, acmeAdapter], env, simulator });
  acme = new OpenAI({ baseURL: `${t.url}/acme/v1`, apiKey: t.key, maxRetries: 0 });
});
afterAll(async () => {
  await t?.close();
  await simulator?.close();
});

const row = (requestId: string) => ledgerRow(t, requestId);

/** acme-chat-1 list prices (prices.ts): $0.50/M input, $0.125/M cached input, $1.50/M output. */
function acmeCost(input: number, cached: number, output: number): string {
  const per1M = (tokens: number, rate: string) => (BigInt(tokens) * usdToAtto(rate)) / 1_000_000n;
  return attoToUsd(per1M(input - cached, '0.5') + per1M(cached, '0.125') + per1M(output, '1.5'));
}

const messages = [{ role: 'user' as const, content: 'Name one toll road' }];

describe('a fourth provider added with new files and one registration', () => {
  it('serves a chat completion, priced from its own built-in prices and recorded under its id', async () => {
    const { data, response } = await acme.chat.completions.create({ model: 'acme-chat-1', messages }).withResponse();
    const u = data.usage!;
    const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
    const expected = acmeCost(u.prompt_tokens, cached, u.completion_tokens);
    expect(response.headers.get('x-tollgate-cost-usd')).toBe(expected);
    const r = await row(response.headers.get('x-request-id')!);
    expect(r).toMatchObject({ provider: 'acme', endpoint: 'chat', stream: false, status: 200, requestedModel: 'acme-chat-1', priceSource: 'builtin', costSource: 'computed' });
    expect(r.inputTokens).toBe(u.prompt_tokens);
    expect(r.outputTokens).toBe(u.completion_tokens);
  });

  it('streams with usage tapped from the SSE, the injected usage chunk hidden from a client that did not ask', async () => {
    const { data: stream, response } = await acme.chat.completions.create({ model: 'acme-chat-1', messages, stream: true }).withResponse();
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usageChunks += 1;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usageChunks).toBe(0);
    const r = await row(response.headers.get('x-request-id')!);
    expect(r).toMatchObject({ provider: 'acme', stream: true, priceSource: 'builtin' });
    expect(r.outputTokens).toBeGreaterThan(0);
    expect(r.costTotalUsd).not.toBe('0');
  });

  it("sends Acme's provider key to its upstream, never the client's Tollgate key", async () => {
    const acmeCalls = t.simulator.requests.filter((r) => JSON.stringify(r.body).includes('acme-chat-1'));
    expect(acmeCalls.length).toBeGreaterThan(0);
    for (const call of acmeCalls) {
      expect(call.headers.authorization).toBe(`Bearer ${ACME_KEY}`);
      expect(JSON.stringify(call)).not.toContain(t.key);
    }
  });

  it('leaves the registered providers as they were', async () => {
    const openai = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: t.key, maxRetries: 0 });
    const { response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(await row(response.headers.get('x-request-id')!)).toMatchObject({ provider: 'openai', priceSource: 'builtin' });
  });
});

describe('model sync reads the new provider without a reader of its own', () => {
  it("lists Acme's models from its OpenAI-style GET /models, with Acme's key", async () => {
    const access = { adapter: acmeAdapter, baseUrl: `${simulator.url}/openai/v1`, apiKey: ACME_KEY };
    const models = await listModels(access, { pageSize: 100, timeoutMs: 10_000 });
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((m) => typeof m.name === 'string' && m.name.length > 0)).toBe(true);
    expect(simulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/openai/v1/models' });
    expect(simulator.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ACME_KEY}`);
  });
});

describe('configuration follows the adapter list', () => {
  it('reads TOLLGATE_ACME_BASE_URL and ACME_API_KEY for the new adapter, with no change to the loader', () => {
    const config = loadConfig({
      env: { TOLLGATE_ACME_BASE_URL: 'http://127.0.0.1:1/v1', ACME_API_KEY: 'k' },
      cwd: '/nonexistent-config-folder',
      adapters: [...adapters, acmeAdapter],
    });
    expect(config.providers.acme).toEqual({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', enabled: true });
  });

  it('refuses a providers entry no adapter is registered for, naming the registered ones', () => {
    const env = { TOLLGATE_CONFIG: 'x.yaml' };
    const load = () => loadConfig({ env, cwd: '/', path: `${__dirname}/../fixtures/acme-provider.yaml` });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/providers\.acme: unknown provider \(registered: openai, gemini, xai\)/);
  });
});

describe('a fresh setup with no Acme key', () => {
  it('serves Acme from the built-in simulator through the surface its simulatorPrefix names', async () => {
    const fresh = await startTestGateway({ adapters: [...adapters, acmeAdapter], env: { TOLLGATE_SIMULATE_WHEN_NO_KEY: 'true' } });
    try {
      expect(fresh.gateway.simulator).toBeDefined();
      const client = new OpenAI({ baseURL: `${fresh.url}/acme/v1`, apiKey: fresh.key, maxRetries: 0 });
      const { data, response } = await client.chat.completions.create({ model: 'acme-chat-1', messages }).withResponse();
      expect(data.choices[0]!.message.content).toEqual(expect.any(String));
      expect(response.headers.get('x-tollgate-cost-usd')).toBe(acmeCost(data.usage!.prompt_tokens, data.usage!.prompt_tokens_details?.cached_tokens ?? 0, data.usage!.completion_tokens));
      expect(fresh.gateway.simulator!.requests.at(-1)!.path).toBe('/openai/v1/chat/completions');
    } finally {
      await fresh.close();
    }
  });
});
