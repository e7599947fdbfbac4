/**
 * The contract every provider adapter keeps, run over every registered adapter and the example
 * provider of docs/providers.md alike. Per-provider details (exact usage semantics, error
 * bodies, route tables) are in the neighbouring test files; this is what the proxy relies on.
 */
import { describe, expect, it } from 'vitest';
import { PriceCatalog, builtinPricesOf, validatePrices } from '../../src/pricing/index.js';
import { adapters, findAdapter, prefixTable } from '../../src/providers/registry.js';
import type { GatewayErrorKind } from '../../src/providers/types.js';
import { CONTRACT_CASES, type ContractCase } from './contract/cases.js';
import { byteChunks, runTap, splitChunks, wholeChunks } from './helpers.js';

const CLIENT_SECRET = 'tg_live_contractClientSecret0123456789';
const PROVIDER_KEY = 'provider-key-contract-0123456789';
const ERROR_KINDS: GatewayErrorKind[] = [
  'unauthorized', 'forbidden', 'budget_exceeded', 'invalid_request', 'not_found', 'payload_too_large',
  'unsupported_media_type', 'upstream_unavailable', 'upstream_timeout', 'service_unavailable', 'internal',
];

it('every registered adapter has a contract case', () => {
  for (const adapter of adapters) expect(CONTRACT_CASES.map((c) => c.adapter)).toContain(adapter);
});

it('no two adapters, the example included, claim the same route prefix or id', () => {
  const all = CONTRACT_CASES.map((c) => c.adapter);
  expect(() => prefixTable(all)).not.toThrow();
  expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
});

describe.each(CONTRACT_CASES.map((c) => [c.adapter.id, c] as const))('adapter contract: %s', (_id, c: ContractCase) => {
  const { adapter } = c;
  const table = prefixTable(CONTRACT_CASES.map((other) => other.adapter));

  it('has an identity the config and the environment can name', () => {
    expect(adapter.id).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(adapter.apiKeyEnv).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(new URL(adapter.defaultBaseUrl).protocol).toBe('https:');
    expect(adapter.routePrefixes.length).toBeGreaterThan(0);
    for (const prefix of adapter.routePrefixes) {
      expect(prefix).toMatch(/^\/[^?#]*[^/]$/);
      expect(findAdapter(`${prefix}${c.call.path}`, table)?.adapter).toBe(adapter);
    }
  });

  it('ships valid built-in prices of its own, including the model of its sample call', () => {
    expect(validatePrices(adapter.builtinPrices)).toEqual([]);
    for (const price of adapter.builtinPrices) expect(price.provider).toBe(adapter.id);
    const found = new PriceCatalog({ builtins: builtinPricesOf([adapter]) }).lookup(adapter.id, c.call.model, new Date());
    expect(found.source).toBe('builtin');
  });

  it('routes its billable call and its streamed form as billable, never as free pass-through', () => {
    for (const path of [c.call.path, c.call.streamPath]) {
      const route = adapter.matchRoute(c.call.method, path);
      expect(route.billable).toBe(true);
      expect(route.kind).not.toBe('other');
    }
    expect(adapter.matchRoute('GET', c.call.path).billable).toBe(false);
  });

  it("reads the Tollgate key where the provider's SDK puts it, and nothing when it is absent", () => {
    const { headers, query } = c.clientKey(CLIENT_SECRET);
    expect(adapter.extractClientKey(headers, query)).toBe(CLIENT_SECRET);
    expect(adapter.extractClientKey({}, new URLSearchParams())).toBeUndefined();
  });

  it('sends the provider key upstream and never the client key, under the configured base URL', () => {
    const { query } = c.clientKey(CLIENT_SECRET);
    const base = 'http://127.0.0.1:9/some/base/v1';
    const upstream = adapter.buildUpstream(base, adapter.matchRoute(c.call.method, c.call.path), query, PROVIDER_KEY);
    expect(upstream.url.startsWith(`${base}/`)).toBe(true);
    const sent = JSON.stringify(upstream);
    expect(sent).toContain(PROVIDER_KEY);
    expect(sent).not.toContain(CLIENT_SECRET);
    const keyless = adapter.buildUpstream(base, adapter.matchRoute(c.call.method, c.call.path), query, undefined);
    expect(JSON.stringify(keyless)).not.toContain(CLIENT_SECRET);
  });

  it('reads the model and the stream flag from the request for the estimate', () => {
    const route = adapter.matchRoute(c.call.method, c.call.path);
    const facts = adapter.requestFacts(route, c.call.body);
    expect(facts.model).toBe(c.call.model);
    expect(facts.stream).toBe(false);
    expect(facts.promptText).toContain('Say hi');
    const streamRoute = adapter.matchRoute(c.call.method, c.call.streamPath);
    const streamBody = streamRoute.pathStreams ? c.call.body : { ...c.call.body, stream: true };
    const streamFacts = adapter.requestFacts(streamRoute, streamBody);
    expect(streamFacts.stream).toBe(true);
    // Whatever it adds to ask for usage, the client's own fields go upstream unchanged.
    const prepared = adapter.prepareBody(streamRoute, streamBody, streamFacts).body as Record<string, unknown>;
    expect(prepared).toMatchObject(streamBody);
  });

  it('reads the usage of a whole JSON answer', () => {
    const usage = adapter.usageFromJson(adapter.matchRoute(c.call.method, c.call.path), c.json.body);
    expect(usage).toMatchObject({ inputTokens: c.json.inputTokens, outputTokens: c.json.outputTokens });
    expect(adapter.responseModelFromJson(c.json.body)).toEqual(expect.any(String));
  });

  it('taps a stream for its usage however it is chunked, passing every byte through unchanged', () => {
    const route = adapter.matchRoute(c.call.method, c.call.streamPath);
    const bytes = c.stream.bytes;
    for (const chunks of [wholeChunks(bytes), byteChunks(bytes), splitChunks(bytes, Math.floor(bytes.length / 2))]) {
      const tap = adapter.createStreamTap(route, { stripInjectedUsage: false });
      expect(runTap(tap, chunks).equals(bytes)).toBe(true);
      expect(tap.usage()).toMatchObject({ inputTokens: c.stream.inputTokens, outputTokens: c.stream.outputTokens });
      expect(tap.responseModel()).toEqual(expect.any(String));
    }
  });

  it.each(ERROR_KINDS)('shapes the gateway error %s as JSON its SDK can read, carrying the message', (kind) => {
    const body = adapter.errorBody({ kind, status: 400, message: `contract ${kind} message` });
    const text = JSON.stringify(body);
    expect(JSON.parse(text)).toEqual(body);
    expect(text).toContain(`contract ${kind} message`);
  });
});
