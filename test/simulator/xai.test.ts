import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, xaiCostTicks, type Simulator } from '../../src/simulator/index.js';

let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator();
  client = new OpenAI({ apiKey: 'xai-test-client', baseURL: sim.baseUrls.xai, maxRetries: 0 });
});
afterAll(() => sim.close());

interface XaiChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; text_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  cost_in_usd_ticks: number;
}

interface LanguageModel {
  id: string;
  prompt_text_token_price: number;
  cached_prompt_text_token_price: number;
  completion_text_token_price: number;
}

describe('xAI personality', () => {
  it('chat usage has additive reasoning and cost_in_usd_ticks at the published prices', async () => {
    const res = await client.chat.completions.create({ model: 'grok-4.3', messages: [{ role: 'user', content: 'What is 101*3?' }] });
    const u = res.usage as unknown as XaiChatUsage;
    const reasoning = u.completion_tokens_details.reasoning_tokens;
    expect(reasoning).toBeGreaterThan(0);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens + reasoning);
    expect(u.prompt_tokens_details.text_tokens).toBe(u.prompt_tokens);
    expect((res.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toContain('101*3');

    const prices = (await (await fetch(`${sim.url}/xai/v1/language-models`)).json()) as { models: LanguageModel[] };
    const p = prices.models.find((m) => m.id === 'grok-4.3')!;
    const cached = u.prompt_tokens_details.cached_tokens;
    const expected =
      (u.prompt_tokens - cached) * p.prompt_text_token_price +
      cached * p.cached_prompt_text_token_price +
      (u.completion_tokens + reasoning) * p.completion_text_token_price;
    expect(u.cost_in_usd_ticks).toBe(expected);
  });

  it('reproduces the recorded xai_chat.json cost exactly', () => {
    expect(xaiCostTicks('grok-4.3', { prompt: 10120, cached: 128, text: 1499, reasoning: 2809 })).toBe(232856000);
  });

  it('non-reasoning models report zero reasoning tokens', async () => {
    const res = await client.chat.completions.create({ model: 'grok-4-1-fast-non-reasoning', messages: [{ role: 'user', content: 'hi' }] });
    const u = res.usage as unknown as XaiChatUsage;
    expect(u.completion_tokens_details.reasoning_tokens).toBe(0);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
  });

  it('streams with an xAI usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'grok-3-mini',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: XaiChatUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage as unknown as XaiChatUsage;
    expect(usage!.cost_in_usd_ticks).toBeGreaterThan(0);
    expect(usage!.total_tokens).toBe(usage!.prompt_tokens + usage!.completion_tokens + usage!.completion_tokens_details.reasoning_tokens);
    expect(sim.requests.at(-1)!.body).not.toContain('obfuscation');
  });

  it('responses usage keeps reasoning inside output_tokens and carries ticks', async () => {
    const res = await client.responses.create({ model: 'grok-4.3', input: 'Summarise the news' });
    const u = res.usage as unknown as { input_tokens: number; output_tokens: number; total_tokens: number; cost_in_usd_ticks: number };
    expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens);
    expect(u.cost_in_usd_ticks).toBeGreaterThan(0);
  });

  it('lists models and language models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['grok-4.3', 'grok-3', 'grok-code-fast-1']));
    const lm = (await (await fetch(`${sim.url}/xai/v1/language-models/grok-3`)).json()) as LanguageModel;
    expect(lm.prompt_text_token_price).toBe(30000);
    expect(lm.completion_text_token_price).toBe(150000);
  });

  it('errors come as {code, error}, not OpenAI-shaped', async () => {
    const res = await fetch(`${sim.url}/xai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-error-400', messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'Client specified an invalid argument',
      error: 'Incorrect API key provided: xa***im. You can obtain an API key from https://console.x.ai.',
    });
  });
});
