import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { withoutPerCallFields } from '../support/normalize.js';

let t: TestGateway;
let viaGateway: OpenAI;
let direct: OpenAI;
let xaiViaGateway: OpenAI;
let xaiDirect: OpenAI;

beforeAll(async () => {
  t = await startTestGateway();
  viaGateway = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: t.key, maxRetries: 0 });
  direct = new OpenAI({ baseURL: `${t.simulator.url}/openai/v1`, apiKey: 'sk-direct', maxRetries: 0 });
  xaiViaGateway = new OpenAI({ baseURL: `${t.url}/xai/v1`, apiKey: t.key, maxRetries: 0 });
  xaiDirect = new OpenAI({ baseURL: `${t.simulator.url}/xai/v1`, apiKey: 'xai-direct', maxRetries: 0 });
});
afterAll(async () => t?.close());

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Say hello to the gateway' }] };

describe('the openai SDK through the gateway gets what a direct call gets', () => {
  it('chat completion (non-streamed), with the cost header and a request id', async () => {
    const { data, response } = await viaGateway.chat.completions.create(chat).withResponse();
    const expected = await direct.chat.completions.create(chat);
    expect(withoutPerCallFields(data)).toEqual(withoutPerCallFields(expected));
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(response.headers.get('x-tollgate-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
  });

  it('chat completion streamed, without asking for usage: no usage chunk reaches the client', async () => {
    const collect = async (client: OpenAI) => {
      const chunks = [];
      for await (const chunk of await client.chat.completions.create({ ...chat, stream: true })) chunks.push(chunk);
      return chunks;
    };
    const [got, expected] = await Promise.all([collect(viaGateway), collect(direct)]);
    expect(withoutPerCallFields(got)).toEqual(withoutPerCallFields(expected));
    expect(got.every((chunk) => chunk.usage == null)).toBe(true);
  });

  it('chat completion streamed with include_usage: the client gets its usage chunk', async () => {
    const chunks = [];
    const stream = await viaGateway.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('responses, streamed and not', async () => {
    const request = { model: 'gpt-4.1', input: 'Write one line about tolls' };
    expect(withoutPerCallFields(await viaGateway.responses.create(request))).toEqual(withoutPerCallFields(await direct.responses.create(request)));
    const events: string[] = [];
    for await (const event of await viaGateway.responses.create({ ...request, stream: true })) events.push(event.type);
    expect(events.at(-1)).toBe('response.completed');
  });

  it('embeddings (the SDK asks for base64)', async () => {
    const request = { model: 'text-embedding-3-small', input: ['one', 'two'] };
    expect(await viaGateway.embeddings.create(request)).toEqual(await direct.embeddings.create(request));
  });

  it('models list', async () => {
    const got = [];
    for await (const model of viaGateway.models.list()) got.push(model.id);
    const expected = [];
    for await (const model of direct.models.list()) expected.push(model.id);
    expect(got).toEqual(expected);
  });

  it('the /v1 alias serves OpenAI too', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
    const data = await client.chat.completions.create(chat);
    expect(data.choices[0]?.message.content).toBeTruthy();
  });

  it('xAI chat, streamed and not', async () => {
    const request = { model: 'grok-4', messages: [{ role: 'user' as const, content: 'What is 101 * 3?' }] };
    expect(withoutPerCallFields(await xaiViaGateway.chat.completions.create(request))).toEqual(
      withoutPerCallFields(await xaiDirect.chat.completions.create(request)),
    );
    let text = '';
    for await (const chunk of await xaiViaGateway.chat.completions.create({ ...request, stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('keys', () => {
  it('the upstream never sees the client key; it sees the provider key', async () => {
    t.simulator.clearRequests();
    await viaGateway.chat.completions.create(chat);
    await xaiViaGateway.chat.completions.create({ ...chat, model: 'grok-3' });
    const seen = t.simulator.requests.map((r) => JSON.stringify(r.headers) + r.body + JSON.stringify(r.query));
    expect(seen.length).toBe(2);
    for (const text of seen) expect(text).not.toContain(t.key);
    expect(t.simulator.requests[0]!.headers.authorization).toBe('Bearer sk-upstream-openai-secret');
    expect(t.simulator.requests[1]!.headers.authorization).toBe('Bearer xai-upstream-secret');
  });

  it('a missing or wrong key is a 401 in the OpenAI shape, and nothing goes upstream', async () => {
    t.simulator.clearRequests();
    const wrong = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: 'tg_not-a-real-key-at-all', maxRetries: 0 });
    const error = await wrong.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const missing = await fetch(`${t.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat) });
    expect(missing.status).toBe(401);
    const body = (await missing.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(t.simulator.requests).toHaveLength(0);
  });
});
