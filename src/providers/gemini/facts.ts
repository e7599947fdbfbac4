import { readCount } from '../../core/usage.js';
import type { RequestFacts, RouteMatch } from '../types.js';
import { firstOf, isRecord, nonEmptyString, type JsonObject } from '../shared/json.js';

function asRecord(value: unknown): JsonObject | undefined {
  return isRecord(value) ? value : undefined;
}

/**
 * What estimation needs from a Gemini body. The model and streaming are in the path, not the
 * body. Google's REST surface accepts proto (snake_case) and JSON (camelCase) field names
 * alike, so both are read: otherwise a snake_case body would escape the output allowance.
 */
export function geminiRequestFacts(route: RouteMatch, body: unknown): RequestFacts {
  const b = asRecord(body) ?? {};
  const facts: RequestFacts = { stream: route.pathStreams, promptText: promptText(b) };
  if (route.pathModel) facts.model = route.pathModel;
  const config = asRecord(firstOf(b, 'generationConfig', 'generation_config'));
  const max = readCount(firstOf(config, 'maxOutputTokens', 'max_output_tokens'));
  if (max !== undefined) facts.maxOutputTokens = max;
  const thinking = asRecord(firstOf(config, 'thinkingConfig', 'thinking_config'));
  // -1 asks for a dynamic budget: readCount makes it unknown, which is what it is.
  const budget = readCount(firstOf(thinking, 'thinkingBudget', 'thinking_budget'));
  if (budget !== undefined) facts.reasoningBudgetTokens = budget;
  const level = nonEmptyString(firstOf(thinking, 'thinkingLevel', 'thinking_level'));
  if (level) facts.reasoningEffort = level;
  return facts;
}

function promptText(body: JsonObject): string {
  const parts: string[] = [];
  requestText(body, parts);
  // countTokens may wrap a whole generate request.
  const wrapped = asRecord(firstOf(body, 'generateContentRequest', 'generate_content_request'));
  if (wrapped) requestText(wrapped, parts);
  // embedContent has one `content`; batchEmbedContents has `requests[].content`.
  contentText(body.content, parts);
  if (Array.isArray(body.requests)) for (const request of body.requests) if (isRecord(request)) contentText(request.content, parts);
  return parts.join('\n');
}

function requestText(request: JsonObject, parts: string[]): void {
  contentText(firstOf(request, 'systemInstruction', 'system_instruction'), parts);
  const contents = request.contents;
  if (Array.isArray(contents)) for (const content of contents) contentText(content, parts);
  else contentText(contents, parts);
}

/** A Content's text parts (inline data, files and function calls are not text). */
function contentText(content: unknown, parts: string[]): void {
  if (typeof content === 'string') {
    parts.push(content);
    return;
  }
  if (!isRecord(content) || !Array.isArray(content.parts)) return;
  for (const part of content.parts) if (isRecord(part) && typeof part.text === 'string') parts.push(part.text);
}
