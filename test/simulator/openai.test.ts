import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

// The official openai SDK pointed straight at the simulator: if the SDK parses it, so will users' code.
let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator();
  client = new OpenAI({ apiKey: 'sk-test-client', baseURL: sim.baseUrls.openai, maxRetries: 0 });
});
afterAll(() => sim.close());

const ask = (content: string, model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user' as const, content }] });

describe('OpenAI chat completions', () => {
  it('answers with realistic JSON and consistent usage', async () => {
    const res = await client.chat.completions.create(ask('Why is the sky blue?'));
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe('gpt-4o-mini-2024-07-18'); // alias resolved to a snapshot, like the real API
    expect(res.choices[0]!.message.content).toContain('Why is the sky blue');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    const u = res.usage!;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    expect(u.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(u.completion_tokens_details?.reasoning_tokens).toBe(0);
    expect(res._request_id).toMatch(/^req_/);
  });

  it('is deterministic per prompt and differs across prompts', async () => {
    const a1 = await client.chat.completions.create(ask('Tell me about penguins'));
    const a2 = await client.chat.completions.create(ask('Tell me about penguins'));
    const b = await client.chat.completions.create(ask('Explain quantum tunnelling in detail please'));
    expect(a1.choices[0]!.message.content).toBe(a2.choices[0]!.message.content);
    expect(a1.usage).toEqual(a2.usage);
    expect(b.choices[0]!.message.content).not.toBe(a1.choices[0]!.message.content);
    expect(b.usage!.prompt_tokens).toBeGreaterThan(a1.usage!.prompt_tokens);
  });

  it('counts reasoning inside completion tokens for reasoning models and honours the cap', async () => {
    const full = await client.chat.completions.create(ask('Plan a trip', 'o4-mini'));
    const u = full.usage!;
    const reasoning = u.completion_tokens_details!.reasoning_tokens!;
    expect(reasoning).toBeGreaterThan(0);
    expect(u.completion_tokens).toBeGreaterThan(reasoning);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);

    // A cap just above the reasoning spend leaves room for 3 visible tokens.
    const capped = await client.chat.completions.create({ ...ask('Plan a trip', 'o4-mini'), max_completion_tokens: reasoning + 3 });
    expect(capped.usage!.completion_tokens).toBe(reasoning + 3);
    expect(capped.choices[0]!.finish_reason).toBe('length');
    expect(capped.choices[0]!.message.content).toBe('Simulated answer about');
  });

  it('reports cached tokens (a subset of prompt tokens) for long prompts', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(500);
    const res = await client.chat.completions.create(ask(long));
    const u = res.usage!;
    expect(u.prompt_tokens).toBeGreaterThan(2048);
    expect(u.prompt_tokens_details!.cached_tokens! % 128).toBe(0);
    expect(u.prompt_tokens_details!.cached_tokens!).toBeGreaterThanOrEqual(1024);
    expect(u.prompt_tokens_details!.cached_tokens!).toBeLessThan(u.prompt_tokens);
  });

  it('streams chunks with a final usage chunk only when include_usage is set', async () => {
    const stream = await client.chat.completions.create({ ...ask('Stream me something'), stream: true, stream_options: { include_usage: true } });
    let text = '';
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(chunks.length - 3); // role chunk, finish chunk, usage chunk
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(text).toContain('Stream me something');

    const plain = await client.chat.completions.create({ ...ask('Stream me something'), stream: true });
    const plainChunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    expect(plainChunks.every((c) => c.choices.length === 1 && c.usage == null)).toBe(true);
    expect(plainChunks.length).toBe(chunks.length - 1);
  });

  it('ends the raw chat stream with data: [DONE]', async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('raw'), stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(body).toContain('"obfuscation":');
  });
});

describe('OpenAI responses', () => {
  it('answers with output_text and input/output usage', async () => {
    const res = await client.responses.create({ model: 'o3', input: 'Write a haiku about gateways', instructions: 'Be brief.' });
    expect(res.object).toBe('response');
    expect(res.status).toBe('completed');
    expect(res.output_text).toContain('Write a haiku about gateways');
    const u = res.usage!;
    expect(u.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
    expect(u.total_tokens).toBe(u.input_tokens + u.output_tokens);
    expect(u.input_tokens_details.cached_tokens).toBe(0);
  });

  it('streams events ending with response.completed carrying usage', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1', input: 'Say hi', stream: true });
    const types: string[] = [];
    let text = '';
    let usage: OpenAI.Responses.ResponseUsage | undefined | null;
    let lastSeq = -1;
    for await (const event of stream) {
      types.push(event.type);
      expect(event.sequence_number).toBe(lastSeq + 1);
      lastSeq = event.sequence_number;
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.created') expect(event.response.usage).toBeNull();
      if (event.type === 'response.completed') usage = event.response.usage;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toContain('Say hi');
    expect(usage!.output_tokens).toBe(types.filter((t) => t === 'response.output_text.delta').length);
    expect(usage!.total_tokens).toBe(usage!.input_tokens + usage!.output_tokens);
  });

  it('ends as response.incomplete when max_output_tokens cuts the answer', async () => {
    const res = await client.responses.create({ model: 'gpt-4.1', input: 'Say a lot', max_output_tokens: 5 });
    expect(res.status).toBe('incomplete');
    expect(res.incomplete_details?.reason).toBe('max_output_tokens');
    expect(res.usage!.output_tokens).toBe(5);
  });
});

describe('OpenAI embeddings and models', () => {
  it('returns base64 embeddings by default (decoded by the SDK) equal to float ones', async () => {
    const viaSdk = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    const sent = JSON.parse(sim.requests.at(-1)!.body) as { encoding_format?: string };
    expect(sent.encoding_format).toBe('base64');
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0]!.embedding).toHaveLength(8);
    expect(viaSdk.usage.total_tokens).toBe(viaSdk.usage.prompt_tokens);
    const norm = Math.hypot(...viaSdk.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);

    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(floats.data[0]!.embedding).toEqual(viaSdk.data[0]!.embedding);
    expect(floats.data[1]!.embedding).not.toEqual(floats.data[0]!.embedding);
  });

  it('honours the dimensions parameter', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x', dimensions: 32 });
    expect(res.data[0]!.embedding).toHaveLength(32);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const ft = await client.models.retrieve('ft:gpt-4o-mini-2024-07-18:acme::AbC123');
    expect(ft.owned_by).toBe('org-abc123');
    await expect(client.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('answers unknown paths with OpenAI\'s invalid URL error', async () => {
    const res = await fetch(`${sim.url}/v1/nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: 'Invalid URL (POST /v1/nope)', type: 'invalid_request_error', param: null, code: null } });
  });
});
