/**
 * Counting a prompt's tokens piece by piece, with a bounded LRU cache of the pieces' counts.
 *
 * Why the pieces add up to exactly the count of the whole: tiktoken first splits text with a
 * regular expression (the "pre-tokenizer") and then runs BPE inside each piece it found, never
 * across two. In both o200k_base and cl100k_base, the only pre-tokens that can hold a line
 * break followed by another character are whitespace runs and punctuation runs ending in
 * `[\r\n/]*` (o200k_base also takes `/`). So right after a `\n` whose next character is
 * neither whitespace nor `/`, the pre-tokenizer always starts a new piece, and counting the
 * text on either side separately gives the same total (test/estimate checks this on
 * randomised text against the real tokenizer). Providers join the messages of a prompt with
 * `\n`, and messages mostly begin with a letter, so cuts fall at message boundaries.
 *
 * Cuts are chosen greedily from the start of the text (the first safe cut at least
 * MIN_SEGMENT_CHARS after the previous one), so the segments of a prompt depend only on the
 * text before them: the next turn of a conversation has the same leading segments, found in
 * the cache, and only the last segment of the previous turn plus the new messages are
 * tokenized.
 */
import type { TiktokenEncoding } from 'tiktoken';

/** Counts the tokens of one piece of text; tests pass their own to count calls. */
export type EncodeCount = (encoding: TiktokenEncoding, text: string) => number;

export interface SegmentCounterOptions {
  /** Shorter segments are not cut off nor cached: the lookup would cost about what tokenizing does. */
  minSegmentChars?: number;
  /** Most cached segments per encoding. */
  maxEntries?: number;
  /** Most characters held by one encoding's cache (2 bytes each at worst). */
  maxChars?: number;
}

const DEFAULTS: Required<SegmentCounterOptions> = {
  minSegmentChars: 256,
  maxEntries: 5000,
  // 2 M characters: at most 4 MB of strings per encoding.
  maxChars: 2 * 1024 * 1024,
};

/** Characters after which the pre-tokenizer may keep going past a `\n` (see above). */
const CONTINUES_AFTER_NEWLINE = /[\s/\u0085]/;

function safeCutBefore(code: number): boolean {
  // ASCII letters and digits first: nearly every message starts with one.
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39)) return true;
  return !CONTINUES_AFTER_NEWLINE.test(String.fromCharCode(code));
}

/**
 * A copy that shares no memory with `text`: V8 keeps a substring as a view of its parent, so
 * keying the cache by one would keep a whole request body alive.
 */
function detach(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/** Least recently used first (Map keeps insertion order; a hit is moved to the end). */
class Lru {
  private readonly map = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get heldChars(): number {
    return this.chars;
  }

  get(key: string): number | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: number): void {
    if (key.length > this.maxChars) return;
    const own = detach(key);
    this.map.set(own, value);
    this.chars += own.length;
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}

export class SegmentCounter {
  private readonly o: Required<SegmentCounterOptions>;
  private readonly caches = new Map<TiktokenEncoding, Lru>();

  constructor(
    private readonly encode: EncodeCount,
    options: SegmentCounterOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...options };
  }

  /** Tokens of `text`, exactly what `encode(encoding, text)` would say. */
  count(encoding: TiktokenEncoding, text: string): number {
    const min = this.o.minSegmentChars;
    if (text.length < min) return this.encode(encoding, text);
    const cache = this.cache(encoding);
    let total = 0;
    let start = 0;
    while (start < text.length) {
      const end = this.cutAfter(text, start + min);
      const segment = start === 0 && end === text.length ? text : text.slice(start, end);
      if (segment.length < min) {
        total += this.encode(encoding, segment);
      } else {
        let n = cache.get(segment);
        if (n === undefined) {
          n = this.encode(encoding, segment);
          cache.set(segment, n);
        }
        total += n;
      }
      start = end;
    }
    return total;
  }

  /** Entries and characters held, per encoding (for tests and diagnostics). */
  stats(encoding: TiktokenEncoding): { entries: number; chars: number } {
    const cache = this.caches.get(encoding);
    return { entries: cache?.size ?? 0, chars: cache?.heldChars ?? 0 };
  }

  /** The first safe cut at or after `from` (an index just past a `\n`), or the text's end. */
  private cutAfter(text: string, from: number): number {
    let nl = text.indexOf('\n', from - 1);
    while (nl >= 0 && nl + 1 < text.length) {
      if (safeCutBefore(text.charCodeAt(nl + 1))) return nl + 1;
      nl = text.indexOf('\n', nl + 1);
    }
    return text.length;
  }

  private cache(encoding: TiktokenEncoding): Lru {
    let cache = this.caches.get(encoding);
    if (!cache) {
      cache = new Lru(this.o.maxEntries, this.o.maxChars);
      this.caches.set(encoding, cache);
    }
    return cache;
  }
}
