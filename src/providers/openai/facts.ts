import { readCount } from '../../core/usage.js';
import type { RequestFacts, RouteMatch } from '../types.js';
import { isRecord, nonEmptyString, recordAt, type JsonObject } from '../shared/json.js';

/** What estimation needs from a chat, responses or embeddings body. */
export function openAiRequestFacts(route: RouteMatch, body: unknown): RequestFacts {
  const b: JsonObject = isRecord(body) ? body : {};
  const facts: RequestFacts = { stream: b.stream === true, promptText: promptText(route, b) };
  const model = nonEmptyString(b.model);
  if (model) facts.model = model;
  // Responses names it max_output_tokens; chat prefers max_completion_tokens over the older max_tokens.
  const max =
    route.kind === 'responses'
      ? readCount(b.max_output_tokens)
      : (readCount(b.max_completion_tokens) ?? readCount(b.max_tokens));
  if (max !== undefined) facts.maxOutputTokens = max;
  const effort = nonEmptyString(b.reasoning_effort) ?? nonEmptyString(recordAt(b, 'reasoning')?.effort);
  if (effort) facts.reasoningEffort = effort;
  const tier = nonEmptyString(b.service_tier);
  if (tier) facts.serviceTier = tier;
  return facts;
}

function promptText(route: RouteMatch, body: JsonObject): string {
  const parts: string[] = [];
  if (route.kind === 'chat') {
    if (Array.isArray(body.messages)) {
      for (const message of body.messages) if (isRecord(message)) contentText(message.content, parts);
    }
  } else if (route.kind === 'responses') {
    if (typeof body.instructions === 'string') parts.push(body.instructions);
    responsesInput(body.input, parts);
  } else if (route.kind === 'embeddings') {
    const input = body.input;
    if (typeof input === 'string') parts.push(input);
    // Arrays of token ids are not text; the estimate then counts nothing for them.
    else if (Array.isArray(input)) for (const item of input) if (typeof item === 'string') parts.push(item);
  }
  return parts.join('\n');
}

/** A message's content: a string, or parts of which only the textual ones are counted. */
function contentText(content: unknown, parts: string[]): void {
  if (typeof content === 'string') {
    parts.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    // Chat uses {type:"text"}, Responses {type:"input_text"|"output_text"}; images and files are skipped.
    if (isRecord(part) && typeof part.text === 'string') parts.push(part.text);
  }
}

function responsesInput(input: unknown, parts: string[]): void {
  if (typeof input === 'string') {
    parts.push(input);
    return;
  }
  if (!Array.isArray(input)) return;
  for (const item of input) {
    if (!isRecord(item)) continue;
    contentText(item.content, parts);
    // A tool result sent back to the model is prompt text too.
    if (item.type === 'function_call_output' && typeof item.output === 'string') parts.push(item.output);
  }
}

/**
 * Chat streams report usage only when asked (`stream_options.include_usage`). The gateway must
 * know the usage, so it asks on the client's behalf and, since the client did not ask, later
 * removes that extra chunk from the client's bytes. Responses streams always carry usage in
 * `response.completed`, so nothing is changed there.
 */
export function openAiPrepareBody(route: RouteMatch, body: unknown): { body: unknown; stripInjectedUsage: boolean } {
  if (route.kind !== 'chat' || !isRecord(body) || body.stream !== true) return { body, stripInjectedUsage: false };
  const options = body.stream_options;
  if (options !== undefined && options !== null && !isRecord(options)) return { body, stripInjectedUsage: false };
  if (isRecord(options) && options.include_usage === true) return { body, stripInjectedUsage: false };
  return {
    body: { ...body, stream_options: { ...(isRecord(options) ? options : {}), include_usage: true } },
    stripInjectedUsage: true,
  };
}
