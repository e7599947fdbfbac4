import { GoogleGenAI, ApiError } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { withoutPerCallFields } from '../support/normalize.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const request = { model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' };

/** The SDK's response objects carry an sdkHttpResponse with per-call headers; compare the data. */
function data(value: unknown): unknown {
  const { sdkHttpResponse: _ignored, ...rest } = value as Record<string, unknown>;
  return withoutPerCallFields(JSON.parse(JSON.stringify(rest)));
}

// @google/genai 3.x calls /v1 unless told otherwise; v1beta is the API's documented surface and
// what older SDKs and raw callers use. The gateway serves both, so both go through the SDK.
describe.each([
  { label: 'v1 (the SDK default)', apiVersion: undefined, path: '/gemini/v1/' },
  { label: 'v1beta', apiVersion: 'v1beta', path: '/gemini/v1beta/' },
])('the @google/genai SDK on $label through the gateway gets what a direct call gets', ({ apiVersion, path }) => {
  let viaGateway: GoogleGenAI;
  let direct: GoogleGenAI;
  beforeAll(() => {
    viaGateway = new GoogleGenAI({ apiKey: t.key, httpOptions: { baseUrl: `${t.url}/gemini`, apiVersion } });
    direct = new GoogleGenAI({ apiKey: 'direct', httpOptions: { baseUrl: `${t.simulator.url}/gemini`, apiVersion } });
  });

  it(`the SDK configured this way calls ${path}`, async () => {
    // The same httpOptions drive both clients; the simulator shows which path they produce.
    t.simulator.clearRequests();
    await direct.models.generateContent(request);
    expect(t.simulator.requests[0]!.path).toBe(`${path}models/gemini-2.5-flash:generateContent`);
  });

  it('generateContent', async () => {
    expect(data(await viaGateway.models.generateContent(request))).toEqual(data(await direct.models.generateContent(request)));
  });

  it('generateContentStream, with cumulative usage on the last chunk', async () => {
    const collect = async (client: GoogleGenAI) => {
      const chunks = [];
      for await (const chunk of await client.models.generateContentStream(request)) chunks.push(data(chunk));
      return chunks;
    };
    const [got, expected] = await Promise.all([collect(viaGateway), collect(direct)]);
    expect(got).toEqual(expected);
    expect(got.length).toBeGreaterThan(1);
    expect((got.at(-1) as { usageMetadata?: { totalTokenCount?: number } }).usageMetadata?.totalTokenCount).toBeGreaterThan(0);
  });

  it('countTokens', async () => {
    const got = data(await viaGateway.models.countTokens(request));
    expect(got).toEqual(data(await direct.models.countTokens(request)));
    expect((got as { totalTokens?: number }).totalTokens).toBeGreaterThan(0);
  });

  it('embedContent', async () => {
    const embed = { model: 'gemini-embedding-001', contents: 'tolls and gates' };
    expect(data(await viaGateway.models.embedContent(embed))).toEqual(data(await direct.models.embedContent(embed)));
  });

  it('models list, across pages, whole model resources', async () => {
    const models = async (client: GoogleGenAI) => {
      const out: unknown[] = [];
      for await (const model of await client.models.list({ config: { pageSize: 2 } })) out.push(JSON.parse(JSON.stringify(model)));
      return out;
    };
    const got = await models(viaGateway);
    // Model resources carry no per-call fields: compared as they are.
    expect(got).toEqual(await models(direct));
    expect(got.length).toBeGreaterThan(2);
  });

  it('a wrong key is a 401 ApiError', async () => {
    const wrong = new GoogleGenAI({ apiKey: 'tg_wrong-key-for-this-gateway', httpOptions: { baseUrl: `${t.url}/gemini`, apiVersion, retryOptions: { attempts: 1 } } });
    const error = await wrong.models.generateContent(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
  });
});

describe('Gemini keys', () => {
  it('the upstream sees the provider key in x-goog-api-key, never the client key', async () => {
    const viaGateway = new GoogleGenAI({ apiKey: t.key, httpOptions: { baseUrl: `${t.url}/gemini` } });
    t.simulator.clearRequests();
    await viaGateway.models.generateContent(request);
    const [seen] = t.simulator.requests;
    expect(seen!.headers['x-goog-api-key']).toBe('upstream-gemini-secret');
    expect(JSON.stringify(seen)).not.toContain(t.key);
  });

  it('the legacy ?key= query parameter authenticates too and is not forwarded', async () => {
    t.simulator.clearRequests();
    const response = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent?key=${t.key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    expect(response.status).toBe(200);
    expect(t.simulator.requests[0]!.query.key).toBeUndefined();
    expect(JSON.stringify(t.simulator.requests[0])).not.toContain(t.key);
  });

  it('a wrong key is a 401 in the Gemini shape, with a request id, and nothing goes upstream', async () => {
    t.simulator.clearRequests();
    const raw = await fetch(`${t.url}/gemini/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'tg_wrong-key-for-this-gateway' },
      body: '{}',
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('x-request-id')).toBeTruthy();
    const body = (await raw.json()) as { error: { code: number; status: string } };
    expect(body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(t.simulator.requests).toHaveLength(0);
  });
});
