import { errorReply, openaiUnknownRoute } from './errors.js';
import { meterContent, responses } from './responses.js';
import {
  cachedTokensFor,
  embedVector,
  intOrUndefined,
  makeAnswer,
  newId,
  nowSeconds,
  PromptMeter,
  reasoningFor,
  vectorToBase64,
} from './text.js';
import type { Call, Reply } from './types.js';

/**
 * The OpenAI API surface (chat completions, embeddings, models), shared with xAI through a
 * Personality: same routes and shapes, different usage semantics, extras and error bodies.
 */

/** Token counts of one answer; each personality turns them into its own usage block. */
export interface Counts {
  prompt: number;
  cached: number;
  /** Visible output tokens. */
  text: number;
  reasoning: number;
}

export interface ModelInfo {
  id: string;
  created: number;
  owned_by: string;
}

export interface Personality {
  provider: 'openai' | 'xai';
  /** Model name as the response reports it (OpenAI resolves aliases to snapshots). */
  responseModel(model: string): string;
  isReasoning(model: string): boolean;
  chatUsage(model: string, c: Counts): Record<string, unknown>;
  responsesUsage(model: string, c: Counts): Record<string, unknown>;
  /** Top-level fields every chat completion and chunk carries (service_tier, system_fingerprint). */
  chatExtras: Record<string, string>;
  /** OpenAI pads stream chunks with an `obfuscation` string (unless include_obfuscation=false). */
  obfuscation: boolean;
  /** OpenAI choices carry `logprobs` and message `annotations`; xAI's do not. */
  openaiChoiceFields: boolean;
  /** xAI returns the reasoning trace as message.reasoning_content. */
  reasoningContent: boolean;
  models: ModelInfo[];
  modelObject(m: ModelInfo): Record<string, unknown>;
  badRequest(message: string, param?: string): Reply;
  /** Routes only this personality serves (xAI language-models). */
  extraRoute?(call: Call): Reply | undefined;
}

/**
 * The tier OpenAI reports having served: the one asked for (flex, priority, default), and
 * `default` for `auto` or none. xAI reports no tier, so its extras carry none to replace.
 */
export function servedTier(requested: unknown): string {
  return requested === 'flex' || requested === 'priority' || requested === 'scale' ? requested : 'default';
}

function servedExtras(extras: Record<string, string>, requested: unknown): Record<string, string> {
  return 'service_tier' in extras ? { ...extras, service_tier: servedTier(requested) } : extras;
}

/** Prompt tokens like tiktoken's chat recipe: 3 per message + role + content, 3 to prime. */
function meterMessages(messages: unknown[], tools: unknown): PromptMeter {
  const meter = new PromptMeter();
  meter.overhead(3);
  for (const raw of messages) {
    const msg = (raw ?? {}) as Record<string, unknown>;
    meter.overhead(4);
    const text = meterContent(meter, msg.content);
    if (typeof msg.name === 'string') meter.add(msg.name);
    if (msg.tool_calls !== undefined) meter.add(JSON.stringify(msg.tool_calls));
    if (msg.role === 'user') meter.lastUserText = text;
  }
  if (Array.isArray(tools) && tools.length > 0) meter.add(JSON.stringify(tools));
  return meter;
}

const OBFUSCATION = 'e2Ru8aZQb1mW9tyq7Vh0Lr';

function chat(p: Personality, call: Call, body: Record<string, unknown>, model: string): Reply {
  if (!Array.isArray(body.messages)) return p.badRequest("Missing required parameter: 'messages'.", 'messages');
  const meter = meterMessages(body.messages, body.tools);
  const seed = meter.seedFor(model);
  const answer = makeAnswer({
    lastUserText: meter.lastUserText,
    seed,
    reasoningTokens: p.isReasoning(model) ? reasoningFor(seed, body.reasoning_effort) : 0,
    maxTokens: intOrUndefined(body.max_completion_tokens) ?? intOrUndefined(body.max_tokens),
    outputTokens: call.plan.outputTokens,
  });
  const counts: Counts = {
    prompt: meter.tokens,
    cached: cachedTokensFor(meter.tokens, call.plan.cachedTokens),
    text: answer.pieces.length,
    reasoning: answer.reasoningTokens,
  };
  const id = newId(p.provider === 'openai' ? 'chatcmpl-' : '');
  const created = nowSeconds();
  const rmodel = p.responseModel(model);
  const extrasOf = servedExtras(p.chatExtras, body.service_tier);
  const finish = answer.truncated ? 'length' : 'stop';
  const usage = call.plan.noUsage ? undefined : p.chatUsage(rmodel, counts);

  if (body.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: answer.text };
    if (p.reasoningContent && counts.reasoning > 0) message.reasoning_content = `Reasoning about: ${meter.lastUserText.slice(0, 80)}`;
    message.refusal = null;
    const choice: Record<string, unknown> = { index: 0, message, finish_reason: finish };
    if (p.openaiChoiceFields) {
      message.annotations = [];
      choice.logprobs = null;
    }
    const json: Record<string, unknown> = { id, object: 'chat.completion', created, model: rmodel, ...extrasOf, choices: [choice] };
    if (usage) json.usage = usage;
    return { kind: 'json', status: 200, body: json, genChunks: answer.pieces.length + 2 };
  }

  // Streams are built from string templates: the benchmark path, no per-chunk object graphs.
  const streamOptions = (body.stream_options ?? {}) as Record<string, unknown>;
  const includeUsage = streamOptions.include_usage === true;
  const obfuscate = p.obfuscation && streamOptions.include_obfuscation !== false;
  const extras = Object.keys(extrasOf).length > 0 ? `${JSON.stringify(extrasOf).slice(1, -1)},` : '';
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(rmodel)},${extras}"choices":[`;
  const lp = p.openaiChoiceFields ? ',"logprobs":null' : '';
  // Per the spec, chunks carry "usage":null only when include_usage asked for the usage chunk.
  const tail = (i: number): string =>
    `]${includeUsage ? ',"usage":null' : ''}${obfuscate ? `,"obfuscation":"${OBFUSCATION.slice(0, 2 + ((i * 7) % 12))}"` : ''}}\n\n`;
  const events: string[] = [];
  const role = p.openaiChoiceFields ? '{"role":"assistant","content":"","refusal":null}' : '{"role":"assistant","content":""}';
  events.push(`${head}{"index":0,"delta":${role}${lp},"finish_reason":null}${tail(0)}`);
  for (let i = 0; i < answer.pieces.length; i++) {
    events.push(`${head}{"index":0,"delta":{"content":${JSON.stringify(answer.pieces[i])}}${lp},"finish_reason":null}${tail(i + 1)}`);
  }
  events.push(`${head}{"index":0,"delta":{}${lp},"finish_reason":"${finish}"}${tail(answer.pieces.length + 1)}`);
  if (includeUsage && usage) {
    const obf = obfuscate ? `,"obfuscation":"${OBFUSCATION.slice(0, 5)}"` : '';
    events.push(`${head}],"usage":${JSON.stringify(usage)}${obf}}\n\n`);
  }
  events.push('data: [DONE]\n\n');
  return { kind: 'sse', events };
}

function embeddings(p: Personality, call: Call, body: Record<string, unknown>, model: string): Reply {
  const input = body.input;
  const inputs: unknown[] = Array.isArray(input) && typeof input[0] !== 'number' ? input : [input];
  if (input === undefined || inputs.length === 0) return p.badRequest("Missing required parameter: 'input'.", 'input');
  const dims = intOrUndefined(body.dimensions) ?? call.embeddingDims(model);
  const base64 = body.encoding_format === 'base64';
  let promptTokens = 0;
  const data = inputs.map((item, index) => {
    // Token-id arrays count one token per id; strings through the shared estimator.
    const text = typeof item === 'string' ? item : JSON.stringify(item);
    const meter = new PromptMeter();
    if (Array.isArray(item)) meter.overhead(item.length);
    else meter.add(text);
    promptTokens += meter.tokens;
    const vector = embedVector(text, dims);
    return { object: 'embedding', index, embedding: base64 ? vectorToBase64(vector) : Array.from(vector) };
  });
  const json: Record<string, unknown> = { object: 'list', data, model: p.responseModel(model) };
  if (!call.plan.noUsage) json.usage = { prompt_tokens: promptTokens, total_tokens: promptTokens };
  return { kind: 'json', status: 200, body: json };
}

function models(p: Personality, call: Call): Reply | undefined {
  if (call.method !== 'GET') return undefined;
  if (call.route === 'models') return { kind: 'json', status: 200, body: { object: 'list', data: p.models.map((m) => p.modelObject(m)) } };
  if (!call.route.startsWith('models/')) return undefined;
  const id = call.model ?? '';
  const found = p.models.find((m) => m.id === id);
  return found
    ? { kind: 'json', status: 200, body: p.modelObject(found) }
    : errorReply(p.provider, 404, { model: id, method: call.method, path: call.route });
}

/** Serves one call on the OpenAI-shaped surface of personality `p`. */
export function handleOpenAiFamily(p: Personality, call: Call): Reply {
  const listed = models(p, call);
  if (listed) return listed;
  const extra = p.extraRoute?.(call);
  if (extra) return extra;
  if (call.method === 'POST') {
    const body = call.body ?? {};
    const model = typeof body.model === 'string' ? body.model : undefined;
    const known = call.route === 'chat/completions' || call.route === 'responses' || call.route === 'embeddings';
    if (known && !model) return p.badRequest('you must provide a model parameter', 'model');
    if (call.route === 'chat/completions') return chat(p, call, body, model!);
    if (call.route === 'responses') return responses(p, call, body, model!);
    if (call.route === 'embeddings') return embeddings(p, call, body, model!);
  }
  if (p.provider === 'xai') return errorReply('xai', 404, { method: call.method, path: call.route, model: call.model });
  return openaiUnknownRoute({ method: call.method, path: `/v1/${call.route}` });
}

// ---- The OpenAI personality -------------------------------------------------------------

/** Aliases the real API resolves to dated snapshots in `model` (a gateway must price either). */
const SNAPSHOTS: Record<string, string> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  o3: 'o3-2025-04-16',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
};

const OPENAI_MODELS: ModelInfo[] = [
  { id: 'gpt-4o', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4o-mini', created: 1721172741, owned_by: 'system' },
  { id: 'gpt-4.1', created: 1744316542, owned_by: 'system' },
  { id: 'gpt-4.1-mini', created: 1744318173, owned_by: 'system' },
  { id: 'o3', created: 1744225308, owned_by: 'system' },
  { id: 'o4-mini', created: 1744225351, owned_by: 'system' },
  { id: 'gpt-5', created: 1754425777, owned_by: 'system' },
  { id: 'gpt-5-mini', created: 1754425928, owned_by: 'system' },
  { id: 'text-embedding-3-small', created: 1705948997, owned_by: 'system' },
  { id: 'text-embedding-3-large', created: 1705953180, owned_by: 'system' },
  { id: 'ft:gpt-4o-mini-2024-07-18:acme::AbC123', created: 1730000000, owned_by: 'org-abc123' },
];

export const openaiPersonality: Personality = {
  provider: 'openai',
  responseModel: (model) => SNAPSHOTS[model] ?? model,
  isReasoning: (model) => /^(o\d|gpt-5)/.test(model),
  // prompt INCLUDES cached; completion INCLUDES reasoning; total = prompt + completion.
  chatUsage: (_model, c) => ({
    prompt_tokens: c.prompt,
    completion_tokens: c.text + c.reasoning,
    total_tokens: c.prompt + c.text + c.reasoning,
    prompt_tokens_details: { cached_tokens: c.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: c.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  }),
  responsesUsage: (_model, c) => ({
    input_tokens: c.prompt,
    input_tokens_details: { cached_tokens: c.cached, cache_write_tokens: 0 },
    output_tokens: c.text + c.reasoning,
    output_tokens_details: { reasoning_tokens: c.reasoning },
    total_tokens: c.prompt + c.text + c.reasoning,
  }),
  chatExtras: { service_tier: 'default', system_fingerprint: 'fp_44709d6fcb' },
  obfuscation: true,
  openaiChoiceFields: true,
  reasoningContent: false,
  models: OPENAI_MODELS,
  modelObject: (m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.owned_by, shutdown_date: null }),
  badRequest: (message, param) => ({
    kind: 'json',
    status: 400,
    body: { error: { message, type: 'invalid_request_error', param: param ?? null, code: param ? 'missing_required_parameter' : null } },
  }),
};
