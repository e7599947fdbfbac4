import { geminiError, geminiStatus } from './errors.js';
import { cachedTokensFor, embedVector, intOrUndefined, makeAnswer, newId, PromptMeter, reasoningFor } from './text.js';
import type { Call, Reply } from './types.js';

/**
 * The Gemini Developer API (v1beta): generateContent, streamGenerateContent (SSE with
 * CUMULATIVE usageMetadata in every chunk, like the real one), countTokens, embedContent,
 * batchEmbedContents (what @google/genai's embedContent calls), and the paginated model list.
 * Usage semantics: promptTokenCount includes cachedContentTokenCount; thoughtsTokenCount is
 * separate from candidatesTokenCount; total = prompt + candidates + thoughts.
 */

interface GeminiModel {
  id: string;
  displayName: string;
  input: number;
  output: number;
  methods: string[];
  thinking: boolean;
}

const GENERATE = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];
const EMBED = ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'];

const GEMINI_MODELS: GeminiModel[] = [
  { id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', input: 1048576, output: 65536, methods: GENERATE, thinking: true },
  { id: 'gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', input: 1048576, output: 65536, methods: GENERATE, thinking: true },
  { id: 'gemini-2.5-flash-lite', displayName: 'Gemini 2.5 Flash-Lite', input: 1048576, output: 65536, methods: GENERATE, thinking: true },
  { id: 'gemini-2.0-flash', displayName: 'Gemini 2.0 Flash', input: 1048576, output: 8192, methods: GENERATE, thinking: false },
  { id: 'gemini-3-pro-preview', displayName: 'Gemini 3 Pro Preview', input: 1048576, output: 65536, methods: GENERATE, thinking: true },
  { id: 'gemini-embedding-001', displayName: 'Gemini Embedding 001', input: 2048, output: 1, methods: EMBED, thinking: false },
  { id: 'text-embedding-004', displayName: 'Text Embedding 004', input: 2048, output: 1, methods: EMBED, thinking: false },
];

function modelResource(m: GeminiModel): Record<string, unknown> {
  const r: Record<string, unknown> = {
    name: `models/${m.id}`,
    version: '001',
    displayName: m.displayName,
    description: `Simulated ${m.displayName}.`,
    inputTokenLimit: m.input,
    outputTokenLimit: m.output,
    supportedGenerationMethods: m.methods,
  };
  if (m.methods === GENERATE) Object.assign(r, { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: m.thinking });
  return r;
}

// Page tokens look like the real ones: base64 of a protobuf string field holding the last name served.
function pageToken(name: string): string {
  return Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name)]).toString('base64');
}

function listModels(call: Call): Reply {
  const size = Math.min(Math.max(intOrUndefined(Number(call.query.pageSize)) || 50, 1), 1000);
  let start = 0;
  const token = call.query.pageToken;
  if (token) {
    const after = GEMINI_MODELS.findIndex((m) => pageToken(`models/${m.id}`) === token);
    if (after < 0) return geminiStatus(400, 'INVALID_ARGUMENT', 'Invalid page token.');
    start = after + 1;
  }
  const page = GEMINI_MODELS.slice(start, start + size);
  const body: Record<string, unknown> = { models: page.map(modelResource) };
  // The last page has no nextPageToken at all (the SDK pager stops on undefined, not '').
  if (start + size < GEMINI_MODELS.length) body.nextPageToken = pageToken(`models/${page[page.length - 1]!.id}`);
  return { kind: 'json', status: 200, body };
}

type Json = Record<string, unknown>;

/** Prompt tokens: 1 per turn (role) + its parts; images 258 (Gemini's per-image charge). */
function meterContents(body: Json): PromptMeter {
  const meter = new PromptMeter();
  const request = (body.generateContentRequest ?? body) as Json;
  const addParts = (content: unknown, isUser: boolean): void => {
    const parts = ((content ?? {}) as Json).parts;
    if (!Array.isArray(parts)) return;
    let text = '';
    for (const part of parts as Json[]) {
      if (typeof part?.text === 'string') {
        meter.add(part.text);
        text += part.text;
      } else if (part?.inlineData || part?.fileData) meter.overhead(258);
      else if (part) meter.add(JSON.stringify(part));
    }
    if (isUser) meter.lastUserText = text;
  };
  if (request.systemInstruction) addParts(request.systemInstruction, false);
  if (Array.isArray(request.contents)) {
    for (const content of request.contents as Json[]) {
      meter.overhead(1);
      addParts(content, (content?.role ?? 'user') === 'user');
    }
  }
  if (Array.isArray(request.tools) && request.tools.length > 0) meter.add(JSON.stringify(request.tools));
  return meter;
}

const CHUNK_PIECES = 8; // Gemini streams a phrase per chunk, not a token.

function generate(call: Call, model: string, body: Json, stream: boolean): Reply {
  const meter = meterContents(body);
  const config = (body.generationConfig ?? {}) as Json;
  const thinking = (config.thinkingConfig ?? {}) as Json;
  const seed = meter.seedFor(model);
  const budget = intOrUndefined(thinking.thinkingBudget);
  const canThink = GEMINI_MODELS.find((m) => m.id === model)?.thinking ?? /gemini-(2\.5|3)/.test(model);
  let thoughts = canThink ? reasoningFor(seed, String(thinking.thinkingLevel ?? 'medium').toLowerCase()) : 0;
  if (budget !== undefined) thoughts = Math.min(thoughts, budget);
  const answer = makeAnswer({ lastUserText: meter.lastUserText, seed, reasoningTokens: thoughts, maxTokens: intOrUndefined(config.maxOutputTokens), outputTokens: call.plan.outputTokens });
  const prompt = meter.tokens;
  const cached = cachedTokensFor(prompt, call.plan.cachedTokens);
  const responseId = newId('');
  const finish = answer.truncated ? 'MAX_TOKENS' : 'STOP';
  const usage = (candidates: number): string => {
    if (call.plan.noUsage) return '';
    const u: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + answer.reasoningTokens };
    u.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt }];
    if (answer.reasoningTokens > 0) u.thoughtsTokenCount = answer.reasoningTokens;
    if (cached > 0) {
      u.cachedContentTokenCount = cached;
      u.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: cached }];
    }
    return `,"usageMetadata":${JSON.stringify(u)}`;
  };
  const chunk = (text: string, last: boolean, candidates: number): string =>
    `{"candidates":[{"content":{"parts":[{"text":${JSON.stringify(text)}}],"role":"model"},${last ? `"finishReason":"${finish}",` : ''}"index":0}]${usage(candidates)},"modelVersion":${JSON.stringify(model)},"responseId":"${responseId}"}`;

  const pieces = answer.pieces;
  if (!stream) {
    return { kind: 'json', status: 200, body: JSON.parse(chunk(answer.text, true, pieces.length)) as unknown, genChunks: Math.ceil(pieces.length / CHUNK_PIECES) };
  }
  const frames: string[] = [];
  for (let i = 0; i < pieces.length || i === 0; i += CHUNK_PIECES) {
    const end = Math.min(i + CHUNK_PIECES, pieces.length);
    frames.push(chunk(pieces.slice(i, end).join(''), end >= pieces.length, end));
  }
  if (call.query.alt === 'sse') return { kind: 'sse', events: frames.map((f) => `data: ${f}\r\n\r\n`) };
  // Without alt=sse the real API streams one JSON array; the SDK always asks for SSE.
  const events = frames.map((f, i) => `${i === 0 ? '[' : ',\r\n'}${f}${i === frames.length - 1 ? ']' : ''}`);
  return { kind: 'sse', events, contentType: 'application/json; charset=UTF-8' };
}

function countTokens(body: Json): Reply {
  const total = meterContents(body).tokens;
  return { kind: 'json', status: 200, body: { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] } };
}

function embedOne(call: Call, model: string, request: Json): { values: number[]; tokens: number } {
  const meter = new PromptMeter();
  const parts = ((request.content ?? {}) as Json).parts;
  let text = '';
  if (Array.isArray(parts)) for (const p of parts as Json[]) if (typeof p?.text === 'string') text += p.text;
  meter.add(text);
  const dims = intOrUndefined(request.outputDimensionality) ?? call.embeddingDims(model);
  return { values: Array.from(embedVector(text, dims)), tokens: meter.tokens };
}

function embed(call: Call, model: string, body: Json, batch: boolean): Reply {
  const requests = batch ? body.requests : [body];
  if (!Array.isArray(requests)) return geminiStatus(400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests: requests is required.');
  let tokens = 0;
  const embeddings = (requests as Json[]).map((r) => {
    const e = embedOne(call, model, r ?? {});
    tokens += e.tokens;
    return { values: e.values };
  });
  const out: Json = batch ? { embeddings } : { embedding: embeddings[0] };
  // @google/genai's EmbedContentResponse models usageMetadata; sim-no-usage drops it.
  if (!call.plan.noUsage) out.usageMetadata = { promptTokenCount: tokens, totalTokenCount: tokens };
  return { kind: 'json', status: 200, body: out };
}

/** Serves one call below /v1beta/ or /v1/. */
export function handleGemini(call: Call): Reply {
  const route = call.route;
  if (call.method === 'GET') {
    if (route === 'models') return listModels(call);
    if (route.startsWith('models/') && !route.includes(':')) {
      const found = GEMINI_MODELS.find((m) => m.id === call.model);
      return found ? { kind: 'json', status: 200, body: modelResource(found) } : geminiError(404, { model: call.model, method: 'GET', path: route, apiVersion: call.apiVersion });
    }
  }
  const colon = route.lastIndexOf(':');
  if (call.method === 'POST' && route.startsWith('models/') && colon > 0 && call.model) {
    const body = call.body ?? {};
    switch (route.slice(colon + 1)) {
      case 'generateContent':
        return generate(call, call.model, body, false);
      case 'streamGenerateContent':
        return generate(call, call.model, body, true);
      case 'countTokens':
        return countTokens(body);
      case 'embedContent':
        return embed(call, call.model, body, false);
      case 'batchEmbedContents':
        return embed(call, call.model, body, true);
    }
  }
  return geminiStatus(404, 'NOT_FOUND', `Method not found: ${call.method} /${call.apiVersion}/${route}`);
}

/** "models/gemini-2.5-flash:generateContent" → "gemini-2.5-flash". */
export function geminiPathModel(route: string): string | undefined {
  if (!route.startsWith('models/')) return undefined;
  const colon = route.indexOf(':', 7);
  const raw = colon < 0 ? route.slice(7) : route.slice(7, colon);
  return raw ? decodeURIComponent(raw) : undefined;
}
