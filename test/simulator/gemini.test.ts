import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

// @google/genai joins httpOptions.baseUrl + "/" + apiVersion. NOTE: 3.x defaults the Gemini
// Developer API to "v1" (GOOGLE_AI_API_DEFAULT_VERSION), not "v1beta"; pin v1beta explicitly so
// requests land on /gemini/v1beta/..., and check the SDK default (/gemini/v1/...) works too.
let sim: Simulator;
let ai: GoogleGenAI;

beforeAll(async () => {
  sim = await startSimulator();
  ai = new GoogleGenAI({ apiKey: 'gemini-test-client', apiVersion: 'v1beta', httpOptions: { baseUrl: sim.baseUrls.gemini } });
});
afterAll(() => sim.close());

describe('Gemini', () => {
  it('generateContent answers with usageMetadata whose total adds up', async () => {
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
    const req = sim.requests.at(-1)!;
    expect(req.path).toBe('/gemini/v1beta/models/gemini-2.5-flash:generateContent');
    expect(req.headers['x-goog-api-key']).toBe('gemini-test-client');
    expect(res.text).toContain('Why is the sky blue');
    expect(res.modelVersion).toBe('gemini-2.5-flash');
    expect(res.candidates![0]!.finishReason).toBe('STOP');
    const u = res.usageMetadata!;
    expect(u.thoughtsTokenCount).toBeGreaterThan(0);
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount! + u.thoughtsTokenCount!);
  });

  it('non-thinking models and thinkingBudget 0 report no thoughts', async () => {
    const a = await ai.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hello' });
    expect(a.usageMetadata!.thoughtsTokenCount).toBeUndefined();
    const b = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello', config: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(b.usageMetadata!.thoughtsTokenCount).toBeUndefined();
    expect(b.usageMetadata!.totalTokenCount).toBe(b.usageMetadata!.promptTokenCount! + b.usageMetadata!.candidatesTokenCount!);
  });

  it('generateContentStream carries cumulative usage in every chunk', async () => {
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Tell me a long story about a dragon' });
    const chunks: GenerateContentResponse[] = [];
    let text = '';
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.text ?? '';
    }
    expect(sim.requests.at(-1)!.query).toEqual({ alt: 'sse' });
    expect(chunks.length).toBeGreaterThan(1);
    const counts = chunks.map((c) => c.usageMetadata!.candidatesTokenCount!);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1]!);
    const last = chunks.at(-1)!;
    expect(last.candidates![0]!.finishReason).toBe('STOP');
    const u = last.usageMetadata!;
    expect(u.totalTokenCount).toBe(u.promptTokenCount! + u.candidatesTokenCount! + (u.thoughtsTokenCount ?? 0));
    expect(text).toContain('Tell me a long story');
    // Summing chunks would over-count: the last chunk alone is the truth.
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(u.candidatesTokenCount!);
  });

  it('countTokens agrees with the promptTokenCount of generateContent', async () => {
    const contents = 'The quick brown fox jumps over the lazy dog.';
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents });
    const gen = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents });
    expect(count.totalTokens).toBe(11); // 10 text tokens + 1 for the turn, as in the recorded fixture
    expect(gen.usageMetadata!.promptTokenCount).toBe(count.totalTokens);
  });

  it('embedContent (SDK → :batchEmbedContents) and the single :embedContent route', async () => {
    const res = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'] });
    expect(sim.requests.at(-1)!.path).toBe('/gemini/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(res.embeddings).toHaveLength(2);
    expect(res.embeddings![0]!.values).toHaveLength(8);
    const dims = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'x', config: { outputDimensionality: 16 } });
    expect(dims.embeddings![0]!.values).toHaveLength(16);

    const single = await fetch(`${sim.url}/v1beta/models/gemini-embedding-001:embedContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ content: { parts: [{ text: 'one' }] } }),
    });
    const body = (await single.json()) as { embedding: { values: number[] } };
    expect(body.embedding.values).toEqual(res.embeddings![0]!.values);
  });

  it('lists models page by page (pageSize 2) until nextPageToken is absent', async () => {
    const pager = await ai.models.list({ config: { pageSize: 2 } });
    const names: string[] = [];
    for await (const m of pager) names.push(m.name!);
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('models/gemini-2.5-flash');
    const listCalls = sim.requests.filter((r) => r.path === '/gemini/v1beta/models');
    expect(listCalls.length).toBe(Math.ceil(names.length / 2));
    expect(listCalls.every((r) => r.query.pageSize === '2')).toBe(true);
    expect(listCalls.slice(1).every((r) => typeof r.query.pageToken === 'string')).toBe(true);
  });

  it('gets one model and 404s an unknown one in google.rpc.Status shape', async () => {
    const m = await ai.models.get({ model: 'gemini-2.5-pro' });
    expect(m.displayName).toBe('Gemini 2.5 Pro');
    const res = await fetch(`${sim.url}/v1beta/models/nope-model`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: number; status: string; message: string } };
    expect(body.error.code).toBe(404);
    expect(body.error.status).toBe('NOT_FOUND');
    expect(body.error.message).toContain('models/nope-model is not found');
  });

  it('also serves the SDK default API version (v1) under /gemini/v1', async () => {
    const plain = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: sim.baseUrls.gemini } });
    const res = await plain.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello v1' });
    expect(sim.requests.at(-1)!.path).toBe('/gemini/v1/models/gemini-2.5-flash:generateContent');
    expect(res.text).toContain('hello v1');
  });

  it('streams one JSON array when alt=sse is not asked for', async () => {
    const res = await fetch(`${sim.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'array please, a long one' }] }] }),
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    const chunks = (await res.json()) as { usageMetadata: { candidatesTokenCount: number } }[];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)!.usageMetadata.candidatesTokenCount).toBeGreaterThan(chunks[0]!.usageMetadata.candidatesTokenCount);
  });

  it('accepts the legacy ?key= query parameter and records it', async () => {
    const res = await fetch(`${sim.url}/v1beta/models/gemini-2.0-flash:generateContent?key=legacy-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(res.status).toBe(200);
    expect(sim.requests.at(-1)!.query.key).toBe('legacy-key');
  });
});
