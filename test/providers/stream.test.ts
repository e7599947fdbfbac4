import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/core/usage.js';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import type { ProviderAdapter, StreamTap } from '../../src/providers/types.js';
import { xaiAdapter } from '../../src/providers/xai/index.js';
import { byteChunks, ownBytes, runTap, splitChunks, wholeChunks, wireBytes, withLineEnds } from './helpers.js';

const CHAT = openaiAdapter.matchRoute('POST', '/chat/completions');
const RESPONSES = openaiAdapter.matchRoute('POST', '/responses');
const GEMINI_STREAM = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:streamGenerateContent');

interface StreamCase {
  name: string;
  adapter: ProviderAdapter;
  route: typeof CHAT;
  bytes: Buffer;
}

const CASES: StreamCase[] = [
  { name: 'openai_chat_stream.sse', adapter: openaiAdapter, route: CHAT, bytes: wireBytes('openai_chat_stream.sse') },
  { name: 'openai_chat_stream.sse as CRLF', adapter: openaiAdapter, route: CHAT, bytes: withLineEnds(wireBytes('openai_chat_stream.sse'), '\r\n') },
  { name: 'openai_chat_stream.sse as CR', adapter: openaiAdapter, route: CHAT, bytes: withLineEnds(wireBytes('openai_chat_stream.sse'), '\r') },
  { name: 'openai_chat_stream_utf8.sse', adapter: openaiAdapter, route: CHAT, bytes: ownBytes('openai_chat_stream_utf8.sse') },
  { name: 'openai_chat_stream_no_usage.sse', adapter: openaiAdapter, route: CHAT, bytes: ownBytes('openai_chat_stream_no_usage.sse') },
  { name: 'openai_responses_stream.sse', adapter: openaiAdapter, route: RESPONSES, bytes: wireBytes('openai_responses_stream.sse') },
  { name: 'xai over openai_chat_stream.sse', adapter: xaiAdapter, route: CHAT, bytes: wireBytes('openai_chat_stream.sse') },
  { name: 'gemini_stream.sse (CRLF)', adapter: geminiAdapter, route: GEMINI_STREAM, bytes: wireBytes('gemini_stream.sse') },
  { name: 'gemini_stream.sse as LF', adapter: geminiAdapter, route: GEMINI_STREAM, bytes: withLineEnds(wireBytes('gemini_stream.sse'), '\n') },
  { name: 'gemini_stream.sse as CR', adapter: geminiAdapter, route: GEMINI_STREAM, bytes: withLineEnds(wireBytes('gemini_stream.sse'), '\r') },
  { name: 'gemini_error_404.json in a stream', adapter: geminiAdapter, route: GEMINI_STREAM, bytes: wireBytes('gemini_error_404.json') },
];

/** What a client and the ledger see; `out` as a hex string because deep-comparing Buffers is slow. */
function observe(c: StreamCase, chunks: Buffer[], strip = false): { usage?: Usage; model?: string; out: string } {
  const tap = c.adapter.createStreamTap(c.route, { stripInjectedUsage: strip });
  const out = runTap(tap, chunks);
  return { usage: tap.usage(), model: tap.responseModel(), out: out.toString('hex') };
}

describe('stream taps read the same usage however the bytes are chunked', () => {
  it.each(CASES)('$name', (c) => {
    const whole = observe(c, wholeChunks(c.bytes));
    expect(observe(c, byteChunks(c.bytes))).toStrictEqual(whole);
    for (let i = 0; i <= c.bytes.length; i++) expect(observe(c, splitChunks(c.bytes, i))).toStrictEqual(whole);
    expect(whole.out).toBe(c.bytes.toString('hex'));
  });

  it('has read something where the fixture has it', () => {
    const seen = (name: string) => observe(CASES.find((c) => c.name === name)!, wholeChunks(CASES.find((c) => c.name === name)!.bytes));
    expect(seen('openai_chat_stream.sse as CR').usage).toMatchObject({ inputTokens: 19, outputTokens: 10 });
    expect(seen('openai_chat_stream_utf8.sse').usage).toMatchObject({ inputTokens: 12, outputTokens: 9, totalTokens: 21 });
    expect(seen('openai_chat_stream_no_usage.sse')).toMatchObject({ usage: undefined, model: 'gpt-4o-mini-2024-07-18' });
    expect(seen('gemini_stream.sse as CR').usage).toMatchObject({ inputTokens: 7, outputTokens: 198 });
    expect(seen('gemini_error_404.json in a stream')).toMatchObject({ usage: undefined, model: undefined });
  });
});

describe('without stripping the tap never touches the bytes', () => {
  it.each(CASES)('$name: every push returns the very Buffer it was given', (c) => {
    for (const chunks of [wholeChunks(c.bytes), byteChunks(c.bytes), splitChunks(c.bytes, c.bytes.length >> 1)]) {
      const tap: StreamTap = c.adapter.createStreamTap(c.route, { stripInjectedUsage: false });
      for (const chunk of chunks) expect(tap.push(chunk)).toBe(chunk);
      expect(tap.end().length).toBe(0);
    }
  });
});

describe('stripping the injected usage chunk (OpenAI chat)', () => {
  const pairs = [
    { name: 'openai_chat_stream.sse', input: wireBytes('openai_chat_stream.sse'), expected: ownBytes('openai_chat_stream.stripped.sse') },
    { name: 'openai_chat_stream_utf8.sse (with a comment block)', input: ownBytes('openai_chat_stream_utf8.sse'), expected: ownBytes('openai_chat_stream_utf8.stripped.sse') },
  ];
  const variants = pairs.flatMap((p) => [
    p,
    { name: `${p.name} as CRLF`, input: withLineEnds(p.input, '\r\n'), expected: withLineEnds(p.expected, '\r\n') },
    { name: `${p.name} as CR`, input: withLineEnds(p.input, '\r'), expected: withLineEnds(p.expected, '\r') },
  ]);

  it('the hand-made expectation is the fixture minus exactly one event', () => {
    const [p] = pairs;
    expect(p!.input.length - p!.expected.length).toBe(p!.input.indexOf('data: [DONE]') - p!.expected.indexOf('data: [DONE]'));
    expect(p!.expected.includes('"choices":[]')).toBe(false);
  });

  it.each(variants)('$name: client bytes = expected, at every split offset, still reading usage', ({ input, expected }) => {
    const c: StreamCase = { name: '', adapter: openaiAdapter, route: CHAT, bytes: input };
    const whole = observe(c, wholeChunks(input), true);
    expect(Buffer.from(whole.out, 'hex').toString('utf8')).toBe(expected.toString('utf8'));
    expect(whole.usage?.inputTokens).toBeGreaterThan(0);
    expect(observe(c, byteChunks(input), true)).toStrictEqual(whole);
    for (let i = 0; i <= input.length; i++) {
      const split = observe(c, splitChunks(input, i), true);
      expect(split.out).toBe(expected.toString('hex'));
      expect(split.usage).toStrictEqual(whole.usage);
    }
  });

  it('releases whole events as soon as their blank line arrives, and holds a partial one', () => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: true });
    const first = 'data: {"model":"m","choices":[{"delta":{"content":"a"}}]}\n\n';
    expect(tap.push(Buffer.from(first + 'data: {"model":"m",')).toString()).toBe(first);
    expect(tap.push(Buffer.from('"choices":[{"delta":{}}]}\n')).toString()).toBe('');
    expect(tap.push(Buffer.from('\n')).toString()).toBe('data: {"model":"m","choices":[{"delta":{}}]}\n\n');
  });

  it('passes a chunk of whole events with nothing to remove through as the same Buffer', () => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: true });
    const chunk = Buffer.from('data: {"model":"m","choices":[{"delta":{"content":"a"}}]}\n\n');
    expect(tap.push(chunk)).toBe(chunk);
  });

  it('removes the "usage":null the injected include_usage adds to every chunk, wherever it sits', () => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: true });
    const after = tap.push(Buffer.from('data: {"model":"m","choices":[],"usage":null}\n\n')).toString();
    const before = tap.push(Buffer.from('data: {"usage":null,"model":"m","choices":[]}\n\n')).toString();
    expect([after, before]).toEqual(['data: {"model":"m","choices":[]}\n\n', 'data: {"model":"m","choices":[]}\n\n']);
  });

  it('leaves "usage":null alone when the client asked for usage itself (no stripping)', () => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: false });
    const chunk = Buffer.from('data: {"model":"m","choices":[],"usage":null}\n\n');
    expect(tap.push(chunk)).toBe(chunk);
  });

  it('never removes usage carried on a chunk that also has choices', () => {
    const stream = Buffer.from('data: {"model":"m","choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\ndata: [DONE]\n\n');
    const c: StreamCase = { name: '', adapter: openaiAdapter, route: CHAT, bytes: stream };
    const seen = observe(c, wholeChunks(stream), true);
    expect(seen.out).toBe(stream.toString('hex'));
    expect(seen.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });

  it('an event too big to be the usage chunk is released before its end (bounded holding)', () => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: true });
    const big = Buffer.from(`data: {"choices":[{"delta":{"content":"${'x'.repeat(2 * 1024 * 1024)}"}}]}`);
    const released = tap.push(big);
    expect(released.length).toBe(big.length);
    expect(tap.push(Buffer.from('\n\n')).toString()).toBe('\n\n');
  });
});

describe('chat tap details', () => {
  const tapOver = (stream: string) => {
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: false });
    runTap(tap, [Buffer.from(stream)]);
    return tap;
  };
  it('keeps the last non-null usage; a later null does not erase it', () => {
    const tap = tapOver(
      'data: {"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n' +
        'data: {"model":"m","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":5}}\n\n' +
        'data: {"model":"m","choices":[],"usage":null}\n\n',
    );
    expect(tap.usage()).toEqual({ inputTokens: 2, outputTokens: 5 });
  });
  it('ignores everything after [DONE] and survives garbage events', () => {
    const tap = tapOver('data: not json\n\ndata: {"model":"m","choices":[]}\n\ndata: [DONE]\n\ndata: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":9}}\n\n');
    expect(tap.usage()).toBeUndefined();
    expect(tap.responseModel()).toBe('m');
  });
  it('reads a usage event whose final blank line never came', () => {
    const tap = tapOver('data: {"model":"m","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}');
    expect(tap.usage()).toEqual({ inputTokens: 4, outputTokens: 2 });
  });
});

describe('responses tap details', () => {
  const tapOver = (stream: string) => {
    const tap = openaiAdapter.createStreamTap(RESPONSES, { stripInjectedUsage: false });
    runTap(tap, [Buffer.from(stream)]);
    return tap;
  };
  it.each(['response.incomplete', 'response.failed'])('reads usage from %s', (type) => {
    const data = { type, response: { model: 'gpt-5', status: 'x', usage: { input_tokens: 10, output_tokens: 3 } } };
    expect(tapOver(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`).usage()).toEqual({ inputTokens: 10, outputTokens: 3 });
  });
  it('reads streams without `event:` lines by the data type', () => {
    const data = { type: 'response.completed', response: { model: 'gpt-5', usage: { input_tokens: 1, output_tokens: 2 } } };
    const tap = tapOver(`data: ${JSON.stringify(data)}\n\n`);
    expect(tap.usage()).toEqual({ inputTokens: 1, outputTokens: 2 });
    expect(tap.responseModel()).toBe('gpt-5');
  });
  it('an in-band error leaves the usage unknown', () => {
    const tap = tapOver('event: error\ndata: {"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":1}\n\n');
    expect(tap.usage()).toBeUndefined();
  });
});

describe('gemini tap details', () => {
  const chunks = () => {
    const text = wireBytes('gemini_stream.sse').toString('utf8');
    return text
      .split('\r\n\r\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as unknown);
  };
  it('reads the JSON array form (no alt=sse): the last cumulative usage', () => {
    const bytes = Buffer.from(JSON.stringify(chunks(), null, 2));
    const c: StreamCase = { name: '', adapter: geminiAdapter, route: GEMINI_STREAM, bytes };
    const whole = observe(c, wholeChunks(bytes));
    expect(whole.usage).toMatchObject({ inputTokens: 7, outputTokens: 198, reasoningTokens: 45, totalTokens: 205 });
    expect(whole.model).toBe('gemini-2.5-flash');
    for (let i = 0; i <= bytes.length; i += 7) expect(observe(c, splitChunks(bytes, i))).toStrictEqual(whole);
  });
  it('tolerates an SSE stream that starts with blank lines', () => {
    const bytes = Buffer.concat([Buffer.from('\r\n'), wireBytes('gemini_stream.sse')]);
    const c: StreamCase = { name: '', adapter: geminiAdapter, route: GEMINI_STREAM, bytes };
    expect(observe(c, byteChunks(bytes)).usage).toMatchObject({ inputTokens: 7, outputTokens: 198 });
  });
  it('taps nothing on routes that do not stream usage', () => {
    const tap = geminiAdapter.createStreamTap(geminiAdapter.matchRoute('GET', '/models'), { stripInjectedUsage: false });
    const chunk = Buffer.from('{}');
    expect(tap.push(chunk)).toBe(chunk);
    expect(tap.usage()).toBeUndefined();
  });
});
