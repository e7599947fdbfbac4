import type { Usage } from '../../core/usage.js';
import type { SseEvent } from '../sse.js';
import { isRecord, nonEmptyString, parseJson } from '../shared/json.js';
import { SseTap, type EventReader } from '../shared/tap.js';
import type { StreamTap } from '../types.js';
import { geminiUsage } from './usage.js';

/**
 * `data:` events of :streamGenerateContent?alt=sse. Every chunk carries the usage so far
 * (cumulative), so the last one seen is the usage: never a sum.
 */
export class GeminiReader implements EventReader {
  private lastUsage: Usage | undefined;
  private model: string | undefined;

  read(event: SseEvent): void {
    this.readChunk(parseJson(event.data));
  }

  /** One GenerateContentResponse (also used for the array form below). */
  readChunk(chunk: unknown): void {
    // An error object in the stream has neither field: nothing to learn, nothing to fail.
    if (!isRecord(chunk)) return;
    this.model ??= nonEmptyString(chunk.modelVersion);
    this.lastUsage = geminiUsage(chunk.usageMetadata) ?? this.lastUsage;
  }

  usage(): Usage | undefined {
    return this.lastUsage;
  }

  responseModel(): string | undefined {
    return this.model;
  }
}

/** Whole non-SSE bodies are read at the end; past this size the usage is given up as unknown. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * The Gemini stream tap. A stream is not always SSE:
 * - without `?alt=sse`, :streamGenerateContent answers a JSON array of responses;
 * - an error (e.g. 404 for an unknown model) comes as a plain JSON object even under
 *   Content-Type text/event-stream (errors.md).
 * The first non-blank byte decides: `{` or `[` is JSON, read whole at the end (bounded);
 * anything else is SSE. The bytes always pass through untouched.
 */
export class GeminiStreamTap implements StreamTap {
  private readonly reader = new GeminiReader();
  private readonly sse = new SseTap(this.reader, false);
  private mode: 'unknown' | 'sse' | 'json' = 'unknown';
  private json: Buffer[] = [];
  private jsonBytes = 0;

  push(chunk: Buffer): Buffer {
    if (this.mode === 'unknown') this.mode = decideMode(chunk);
    if (this.mode === 'json') this.collect(chunk);
    else this.sse.push(chunk); // blank-only chunks while still unknown are harmless SSE
    return chunk;
  }

  end(): Buffer {
    if (this.mode === 'json') this.readJson();
    else this.sse.end();
    return Buffer.alloc(0);
  }

  usage(): Usage | undefined {
    return this.reader.usage();
  }

  responseModel(): string | undefined {
    return this.reader.responseModel();
  }

  private collect(chunk: Buffer): void {
    if (this.jsonBytes > MAX_JSON_BYTES) return;
    this.jsonBytes += chunk.length;
    if (this.jsonBytes > MAX_JSON_BYTES) this.json = [];
    else this.json.push(Buffer.from(chunk));
  }

  private readJson(): void {
    if (this.jsonBytes > MAX_JSON_BYTES) return;
    const body = parseJson(Buffer.concat(this.json, this.jsonBytes).toString('utf8'));
    this.json = [];
    // Cumulative as in SSE: the array's last usage wins.
    if (Array.isArray(body)) for (const item of body) this.reader.readChunk(item);
    else this.reader.readChunk(body);
  }
}

/** 'unknown' while the chunk is blank; otherwise by its first non-blank byte. */
function decideMode(chunk: Buffer): 'unknown' | 'sse' | 'json' {
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b ? 'json' : 'sse';
  }
  return 'unknown';
}
