import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../src/providers/sse.js';
import { byteChunks, ownBytes, splitChunks, wireBytes } from './helpers.js';

function parseAll(chunks: Buffer[], parser = new SseParser()): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  parser.end((event) => {
    if (event) events.push(event);
  });
  return events;
}

const text = (s: string): Buffer[] => [Buffer.from(s, 'utf8')];

describe('SseParser framing', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('accepts %s line ends', (_name, eol) => {
    const stream = ['event: ping', 'data: a', '', 'data: b', 'data: c', '', ''].join(eol);
    expect(parseAll(text(stream))).toEqual([{ event: 'ping', data: 'a' }, { data: 'b\nc' }]);
  });

  it('reads mixed line ends in one stream', () => {
    expect(parseAll(text('data: 1\r\n\r\ndata: 2\r\rdata: 3\n\n'))).toEqual([{ data: '1' }, { data: '2' }, { data: '3' }]);
  });

  it('joins multi-line data with LF and strips exactly one space after the colon', () => {
    expect(parseAll(text('data:x\ndata:  y\ndata\n\n'))).toEqual([{ data: 'x\n y\n' }]);
  });

  it('ignores comments, id, retry and unknown fields; a comment-only block dispatches nothing', () => {
    const boundaries: (SseEvent | undefined)[] = [];
    const parser = new SseParser();
    parser.feed(Buffer.from(': keep-alive\n\nid: 7\nretry: 10\nfoo: bar\ndata: ok\n\n'), (event) => boundaries.push(event));
    expect(boundaries).toEqual([undefined, { data: 'ok' }]);
  });

  it('resets the event name after each event', () => {
    expect(parseAll(text('event: a\ndata: 1\n\ndata: 2\n\n'))).toEqual([{ event: 'a', data: '1' }, { data: '2' }]);
  });

  it('strips a UTF-8 byte order mark at the start of the stream', () => {
    expect(parseAll([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: x\n\n')])).toEqual([{ data: 'x' }]);
  });

  it('dispatches an unterminated last event at end() (a lost blank line must not lose usage)', () => {
    expect(parseAll(text('data: 1\n\ndata: last'))).toEqual([{ data: '1' }, { data: 'last' }]);
  });

  it('reports the end offset of each boundary within the fed chunk', () => {
    const ends: number[] = [];
    new SseParser().feed(Buffer.from('data: a\n\ndata: b\r\n\r\n'), (_event, end) => ends.push(end));
    expect(ends).toEqual([9, 20]);
  });

  it('handles a CRLF split between chunks as one line end', () => {
    expect(parseAll([Buffer.from('data: a\r'), Buffer.from('\n\r'), Buffer.from('\ndata: b\r\n\r\n')])).toEqual([
      { data: 'a' },
      { data: 'b' },
    ]);
  });
});

describe('SseParser bounds', () => {
  it('drops an overlong line (and its event) arriving in one chunk; the next event is intact', () => {
    const parser = new SseParser(16);
    const events = parseAll(text(`data: ${'x'.repeat(40)}\n\ndata: small\n\n`), parser);
    expect(events).toEqual([{ data: 'small' }]);
  });

  it('drops an overlong line arriving byte by byte without buffering it', () => {
    const parser = new SseParser(16);
    const stream = Buffer.from(`data: ok\n\ndata: ${'y'.repeat(100)}\n\ndata: after\n\n`);
    const events: SseEvent[] = [];
    let maxHeld = 0;
    for (const chunk of byteChunks(stream)) {
      events.push(...parser.push(chunk));
      maxHeld = Math.max(maxHeld, (parser as unknown as { partialBytes: number }).partialBytes);
    }
    expect(events).toEqual([{ data: 'ok' }, { data: 'after' }]);
    expect(maxHeld).toBeLessThanOrEqual(16);
  });

  it('drops an event whose data lines together exceed the bound', () => {
    const parser = new SseParser(16);
    const events = parseAll(text('data: 0123456789\ndata: 0123456789\n\ndata: fine\n\n'), parser);
    expect(events).toEqual([{ data: 'fine' }]);
  });
});

describe('SseParser chunking', () => {
  const fixtures = [
    wireBytes('openai_chat_stream.sse'),
    wireBytes('openai_responses_stream.sse'),
    wireBytes('gemini_stream.sse'),
    ownBytes('openai_chat_stream_utf8.sse'),
  ];

  it.each(fixtures.map((bytes, i) => [i, bytes] as const))('fixture %i: every split offset gives the same events', (_i, bytes) => {
    const whole = parseAll([bytes]);
    expect(whole.length).toBeGreaterThan(2);
    expect(parseAll(byteChunks(bytes))).toEqual(whole);
    for (let i = 0; i <= bytes.length; i++) expect(parseAll(splitChunks(bytes, i))).toEqual(whole);
  });

  it('keeps multi-byte characters intact when a split falls inside one', () => {
    const bytes = ownBytes('openai_chat_stream_utf8.sse');
    const content = (events: SseEvent[]): string =>
      events
        .filter((e) => e.data !== '[DONE]')
        .map((e) => (JSON.parse(e.data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
        .join('');
    const expected = '你好，世界！ 👋🏽 café ☕ 日本語 😀\nΩ';
    // Offsets inside a 4-byte emoji, a 3-byte CJK character and a 2-byte letter really occur below.
    const emoji = bytes.indexOf(Buffer.from('👋', 'utf8'));
    expect(emoji).toBeGreaterThan(0);
    for (const i of [emoji + 1, emoji + 2, emoji + 3]) expect(content(parseAll(splitChunks(bytes, i)))).toBe(expected);
    for (let i = 0; i <= bytes.length; i++) expect(content(parseAll(splitChunks(bytes, i)))).toBe(expected);
    expect(content(parseAll(byteChunks(bytes)))).toBe(expected);
    expect(content(parseAll(byteChunks(bytes)))).not.toContain('\uFFFD');
  });
});
