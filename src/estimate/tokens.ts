import { get_encoding, type Tiktoken, type TiktokenEncoding } from 'tiktoken';
import { SegmentCounter, type EncodeCount } from './segment-cache.js';

export interface TokenCount {
  tokens: number;
  /** 'exact' when the model's own tokenizer was used; 'approximate' otherwise (Gemini, xAI, huge prompts). */
  method: 'exact' | 'approximate';
  encoding: TiktokenEncoding | 'bytes';
}

/**
 * Which tiktoken encoding a model family uses. Families without a public tokenizer (Gemini,
 * Grok) are counted with o200k_base and labelled approximate: close enough to reserve money,
 * and the settle step replaces the estimate with the provider's count anyway.
 */
const FAMILIES: Array<{ pattern: RegExp; encoding: TiktokenEncoding; exact: boolean }> = [
  { pattern: /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|codex|gpt-oss|gpt-image|gpt-realtime|gpt-audio)/, encoding: 'o200k_base', exact: true },
  { pattern: /^(gpt-4|gpt-3\.5|text-embedding|davinci|babbage)/, encoding: 'cl100k_base', exact: true },
];

/** Above this many characters a prompt is counted by bytes: tokenizing megabytes on the hot path is not worth it. */
const TOKENIZE_LIMIT_CHARS = 64 * 1024;
/** No common tokenizer yields fewer than ~2.5 bytes per token on text; 2 keeps the bound conservative. */
const BYTES_PER_TOKEN_FLOOR = 2;

const encoders = new Map<TiktokenEncoding, Tiktoken>();

function encoder(name: TiktokenEncoding): Tiktoken {
  let found = encoders.get(name);
  if (!found) {
    found = get_encoding(name);
    encoders.set(name, found);
  }
  return found;
}

/** The real tokenizer: tiktoken's WASM BPE, about 1 µs per token. */
export const tiktokenCount: EncodeCount = (encoding, text) => encoder(encoding).encode_ordinary(text).length;

/**
 * Chat clients resend the system prompt and the whole history on every turn; counting the
 * prompt piece by piece through this cache tokenizes only what is new (segment-cache.ts).
 */
const segments = new SegmentCounter(tiktokenCount);

/** The model's family: a small cache, since a gateway sees a handful of model names. */
const familyOf = new Map<string, (typeof FAMILIES)[number] | null>();

function family(model: string | undefined): (typeof FAMILIES)[number] | undefined {
  if (!model) return undefined;
  let found = familyOf.get(model);
  if (found === undefined) {
    found = FAMILIES.find((f) => f.pattern.test(model.replace(/^models\//, ''))) ?? null;
    // Model names come from clients: bound the map rather than trust them.
    if (familyOf.size >= 1000) familyOf.clear();
    familyOf.set(model, found);
  }
  return found ?? undefined;
}

export function countPromptTokens(model: string | undefined, text: string): TokenCount {
  const f = family(model);
  if (text.length > TOKENIZE_LIMIT_CHARS) {
    return { tokens: Math.ceil(Buffer.byteLength(text) / BYTES_PER_TOKEN_FLOOR), method: 'approximate', encoding: 'bytes' };
  }
  const encoding = f?.encoding ?? 'o200k_base';
  const tokens = text.length === 0 ? 0 : segments.count(encoding, text);
  return { tokens, method: f?.exact ? 'exact' : 'approximate', encoding };
}
