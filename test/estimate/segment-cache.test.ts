import { describe, expect, it } from 'vitest';
import type { TiktokenEncoding } from 'tiktoken';
import { SegmentCounter, type EncodeCount } from '../../src/estimate/segment-cache.js';
import { countPromptTokens, tiktokenCount } from '../../src/estimate/tokens.js';

/** The real tokenizer, recording every text it is handed. */
function recording(): { encode: EncodeCount; texts: string[] } {
  const texts: string[] = [];
  return { texts, encode: (encoding, text) => (texts.push(text), tiktokenCount(encoding, text)) };
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Pieces chosen to sit on the pre-tokenizer's edges: line breaks before and after
// punctuation, `/` and `\r`, runs of spaces, digits, contractions, letters of other scripts,
// U+0085 (white space to the tokenizer, not to JavaScript), emoji.
const PIECES = [
  'word', 'Word', ' the', 'ing', "'s", "'LL", '.', '...', ',', '!?', '/', '//', '\n', '\n', '\n\n', '\r\n', ' \n', '\n ',
  '  ', '\t', '123', '4567', '(x)', '{"a": 1}', '```', '#', '- ', '*', 'é', 'naïve', 'Straße', '日本語', 'дом',
  '\u0085', '\u00a0', '\u2028', '🙂', '\ud83d\ude00', 'https://example.com/a/b', '\n/', '\n.', '\n1', '\n-',
];

function randomText(next: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += PIECES[Math.floor(next() * PIECES.length)];
  return out;
}

describe('counting a prompt segment by segment', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as TiktokenEncoding[]) {
    it(`gives exactly the whole text's count on adversarial text (${encoding})`, () => {
      const next = rng(encoding.length);
      // Short segments, so that every text is cut in many places.
      const counter = new SegmentCounter(tiktokenCount, { minSegmentChars: 16 });
      for (let i = 0; i < 400; i++) {
        const text = randomText(next, 50 + Math.floor(next() * 1500));
        expect(counter.count(encoding, text), JSON.stringify(text)).toBe(tiktokenCount(encoding, text));
      }
    });
  }

  it('gives the same counts as the tokenizer on whole prompts, cached or not', () => {
    const system = 'You are a careful assistant. '.repeat(20);
    const prompt = [system, 'Summarise the following report.', 'Q3 revenue grew 12% year over year.\n/ignored path'].join('\n');
    const counter = new SegmentCounter(tiktokenCount);
    expect(counter.count('o200k_base', prompt)).toBe(tiktokenCount('o200k_base', prompt));
    expect(counter.count('o200k_base', prompt)).toBe(tiktokenCount('o200k_base', prompt));
    expect(countPromptTokens('gpt-4o', prompt).tokens).toBe(tiktokenCount('o200k_base', prompt));
  });

  it('in a long conversation, tokenizes only the new messages and the previous last one', () => {
    const { encode, texts } = recording();
    const counter = new SegmentCounter(encode);
    const next = rng(7);
    const message = (n: number): string => `Message ${n}: ${randomText(next, 400).replace(/^[\s/]+/, '')}`;
    const messages = [`System: ${'Follow the house style. '.repeat(30)}`, message(0)];
    counter.count('o200k_base', messages.join('\n')); // the first turn: everything is new
    let tokenized = 0;
    for (let turn = 1; turn <= 30; turn++) {
      const previousLast = messages.at(-1)!;
      const added = [message(turn * 2 - 1), message(turn * 2)]; // the answer and the next question
      messages.push(...added);
      texts.length = 0;
      const prompt = messages.join('\n');
      expect(counter.count('o200k_base', prompt)).toBe(tiktokenCount('o200k_base', prompt));
      tokenized = texts.reduce((n, t) => n + t.length, 0);
      // Cut points depend on where safe line breaks fall inside the messages, so allow one
      // extra segment's worth, but never the history.
      expect(tokenized).toBeLessThanOrEqual(previousLast.length + added.join('\n').length + 1 + 2 * 256);
    }
    expect(messages.join('\n').length).toBeGreaterThan(10 * tokenized);
  });

  it('counts a repeated prompt once', () => {
    const { encode, texts } = recording();
    const counter = new SegmentCounter(encode);
    const prompt = 'An instruction that is long enough to be cached. '.repeat(10);
    for (let i = 0; i < 5; i++) counter.count('o200k_base', prompt);
    expect(texts).toEqual([prompt]);
  });

  it('does not cache short prompts, and keeps encodings apart', () => {
    const { encode, texts } = recording();
    const counter = new SegmentCounter(encode);
    counter.count('o200k_base', 'short');
    counter.count('o200k_base', 'short');
    expect(texts).toEqual(['short', 'short']);
    const long = 'x'.repeat(300);
    counter.count('o200k_base', long);
    counter.count('cl100k_base', long);
    expect(texts.length).toBe(4);
    expect(counter.stats('o200k_base').entries).toBe(1);
    expect(counter.stats('cl100k_base').entries).toBe(1);
  });

  it('stays within its entry and character bounds, evicting the least recently used', () => {
    const { encode, texts } = recording();
    const counter = new SegmentCounter(encode, { minSegmentChars: 20, maxEntries: 10, maxChars: 10_000 });
    const text = (i: number): string => `Distinct text number ${i} `.repeat(4);
    for (let i = 0; i < 50; i++) counter.count('o200k_base', text(i));
    expect(counter.stats('o200k_base').entries).toBe(10);
    // Touch the oldest survivor (40), then add one more: 41 is evicted, 40 stays.
    texts.length = 0;
    counter.count('o200k_base', text(40));
    counter.count('o200k_base', text(50));
    counter.count('o200k_base', text(40));
    counter.count('o200k_base', text(41));
    expect(texts).toEqual([text(50), text(41)]);

    const byChars = new SegmentCounter(tiktokenCount, { minSegmentChars: 20, maxEntries: 1000, maxChars: 1000 });
    for (let i = 0; i < 50; i++) byChars.count('o200k_base', text(i));
    expect(byChars.stats('o200k_base').chars).toBeLessThanOrEqual(1000);
    expect(byChars.stats('o200k_base').entries).toBeGreaterThan(5);
  });
});
