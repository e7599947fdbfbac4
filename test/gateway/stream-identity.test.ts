// The streamed body a client receives through the gateway is byte for byte the body it would
// receive from the provider directly, whether it asked for usage or not (issue 5). The gateway
// asks the upstream for usage whenever the client did not, and must then take out both the
// extra usage chunk and the `"usage":null` the provider adds to every other chunk. Compared on
// the raw bytes (fetch, no SDK parsing), masking only the values of per-call fields (id,
// created, obfuscation): every other byte, framing and whitespace included, must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRow } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { maskPerCallValues } from '../support/normalize.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

interface RawAnswer {
  status: number;
  contentType: string | null;
  requestId: string | null;
  bytes: Buffer;
}

async function postRaw(url: string, key: string, body: unknown): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), bytes };
}

/** latin1 maps each byte to one character and back, so masking keeps the comparison byte-exact. */
const masked = (bytes: Buffer): Buffer => Buffer.from(maskPerCallValues(bytes.toString('latin1')), 'latin1');

const PROVIDERS = [
  { provider: 'openai', model: 'gpt-4o-mini' }, // chunks carry `obfuscation`; usage chunk has it too
  { provider: 'xai', model: 'grok-3' }, // no obfuscation; usage with cost_in_usd_ticks
] as const;

const VARIANTS = [
  { name: 'no stream_options', streamOptions: undefined, clientGetsUsage: false },
  { name: 'include_usage: true', streamOptions: { include_usage: true }, clientGetsUsage: true },
  { name: 'include_usage: false', streamOptions: { include_usage: false }, clientGetsUsage: false },
] as const;

describe.each(PROVIDERS)('a streamed $provider chat completion', ({ provider, model }) => {
  it.each(VARIANTS)('with $name: the same bytes as straight from the provider', async ({ name, streamOptions, clientGetsUsage }) => {
    const body = {
      model,
      stream: true,
      messages: [{ role: 'user', content: `Describe a toll bridge (${provider}, ${name})` }],
      ...(streamOptions ? { stream_options: streamOptions } : {}),
    };
    const viaGateway = await postRaw(`${t.url}/${provider}/v1/chat/completions`, t.key, body);
    const upstreamSaw = t.simulator.requests.at(-1)!;
    const direct = await postRaw(`${t.simulator.url}/${provider}/v1/chat/completions`, 'sk-direct-caller', body);

    expect(viaGateway.status).toBe(200);
    expect(direct.status).toBe(200);
    expect(viaGateway.contentType).toBe(direct.contentType);
    const text = direct.bytes.toString('utf8');
    // What is compared is a real stream: several chunks, [DONE], usage exactly when asked for.
    expect(text.match(/^data: /gm)!.length).toBeGreaterThan(5);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text.includes('"usage":{')).toBe(clientGetsUsage);
    expect(text.includes('"usage":null')).toBe(clientGetsUsage);

    expect(masked(viaGateway.bytes).equals(masked(direct.bytes)), viaGateway.bytes.toString('utf8')).toBe(true);

    // The gateway asked the upstream for usage every time, kept the client's other options...
    expect(upstreamSaw.path).toBe(`/${provider}/v1/chat/completions`);
    expect(JSON.parse(upstreamSaw.body).stream_options).toEqual({ ...(streamOptions ?? {}), include_usage: true });
    // ...and so priced the call from real usage, not from an estimate.
    const row = await ledgerRow(t, viaGateway.requestId!);
    expect(row).toMatchObject({ stream: true, status: 200, costSource: provider === 'xai' ? 'provider' : 'computed' });
    expect(row.outputTokens).toBeGreaterThan(0);
  });
});
