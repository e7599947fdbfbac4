// The openai SDK through the gateway, for every provider that speaks the OpenAI API (OpenAI on
// /openai/v1, xAI on /xai/v1): each call's result equals a direct call to the simulator, the
// upstream sees the provider key and never the client's, and a wrong key or an exhausted budget
// is refused in the OpenAI shape before anything goes upstream. Each test file registers it
// with its provider's route and models, then adds what only that provider has.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createHierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { withoutPerCallFields } from '../support/normalize.js';

export interface OpenAiCompatibleCase {
  /** The route prefix, e.g. `/openai/v1`. */
  prefix: string;
  /** The provider key the gateway is configured with (test/support/gateway-env.ts). */
  upstreamKey: string;
  chatModel: string;
  responsesModel: string;
  embeddingModel: string;
}

export interface OpenAiCompatibleContext {
  t: TestGateway;
  viaGateway: OpenAI;
  direct: OpenAI;
  chat: { model: string; messages: { role: 'user'; content: string }[] };
}

/** Every event of an SDK stream, in order, as the SDK handed them over. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Registers the shared tests; the returned context is filled in by beforeAll. */
export function openAiCompatibleSuite(c: OpenAiCompatibleCase): OpenAiCompatibleContext {
  const ctx = { chat: { model: c.chatModel, messages: [{ role: 'user' as const, content: 'Say hello to the gateway' }] } } as OpenAiCompatibleContext;
  beforeAll(async () => {
    ctx.t = await startTestGateway();
    ctx.viaGateway = new OpenAI({ baseURL: `${ctx.t.url}${c.prefix}`, apiKey: ctx.t.key, maxRetries: 0 });
    ctx.direct = new OpenAI({ baseURL: `${ctx.t.simulator.url}${c.prefix}`, apiKey: 'direct-key', maxRetries: 0 });
  });
  afterAll(async () => ctx.t?.close());
  const responsesRequest = { model: c.responsesModel, input: 'Write one line about tolls' };

  describe(`the openai SDK on ${c.prefix} through the gateway gets what a direct call gets`, () => {
    it('chat completion (non-streamed), with the cost header and a request id', async () => {
      const { data, response } = await ctx.viaGateway.chat.completions.create(ctx.chat).withResponse();
      expect(withoutPerCallFields(data)).toEqual(withoutPerCallFields(await ctx.direct.chat.completions.create(ctx.chat)));
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('x-tollgate-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    });

    it('chat completion streamed, without asking for usage: no usage chunk reaches the client', async () => {
      // The gateway asks the upstream for usage itself (to price the call) and strips that chunk.
      const [got, expected] = await Promise.all([
        collect(await ctx.viaGateway.chat.completions.create({ ...ctx.chat, stream: true })),
        collect(await ctx.direct.chat.completions.create({ ...ctx.chat, stream: true })),
      ]);
      expect(withoutPerCallFields(got)).toEqual(withoutPerCallFields(expected));
      expect(got.length).toBeGreaterThan(2);
      expect(got.every((chunk) => chunk.usage == null)).toBe(true);
    });

    it('chat completion streamed with include_usage: every chunk, the usage chunk included', async () => {
      const request = { ...ctx.chat, stream: true as const, stream_options: { include_usage: true } };
      const [got, expected] = await Promise.all([
        collect(await ctx.viaGateway.chat.completions.create(request)),
        collect(await ctx.direct.chat.completions.create(request)),
      ]);
      expect(withoutPerCallFields(got)).toEqual(withoutPerCallFields(expected));
      expect(got.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('responses (non-streamed)', async () => {
      const got = await ctx.viaGateway.responses.create(responsesRequest);
      expect(withoutPerCallFields(got)).toEqual(withoutPerCallFields(await ctx.direct.responses.create(responsesRequest)));
      expect(got.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('responses streamed: every event, ending with response.completed', async () => {
      const request = { ...responsesRequest, stream: true as const };
      const [got, expected] = await Promise.all([
        collect(await ctx.viaGateway.responses.create(request)),
        collect(await ctx.direct.responses.create(request)),
      ]);
      expect(withoutPerCallFields(got)).toEqual(withoutPerCallFields(expected));
      expect(got.length).toBeGreaterThan(3);
      expect(got.at(-1)?.type).toBe('response.completed');
    });

    it('embeddings (the SDK asks for base64)', async () => {
      const request = { model: c.embeddingModel, input: ['one', 'two'] };
      const got = await ctx.viaGateway.embeddings.create(request);
      // Nothing per call in an embedding: compared as it is.
      expect(got).toEqual(await ctx.direct.embeddings.create(request));
      expect(got.data).toHaveLength(2);
    });

    it('models list: every model object', async () => {
      const got = await collect(ctx.viaGateway.models.list());
      // Model objects carry the model's own creation date, not a per-call one: compared as they are.
      expect(got).toEqual(await collect(ctx.direct.models.list()));
      expect(got.length).toBeGreaterThan(1);
    });
  });

  describe(`keys and denials on ${c.prefix}`, () => {
    it('the upstream never sees the client key; it sees the provider key', async () => {
      ctx.t.simulator.clearRequests();
      await ctx.viaGateway.chat.completions.create(ctx.chat);
      const seen = ctx.t.simulator.requests.map((r) => JSON.stringify(r.headers) + r.body + JSON.stringify(r.query));
      expect(seen).toHaveLength(1);
      expect(seen[0]).not.toContain(ctx.t.key);
      expect(ctx.t.simulator.requests[0]!.path).toBe(`${c.prefix}/chat/completions`);
      expect(ctx.t.simulator.requests[0]!.headers.authorization).toBe(`Bearer ${c.upstreamKey}`);
    });

    it('a wrong key is a 401 in the OpenAI shape with a request id, and nothing goes upstream', async () => {
      ctx.t.simulator.clearRequests();
      const wrong = new OpenAI({ baseURL: `${ctx.t.url}${c.prefix}`, apiKey: 'tg_not-a-real-key-at-all', maxRetries: 0 });
      const error = await wrong.chat.completions.create(ctx.chat).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      const unauthorized = error as InstanceType<typeof OpenAI.AuthenticationError>;
      expect(unauthorized.code).toBe('invalid_api_key');
      expect(unauthorized.type).toBe('invalid_request_error');
      expect(unauthorized.requestID).toBeTruthy();
      expect(ctx.t.simulator.requests).toHaveLength(0);
    });

    it('a budget denial is a 429 insufficient_quota with a request id, and nothing goes upstream', async () => {
      const h = await createHierarchy(ctx.t, `denied-${c.prefix.split('/')[1]}`);
      const key = await ctx.t.createKey({ name: 'denied', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
      await admin(ctx.t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'total', limitUsd: '0' });
      ctx.t.simulator.clearRequests();
      const denied = new OpenAI({ baseURL: `${ctx.t.url}${c.prefix}`, apiKey: key, maxRetries: 0 });
      const error = await denied.chat.completions.create(ctx.chat).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(rateLimited.code).toBe('insufficient_quota');
      expect(rateLimited.requestID).toBeTruthy();
      expect(ctx.t.simulator.requests).toHaveLength(0);
    });
  });
  return ctx;
}
