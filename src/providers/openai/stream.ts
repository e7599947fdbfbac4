import type { Usage } from '../../core/usage.js';
import type { SseEvent } from '../sse.js';
import { isRecord, nonEmptyString, parseJson } from '../shared/json.js';
import { blindTap, SseTap, type EventReader } from '../shared/tap.js';
import type { RouteMatch, StreamTap, TapOptions } from '../types.js';
import { withServedTier, type UsageMappers } from './usage.js';

const NULL_VALUE = /\s*:\s*null\b/y;

/**
 * True unless the event certainly has no usage object. With include_usage every chunk says
 * `"usage":null`; skipping JSON.parse for those keeps the tap cheap. A literal `"usage"` can
 * only be a key (quotes inside JSON strings are escaped), so one `"usage": null` and no other
 * occurrence means: nothing to read.
 */
function mayCarryUsage(data: string): boolean {
  const at = data.indexOf('"usage"');
  if (at === -1) return false;
  if (data.indexOf('"usage"', at + 7) !== -1) return true;
  NULL_VALUE.lastIndex = at + 7;
  return !NULL_VALUE.test(data);
}

/**
 * Chat Completions chunks: keeps the model and the last non-null usage. The chunk the gateway
 * caused by injecting include_usage is the one with `"choices": []` and a usage object; only
 * that one is ever marked for removal. (Should a provider put usage on a chunk that also has
 * choices, that chunk is read but kept: removing it would remove output.)
 */
export class ChatReader implements EventReader {
  private lastUsage: Usage | undefined;
  private model: string | undefined;
  private done = false;

  constructor(private readonly mappers: UsageMappers) {}

  read(event: SseEvent): { drop: boolean } | void {
    if (this.done) return;
    const data = event.data;
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    if (this.model !== undefined && !mayCarryUsage(data)) return;
    const chunk = parseJson(data);
    if (!isRecord(chunk)) return;
    this.model ??= nonEmptyString(chunk.model);
    if (!isRecord(chunk.usage)) return;
    this.lastUsage = withServedTier(this.mappers.chat(chunk.usage), chunk.service_tier) ?? this.lastUsage;
    return { drop: Array.isArray(chunk.choices) && chunk.choices.length === 0 };
  }

  usage(): Usage | undefined {
    return this.lastUsage;
  }

  responseModel(): string | undefined {
    return this.model;
  }

  /**
   * With include_usage the provider adds `"usage":null` to every chunk; a client that did not
   * ask for usage would not have seen that field, so it goes too (only ever called while
   * stripping, i.e. when the gateway injected include_usage).
   */
  rewrite(bytes: Buffer): Buffer {
    return removeNullUsage(bytes);
  }
}

const NULL_USAGE_AFTER = Buffer.from(',"usage":null');
const NULL_USAGE_BEFORE = Buffer.from('"usage":null,');

export function removeNullUsage(bytes: Buffer): Buffer {
  let at = bytes.indexOf(NULL_USAGE_AFTER);
  let length = NULL_USAGE_AFTER.length;
  if (at === -1) {
    at = bytes.indexOf(NULL_USAGE_BEFORE);
    length = NULL_USAGE_BEFORE.length;
  }
  if (at === -1) return bytes;
  return Buffer.concat([bytes.subarray(0, at), removeNullUsage(bytes.subarray(at + length))]);
}

/** Events of a Responses stream whose `response` may carry the final usage. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
/** Events worth parsing when the stream names its event types. */
const READ_EVENTS = new Set([...FINAL_EVENTS, 'response.created']);

/** Responses streams: usage lives only in the final `response.*` event's `response.usage`. */
export class ResponsesReader implements EventReader {
  private lastUsage: Usage | undefined;
  private model: string | undefined;

  constructor(private readonly mappers: UsageMappers) {}

  read(event: SseEvent): void {
    // Text deltas are most of the stream; skip them by their `event:` name without parsing.
    if (event.event !== undefined && !READ_EVENTS.has(event.event)) return;
    const parsed = parseJson(event.data);
    if (!isRecord(parsed) || !isRecord(parsed.response)) return;
    const response = parsed.response;
    this.model ??= nonEmptyString(response.model);
    const type = typeof parsed.type === 'string' ? parsed.type : event.event;
    if (type !== undefined && FINAL_EVENTS.has(type) && isRecord(response.usage)) {
      this.lastUsage = withServedTier(this.mappers.responses(response.usage), response.service_tier) ?? this.lastUsage;
    }
  }

  usage(): Usage | undefined {
    return this.lastUsage;
  }

  responseModel(): string | undefined {
    return this.model;
  }
}

/** The stream tap of an OpenAI-compatible provider, given its usage mappers. */
export function openAiStreamTap(mappers: UsageMappers, route: RouteMatch, options: TapOptions): StreamTap {
  if (route.kind === 'chat') return new SseTap(new ChatReader(mappers), options.stripInjectedUsage);
  // stripInjectedUsage is never asked for on other kinds (prepareBody only injects on chat).
  if (route.kind === 'responses') return new SseTap(new ResponsesReader(mappers), false);
  return blindTap();
}
