/**
 * Properties of the SSE parser and the usage taps (fast-check). The upstream's chunking is
 * arbitrary, so nothing may depend on it:
 * - a generated event stream (any text, including multi-byte UTF-8; LF, CRLF, CR or mixed line
 *   ends; comments, id/retry and unknown fields sprinkled in) parses to exactly the events it
 *   was built from, fed whole or cut at any byte positions;
 * - a provider stream (generated OpenAI / xAI / Gemini chunks with random text and usage, and
 *   the recorded wire fixtures) gives the same usage, model and client bytes however it is cut,
 *   including inside a UTF-8 character and between the CR and LF of a line end;
 * - while stripping the injected usage chunk, the client gets exactly the stream without it.
 * test/providers/sse.test.ts and stream.test.ts hold the hand-picked cases and every 2-way split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/providers/sse.js';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { xaiAdapter } from '../../src/providers/xai/index.js';
import { ownBytes, runTap, wireBytes, withLineEnds } from './helpers.js';

const CHAT = openaiAdapter.matchRoute('POST', '/chat/completions');
const RESPONSES = openaiAdapter.matchRoute('POST', '/responses');
const GEMINI_STREAM = geminiAdapter.matchRoute('POST', '/models/gemini-2.5-flash:streamGenerateContent');

// ---- cutting bytes -------------------------------------------------------------------------

/** `bytes` cut at `cuts` (any numbers; taken modulo length + 1, sorted, repeats give empty chunks). */
function cutAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(Buffer.from(bytes.subarray(from, point)));
    from = point;
  }
  chunks.push(Buffer.from(bytes.subarray(from)));
  return chunks;
}

/** Offsets that fall inside a multi-byte UTF-8 character (before a continuation byte). */
function insideCharacters(bytes: Buffer): number[] {
  const at: number[] = [];
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) === 0x80) at.push(i);
  return at;
}

/** Offsets between a CR and the LF after it. */
function insideCrlf(bytes: Buffer): number[] {
  const at: number[] = [];
  for (let i = 1; i < bytes.length; i++) if (bytes[i - 1] === 0x0d && bytes[i] === 0x0a) at.push(i);
  return at;
}

const cuts = fc.array(fc.nat(), { maxLength: 24 });
/** Indexes into a list of special offsets (inside characters, inside CRLF). */
const picks = fc.array(fc.nat(), { minLength: 1, maxLength: 8 });
const pick = (offsets: number[], chosen: number[]) => (offsets.length === 0 ? [] : chosen.map((i) => offsets[i % offsets.length]!));

// ---- generated event streams ---------------------------------------------------------------

/** Any text without line ends (a field value cannot hold one), multi-byte characters included. */
const lineText = fc.string({ unit: 'grapheme', maxLength: 24 }).map((s) => s.replace(/[\r\n]/g, ''));
const eol = fc.constantFrom('\n', '\r\n', '\r');

interface ModelEvent {
  name?: string;
  data: string[];
}

const modelEvent: fc.Arbitrary<ModelEvent> = fc.record(
  {
    name: lineText.filter((s) => s.length > 0),
    data: fc.array(lineText, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['data'] },
);

/** Lines a parser must skip: comments (keep-alives), id, retry and fields it does not know. */
const ignoredLine = fc.oneof(
  lineText.map((s) => `:${s}`),
  fc.nat({ max: 99_999 }).map((n) => `id: ${n}`),
  fc.nat({ max: 99_999 }).map((n) => `retry: ${n}`),
  fc.tuple(fc.constantFrom('foo', 'Data', 'DATA', 'datum', 'events', 'Event', 'x-data'), lineText).map(([field, value]) => `${field}: ${value}`),
);

interface Generated {
  bytes: Buffer;
  expected: SseEvent[];
}

/** Serialises events, each with its ignorable lines mixed in, with a line end chosen per line. */
const eventStream: fc.Arbitrary<Generated> = fc
  .array(fc.tuple(modelEvent, fc.array(ignoredLine, { maxLength: 3 }), fc.boolean()), { maxLength: 8 })
  .chain((events) => {
    const lines: string[] = [];
    for (const [event, ignored, commentBlockAfter] of events) {
      if (event.name !== undefined) lines.push(`event: ${event.name}`);
      for (const line of ignored) lines.push(line);
      for (const value of event.data) lines.push(`data: ${value}`);
      lines.push('');
      // A comment-only block between events (what keep-alives look like) dispatches nothing.
      if (commentBlockAfter) lines.push(': keep-alive', '');
    }
    return fc.tuple(fc.constant(events), fc.constant(lines), fc.array(eol, { minLength: lines.length, maxLength: lines.length }), fc.boolean());
  })
  .map(([events, lines, ends, uniform]) => {
    const chosen = lines.map((_line, i) => (uniform ? ends[0]! : ends[i]!));
    // A CR line end followed by a blank line ended by LF is, on the wire, one CRLF: the blank
    // line would vanish. Any stream that means a blank line there writes it differently.
    for (let i = 1; i < lines.length; i++) if (lines[i] === '' && chosen[i - 1] === '\r' && chosen[i] === '\n') chosen[i] = '\r\n';
    const text = lines.map((line, i) => line + chosen[i]).join('');
    const expected = events.map(([event]) => (event.name !== undefined ? { event: event.name, data: event.data.join('\n') } : { data: event.data.join('\n') }));
    return { bytes: Buffer.from(text, 'utf8'), expected };
  });

function parse(chunks: Buffer[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  parser.end((event) => {
    if (event) events.push(event);
  });
  return events;
}

describe('SseParser: any chunking, any line ends, ignorable lines ignored', () => {
  it('parses a generated stream into exactly its events, fed whole or cut anywhere', () => {
    fc.assert(
      fc.property(eventStream, cuts, ({ bytes, expected }, at) => {
        expect(parse([bytes])).toEqual(expected);
        expect(parse(cutAt(bytes, at))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('cuts inside multi-byte characters and between CR and LF change nothing', () => {
    fc.assert(
      fc.property(eventStream, picks, picks, ({ bytes, expected }, inChar, inCrlf) => {
        const at = [...pick(insideCharacters(bytes), inChar), ...pick(insideCrlf(bytes), inCrlf)];
        expect(parse(cutAt(bytes, at))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('byte by byte is the same as whole', () => {
    fc.assert(
      fc.property(eventStream, ({ bytes, expected }) => {
        expect(parse([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

// ---- provider streams ----------------------------------------------------------------------

const ADAPTERS: Record<string, ProviderAdapter> = { openai: openaiAdapter, xai: xaiAdapter, gemini: geminiAdapter };
const ROUTES = { chat: CHAT, responses: RESPONSES, gemini: GEMINI_STREAM };

/** Names, not objects, so that a counterexample prints short. */
interface ProviderStream {
  provider: keyof typeof ADAPTERS;
  route: keyof typeof ROUTES;
  bytes: Buffer;
  /** Usage fields the tap must report. */
  usage: Record<string, number>;
  /** What a client gets when the tap strips the injected usage chunk (OpenAI chat only). */
  stripped?: Buffer;
}

const piece = fc.string({ unit: 'grapheme', maxLength: 6 });
const tokens = fc.nat({ max: 200_000 });
const sprinkle = fc.array(fc.boolean(), { maxLength: 40 });

/**
 * Joins blocks (an event's lines) with `eol`, a keep-alive comment block after some of them.
 * `omit` leaves one event out but keeps the comment block after it (a comment is not part of it).
 */
function frame(blocks: string[][], end: string, comments: boolean[], omit = -1): string {
  const text = (lines: string[]) => lines.map((line) => line + end).join('');
  return blocks.map((lines, i) => (i === omit ? '' : text([...lines, ''])) + (comments[i] ? text([': keep-alive', '']) : '')).join('');
}

/** An OpenAI-style chat stream as sent after the gateway injected include_usage. */
const chatStream = (provider: 'openai' | 'xai') =>
  fc.record({ pieces: fc.array(piece, { maxLength: 12 }), prompt: tokens, completion: tokens, end: eol, comments: sprinkle }).map(({ pieces, prompt, completion, end, comments }): ProviderStream => {
    const head = '{"id":"chatcmpl-p","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[';
    const delta = (d: string, finish: string) => `${head}{"index":0,"delta":${d},"finish_reason":${finish}}],"usage":null}`;
    const chunks = [delta('{"role":"assistant","content":""}', 'null'), ...pieces.map((p) => delta(`{"content":${JSON.stringify(p)}}`, 'null')), delta('{}', '"stop"')];
    const usage = `${head}],"usage":{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion},"completion_tokens_details":{"reasoning_tokens":0}}}`;
    const blocks = [...chunks.map((c) => [`data: ${c}`]), [`data: ${usage}`], ['data: [DONE]']];
    // The client asked for no usage: no usage chunk and no "usage":null anywhere.
    const strippedBlocks = [...chunks.map((c) => [`data: ${c.replace(',"usage":null', '')}`]), [], ['data: [DONE]']];
    return {
      provider,
      route: 'chat',
      bytes: Buffer.from(frame(blocks, end, comments)),
      usage: { inputTokens: prompt, outputTokens: completion },
      stripped: Buffer.from(frame(strippedBlocks, end, comments, chunks.length)),
    };
  });

/** Gemini's alt=sse stream: cumulative usage in every chunk, the last one counts. */
const geminiStream = fc
  .record({ pieces: fc.array(piece, { minLength: 1, maxLength: 10 }), prompt: tokens, steps: fc.array(fc.nat({ max: 5_000 }), { minLength: 10, maxLength: 10 }), end: eol, comments: sprinkle })
  .map(({ pieces, prompt, steps, end, comments }): ProviderStream => {
    let candidates = 0;
    const blocks = pieces.map((p, i) => {
      candidates += steps[i]!;
      const usage = `{"promptTokenCount":${prompt},"candidatesTokenCount":${candidates},"totalTokenCount":${prompt + candidates}}`;
      return [`data: {"candidates":[{"content":{"parts":[{"text":${JSON.stringify(p)}}],"role":"model"},"index":0}],"usageMetadata":${usage},"modelVersion":"gemini-2.5-flash","responseId":"r"}`];
    });
    return { provider: 'gemini', route: 'gemini', bytes: Buffer.from(frame(blocks, end, comments)), usage: { inputTokens: prompt, outputTokens: candidates } };
  });

const generatedStreams = fc.oneof(chatStream('openai'), chatStream('xai'), geminiStream);

/** The recorded wire fixtures, in their own and in the other framings. */
const FIXTURES: ProviderStream[] = ([
  { provider: 'openai', route: 'chat', bytes: wireBytes('openai_chat_stream.sse'), usage: { inputTokens: 19, outputTokens: 10 } },
  { provider: 'openai', route: 'chat', bytes: ownBytes('openai_chat_stream_utf8.sse'), usage: { inputTokens: 12, outputTokens: 9 } },
  { provider: 'xai', route: 'chat', bytes: wireBytes('openai_chat_stream.sse'), usage: { inputTokens: 19, outputTokens: 10 } },
  { provider: 'openai', route: 'responses', bytes: wireBytes('openai_responses_stream.sse'), usage: {} },
  { provider: 'gemini', route: 'gemini', bytes: wireBytes('gemini_stream.sse'), usage: { inputTokens: 7, outputTokens: 198 } },
] as ProviderStream[]).flatMap((f): ProviderStream[] => (['\n', '\r\n', '\r'] as const).map((end) => ({ ...f, bytes: withLineEnds(f.bytes, end) })));
const fixture = fc.constantFrom(...FIXTURES);

function observe(s: ProviderStream, chunks: Buffer[], strip = false) {
  const tap = ADAPTERS[s.provider]!.createStreamTap(ROUTES[s.route], { stripInjectedUsage: strip });
  const out = runTap(tap, chunks);
  return { usage: tap.usage(), model: tap.responseModel(), out: out.toString('hex') };
}

describe('usage taps: the same usage, model and client bytes however the stream is cut', () => {
  it('generated OpenAI, xAI and Gemini streams: cut anywhere, the usage is the one in the stream', () => {
    fc.assert(
      fc.property(generatedStreams, cuts, (s, at) => {
        const whole = observe(s, [s.bytes]);
        expect(whole.usage).toMatchObject(s.usage);
        expect(whole.model).toBeDefined();
        expect(whole.out).toBe(s.bytes.toString('hex'));
        expect(observe(s, cutAt(s.bytes, at))).toStrictEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('generated streams: cuts inside UTF-8 characters and between CR and LF change nothing', () => {
    fc.assert(
      fc.property(generatedStreams, picks, picks, (s, inChar, inCrlf) => {
        const at = [...pick(insideCharacters(s.bytes), inChar), ...pick(insideCrlf(s.bytes), inCrlf)];
        expect(observe(s, cutAt(s.bytes, at))).toStrictEqual(observe(s, [s.bytes]));
      }),
      { numRuns: 300 },
    );
  });

  it('the recorded fixtures (LF, CRLF and CR): cut anywhere, same usage, model and bytes', () => {
    fc.assert(
      fc.property(fixture, cuts, picks, picks, (s, at, inChar, inCrlf) => {
        const whole = observe(s, [s.bytes]);
        expect(whole.usage ?? {}).toMatchObject(s.usage);
        const special = [...pick(insideCharacters(s.bytes), inChar), ...pick(insideCrlf(s.bytes), inCrlf)];
        expect(observe(s, cutAt(s.bytes, [...at, ...special]))).toStrictEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('stripping the injected usage chunk: the client gets exactly the stream without it, cut anywhere, and the usage is still read', () => {
    fc.assert(
      fc.property(chatStream('openai'), cuts, picks, (s, at, inCrlf) => {
        const seen = observe(s, cutAt(s.bytes, [...at, ...pick(insideCrlf(s.bytes), inCrlf)]), true);
        expect(Buffer.from(seen.out, 'hex').toString('utf8')).toBe(s.stripped!.toString('utf8'));
        expect(seen.usage).toMatchObject(s.usage);
      }),
      { numRuns: 300 },
    );
  });
});

describe('found by the properties above', () => {
  // The tap returned the incoming chunk as-is whenever its output had the chunk's length. The
  // bytes held from the previous chunk (13 here) plus the rewritten event (13 bytes shorter:
  // `,"usage":null` removed) had exactly that length, so the held bytes were lost and the
  // "usage":null was not removed: the client got a broken event.
  it('stripping: held bytes in front of a rewritten event that ends the chunk are not lost', () => {
    const head = '{"id":"c","model":"m","choices":[';
    const event = (content: string) => `data: ${head}{"index":0,"delta":{"content":"${content}"},"finish_reason":null}],"usage":null}\n\n`;
    const first = event('ab');
    const stream = Buffer.from(first + event('cd') + `data: ${head}],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\ndata: [DONE]\n\n`);
    const tap = openaiAdapter.createStreamTap(CHAT, { stripInjectedUsage: true });
    const out = runTap(tap, cutAt(stream, [13, Buffer.byteLength(first)]));
    expect(out.toString()).toBe((first + event('cd')).replaceAll(',"usage":null', '') + 'data: [DONE]\n\n');
    expect(tap.usage()).toMatchObject({ inputTokens: 1, outputTokens: 2 });
  });
});
