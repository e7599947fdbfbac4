import { randomBytes } from 'node:crypto';

/**
 * Deterministic text, token counts and vectors. Everything here is a pure function of the
 * request so that tests can predict numbers and benchmarks do no needless work.
 */

/** 32-bit FNV-1a: cheap, stable across runs, good enough to seed variety. */
export function hash(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Approximate BPE token count: each run of ASCII letters/digits counts ceil(len/8), every other
 * non-space character counts 1 (punctuation, CJK). "The quick brown fox jumps over the lazy
 * dog." gives 10, like cl100k. Close enough for a gateway's tiktoken estimate to land near it.
 */
export function countTokens(text: string): number {
  let tokens = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lower = c | 32;
    if ((c >= 48 && c <= 57) || (lower >= 97 && lower <= 122)) {
      run++;
      continue;
    }
    if (run > 0) {
      tokens += Math.ceil(run / 8);
      run = 0;
    }
    if (c !== 32 && c !== 10 && c !== 9 && c !== 13) tokens++;
  }
  if (run > 0) tokens += Math.ceil(run / 8);
  return tokens;
}

/**
 * Cached prompt tokens when a scenario does not force a number: prompts of 2048+ tokens
 * report half of themselves, rounded down to OpenAI's 128-token cache granularity (so at
 * least 1024, the smallest cacheable prefix). Shorter prompts are never cached.
 */
export function cachedTokensFor(promptTokens: number, forced?: number): number {
  if (forced !== undefined) return Math.max(0, Math.min(Math.floor(forced), promptTokens));
  return promptTokens >= 2048 ? Math.floor(promptTokens / 256) * 128 : 0;
}

const FILLER = (
  'the of gateway budget token stream model request answer simple clear quick ' +
  'note result value cost usage upstream record check latency route cache ' +
  'prompt reply detail summary example reason plan signal limit window batch ' +
  'queue ledger price metric alert report brief careful steady exact small'
).split(' ');

export interface Answer {
  /** One element per output token; streams send one element per chunk. */
  pieces: string[];
  text: string;
  /** Reasoning/thinking tokens spent (never shown as text). */
  reasoningTokens: number;
  /** True when the output limit cut the answer short (finish_reason "length"). */
  truncated: boolean;
}

export interface AnswerInput {
  /** Text the answer echoes a few words of (normally the last user turn). */
  lastUserText: string;
  /** Seeds length and filler: hash of all prompt text and the model (see PromptMeter). */
  seed: number;
  /** Reasoning/thinking token budget before limits; 0 for non-reasoning models. */
  reasoningTokens: number;
  /** Output cap covering reasoning + text (max_tokens, max_output_tokens, maxOutputTokens). */
  maxTokens?: number;
  /** Exactly this many text tokens instead of 12–40 (before the cap): the outputTokens scenario. */
  outputTokens?: number;
}

/**
 * The answer: "Simulated answer about <first words of the prompt>: <filler>." of 12–40 tokens,
 * so different prompts give different answers and the same prompt always the same one.
 */
export function makeAnswer(input: AnswerInput): Answer {
  const h = input.seed >>> 0;
  const wanted = input.outputTokens ?? 12 + (h % 29);
  const pieces = ['Simulated', ' answer', ' about'];
  const words = input.lastUserText.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  for (let i = 0; i < words.length && i < 6; i++) pieces.push(' ' + words[i]);
  pieces.push(':');
  let state = h || 1;
  while (pieces.length < wanted - 1) {
    // xorshift32: a few filler words chosen by the prompt's hash.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pieces.push(' ' + FILLER[(state >>> 0) % FILLER.length]);
  }
  pieces.push('.');
  // A forced length shorter than the preamble keeps its first words.
  if (pieces.length > wanted) pieces.length = Math.max(0, wanted);

  let reasoningTokens = input.reasoningTokens;
  let truncated = false;
  if (input.maxTokens !== undefined && input.maxTokens >= 0) {
    const cap = Math.floor(input.maxTokens);
    if (reasoningTokens > cap) reasoningTokens = cap;
    const room = cap - reasoningTokens;
    if (pieces.length > room) {
      pieces.length = room;
      truncated = true;
    }
  }
  return { pieces, text: pieces.join(''), reasoningTokens, truncated };
}

/** Reasoning tokens a reasoning model spends: 16–63 scaled by effort (default medium). */
export function reasoningFor(seed: number, effort: unknown): number {
  const base = 16 + ((seed >>> 8) % 48);
  switch (effort) {
    case 'none':
    case 'minimal':
      return 0;
    case 'low':
      return base;
    case 'high':
    case 'xhigh':
      return base * 4;
    default:
      return base * 2;
  }
}

/** Unit-length vector seeded by the text, so equal inputs embed equally. */
export function embedVector(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let state = hash(text) || 1;
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const x = ((state >>> 0) / 0xffffffff) * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) v[i] = v[i]! * scale;
  return v;
}

/** Little-endian float32 bytes in base64, the OpenAI `encoding_format: "base64"` format. */
export function vectorToBase64(v: Float32Array): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}

// Ids: a random boot tag plus a counter is unique per process without per-request randomness.
const BOOT = randomBytes(6).toString('hex');
let counter = 0;

/** e.g. newId('chatcmpl-') → "chatcmpl-SIM3f9a0c1b2d4e00k1" */
export function newId(prefix: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}SIM${BOOT}${counter.toString(36).padStart(4, '0')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Walks a prompt once: counts tokens, chains the hash (no big concatenated string), and
 * remembers the last user text for the echo in the answer.
 */
export class PromptMeter {
  tokens = 0;
  seed = 0x811c9dc5;
  lastUserText = '';

  /** Counts `text` and folds it into the seed. */
  add(text: string): void {
    this.tokens += countTokens(text);
    this.seed = hash(text, this.seed);
  }

  /** A fixed per-item overhead (message framing, role, images). */
  overhead(tokens: number): void {
    this.tokens += tokens;
  }

  /** Folds the model name into the seed so models answer differently. */
  seedFor(model: string): number {
    return hash(model, this.seed);
  }
}

/** Reads a non-negative integer from an unknown JSON value, else undefined. */
export function intOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}
