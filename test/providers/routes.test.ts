import { describe, expect, it } from 'vitest';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import { adapters, findAdapter, prefixTable } from '../../src/providers/registry.js';
import type { EndpointKind, ProviderAdapter } from '../../src/providers/types.js';
import { xaiAdapter } from '../../src/providers/xai/index.js';

type RouteRow = [method: string, path: string, kind: EndpointKind, billable: boolean, upstreamPath?: string];

const OPENAI_ROUTES: RouteRow[] = [
  ['POST', '/chat/completions', 'chat', true],
  ['post', '/chat/completions', 'chat', true],
  ['POST', '/responses', 'responses', true],
  ['POST', '/embeddings', 'embeddings', true],
  ['GET', '/models', 'models', false],
  ['GET', '/models/gpt-4o-mini', 'models', false],
  ['GET', '/models/ft:gpt-4o-mini-2024-07-18:acme::AbC123', 'models', false],
  ['DELETE', '/models/ft:gpt-4o-mini-2024-07-18:acme::AbC123', 'other', false],
  ['GET', '/chat/completions', 'other', false],
  ['GET', '/responses/resp_123', 'other', false],
  ['POST', '/responses/resp_123/cancel', 'other', false],
  ['POST', '/completions', 'other', false],
  ['POST', '/audio/transcriptions', 'other', false],
  // Spellings a provider would still serve must not slip into the free "other" route;
  // what is sent upstream is the canonical path that was priced.
  ['POST', '/chat/completions/', 'chat', true, '/chat/completions'],
  ['POST', '//chat//completions', 'chat', true, '/chat/completions'],
  ['POST', '/chat/completion%73', 'chat', true, '/chat/completions'],
  ['POST', '/models/../chat/completions', 'chat', true, '/chat/completions'],
  ['POST', '/./embeddings', 'embeddings', true, '/embeddings'],
  ['POST', '/chat%2Fcompletions', 'other', false, '/chat%2Fcompletions'],
];

const XAI_EXTRA: RouteRow[] = [
  ['GET', '/language-models', 'models', false],
  ['GET', '/language-models/grok-3', 'models', false],
  ['POST', '/language-models', 'other', false],
];

interface GeminiRow {
  method: string;
  path: string;
  kind: EndpointKind;
  billable: boolean;
  pathModel?: string;
  pathStreams?: boolean;
}
const GEMINI: GeminiRow[] = [
  { method: 'POST', path: '/models/gemini-2.5-flash:generateContent', kind: 'generate', billable: true, pathModel: 'gemini-2.5-flash' },
  { method: 'POST', path: '/models/gemini-2.5-flash:streamGenerateContent', kind: 'generate', billable: true, pathModel: 'gemini-2.5-flash', pathStreams: true },
  { method: 'POST', path: '/models/gemini-2.5-flash:countTokens', kind: 'count-tokens', billable: false, pathModel: 'gemini-2.5-flash' },
  { method: 'POST', path: '/models/gemini-embedding-001:embedContent', kind: 'embeddings', billable: true, pathModel: 'gemini-embedding-001' },
  { method: 'POST', path: '/models/gemini-embedding-001:batchEmbedContents', kind: 'embeddings', billable: true, pathModel: 'gemini-embedding-001' },
  { method: 'GET', path: '/models', kind: 'models', billable: false },
  { method: 'GET', path: '/models/gemini-2.5-flash', kind: 'models', billable: false, pathModel: 'gemini-2.5-flash' },
  { method: 'POST', path: '/models/gemini-2.5-flash%3AgenerateContent', kind: 'generate', billable: true, pathModel: 'gemini-2.5-flash' },
  { method: 'POST', path: '/models/gemini-2.5-flash:generateContent/', kind: 'generate', billable: true, pathModel: 'gemini-2.5-flash' },
  { method: 'GET', path: '/models/gemini-2.5-flash:generateContent', kind: 'other', billable: false },
  { method: 'POST', path: '/models/gemini-2.5-flash:somethingElse', kind: 'other', billable: false },
  { method: 'POST', path: '/models', kind: 'other', billable: false },
  { method: 'POST', path: '/cachedContents', kind: 'other', billable: false },
  { method: 'POST', path: '/tunedModels/my-model:generateContent', kind: 'other', billable: false },
];

function expectRoutes(adapter: ProviderAdapter, rows: RouteRow[]): void {
  for (const [method, path, kind, billable, upstreamPath] of rows) {
    expect(adapter.matchRoute(method, path), `${method} ${path}`).toEqual({ kind, billable, pathStreams: false, upstreamPath: upstreamPath ?? path });
  }
}

describe('matchRoute', () => {
  it('OpenAI', () => expectRoutes(openaiAdapter, OPENAI_ROUTES));
  it('xAI: the OpenAI routes plus its free /language-models listing', () => expectRoutes(xaiAdapter, [...OPENAI_ROUTES, ...XAI_EXTRA]));
  it('OpenAI does not serve xAI’s /language-models as a listing', () => {
    expect(openaiAdapter.matchRoute('GET', '/language-models').kind).toBe('other');
  });
  it.each(GEMINI)('Gemini $method $path → $kind', ({ method, path, kind, billable, pathModel, pathStreams }) => {
    const route = geminiAdapter.matchRoute(method, path);
    expect(route).toMatchObject({ kind, billable, pathStreams: pathStreams ?? false });
    expect(route.pathModel).toBe(pathModel);
  });
});

describe('findAdapter (registry)', () => {
  it.each([
    ['/openai/v1/chat/completions', 'openai', '/chat/completions'],
    ['/v1/chat/completions', 'openai', '/chat/completions'],
    ['/v1/models', 'openai', '/models'],
    ['/xai/v1/chat/completions', 'xai', '/chat/completions'],
    ['/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=k', 'gemini', '/models/gemini-2.5-flash:streamGenerateContent'],
    ['/openai/v1', 'openai', '/'],
    ['//openai/v1//chat/completions/', 'openai', '/chat/completions'],
    ['/v1beta/models', undefined, undefined],
    ['/openai/v10/models', undefined, undefined],
    // @google/genai 3.x's default API version is v1; it is served like v1beta.
    ['/gemini/v1/models', 'gemini', '/models'],
    ['/gemini/v1/models/gemini-2.5-flash:generateContent', 'gemini', '/models/gemini-2.5-flash:generateContent'],
    ['/healthz', undefined, undefined],
    ['/', undefined, undefined],
  ])('%s → %s %s', (path, id, upstreamPath) => {
    const found = findAdapter(path);
    expect(found?.adapter.id).toBe(id);
    expect(found?.upstreamPath).toBe(upstreamPath);
  });

  it('lists each provider once, with its contract prefixes', () => {
    expect(adapters.map((a) => a.id)).toEqual(['openai', 'gemini', 'xai']);
    expect(adapters.map((a) => [...a.routePrefixes])).toEqual([['/openai/v1', '/v1'], ['/gemini/v1beta', '/gemini/v1'], ['/xai/v1']]);
  });

  it('refuses two adapters claiming one prefix', () => {
    expect(() => prefixTable([openaiAdapter, { ...xaiAdapter, routePrefixes: ['/v1'] }])).toThrow(/\/v1/);
  });

  it('matches the longest prefix first whatever the adapter order', () => {
    const table = prefixTable([{ ...openaiAdapter, routePrefixes: ['/v1'] }, { ...xaiAdapter, routePrefixes: ['/v1/xai'] }]);
    expect(findAdapter('/v1/xai/models', table)?.adapter.id).toBe('xai');
    expect(findAdapter('/v1/xaimodels', table)?.adapter.id).toBe('openai');
  });
});

describe('extractClientKey', () => {
  const none = new URLSearchParams();
  it.each([
    [{ authorization: 'Bearer tg-key-1' }, 'tg-key-1'],
    [{ authorization: 'bearer   tg-key-1  ' }, 'tg-key-1'],
    [{ Authorization: 'Bearer tg-key-1' }, 'tg-key-1'],
    [{ authorization: ['Bearer first', 'Bearer second'] }, 'first'],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, undefined],
    [{ authorization: 'Bearer' }, undefined],
    [{ authorization: 'Bearer two words' }, undefined],
    [{ authorization: '' }, undefined],
    [{ 'x-goog-api-key': 'tg-key-1' }, undefined],
    [{}, undefined],
  ])('OpenAI and xAI: %j → %s', (headers, key) => {
    expect(openaiAdapter.extractClientKey(headers, none)).toBe(key);
    expect(xaiAdapter.extractClientKey(headers, none)).toBe(key);
  });

  it('OpenAI ignores ?key=', () => {
    expect(openaiAdapter.extractClientKey({}, new URLSearchParams('key=tg'))).toBeUndefined();
  });

  it.each([
    [{ 'x-goog-api-key': 'tg-h' }, '', 'tg-h'],
    [{ 'X-Goog-Api-Key': 'tg-h' }, '', 'tg-h'],
    [{}, 'key=tg-q', 'tg-q'],
    [{ 'x-goog-api-key': 'tg-h' }, 'key=tg-q', 'tg-h'],
    [{ 'x-goog-api-key': '  ' }, 'key=tg-q', 'tg-q'],
    [{}, 'key=', undefined],
    [{ authorization: 'Bearer tg-b' }, '', undefined],
    [{}, '', undefined],
  ])('Gemini: %j ?%s → %s', (headers, query, key) => {
    expect(geminiAdapter.extractClientKey(headers, new URLSearchParams(query))).toBe(key);
  });
});

describe('buildUpstream never carries the client key', () => {
  it('OpenAI: base + path + query, Authorization replaced by the provider key', () => {
    const route = openaiAdapter.matchRoute('GET', '/models');
    const query = new URLSearchParams('after=x&limit=2');
    expect(openaiAdapter.buildUpstream('https://api.openai.com/v1', route, query, 'sk-provider')).toEqual({
      url: 'https://api.openai.com/v1/models?after=x&limit=2',
      headers: { authorization: 'Bearer sk-provider' },
    });
    expect(openaiAdapter.buildUpstream('http://127.0.0.1:9/v1/', route, new URLSearchParams(), undefined)).toEqual({
      url: 'http://127.0.0.1:9/v1/models',
      headers: {},
    });
  });

  it('xAI: its own base URL and key, same shape', () => {
    const route = xaiAdapter.matchRoute('POST', '/chat/completions');
    expect(xaiAdapter.buildUpstream(xaiAdapter.defaultBaseUrl, route, new URLSearchParams(), 'xai-provider')).toEqual({
      url: 'https://api.x.ai/v1/chat/completions',
      headers: { authorization: 'Bearer xai-provider' },
    });
  });

  it('Gemini: ?key= removed, alt=sse and the rest kept, provider key in x-goog-api-key', () => {
    const route = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:streamGenerateContent');
    const query = new URLSearchParams('alt=sse&key=tg-client-secret&$fields=candidates');
    const upstream = geminiAdapter.buildUpstream(geminiAdapter.defaultBaseUrl, route, query, 'AIza-provider');
    expect(upstream).toEqual({
      url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&%24fields=candidates',
      headers: { 'x-goog-api-key': 'AIza-provider' },
    });
    expect(JSON.stringify(upstream)).not.toContain('tg-client-secret');
    expect(query.get('key')).toBe('tg-client-secret'); // the caller's query is not mutated
  });

  it('Gemini without a provider key sends no key at all', () => {
    const route = geminiAdapter.matchRoute('GET', '/models');
    expect(geminiAdapter.buildUpstream('http://localhost:1/v1beta', route, new URLSearchParams('key=tg&pageSize=5'), undefined)).toEqual({
      url: 'http://localhost:1/v1beta/models?pageSize=5',
      headers: {},
    });
  });

  it('adapters describe their upstream', () => {
    expect(adapters.map((a) => [a.id, a.defaultBaseUrl, a.apiKeyEnv])).toEqual([
      ['openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY'],
      ['gemini', 'https://generativelanguage.googleapis.com/v1beta', 'GEMINI_API_KEY'],
      ['xai', 'https://api.x.ai/v1', 'XAI_API_KEY'],
    ]);
  });
});
