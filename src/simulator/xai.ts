import { xaiBody } from './errors.js';
import type { Counts, ModelInfo, Personality } from './openai.js';
import type { Call, Reply } from './types.js';

/**
 * The xAI personality: OpenAI-compatible routes, but
 * - chat usage has ADDITIVE reasoning: total = prompt + completion + reasoning (xai_chat.json);
 *   the Responses API keeps reasoning inside output_tokens (xai_responses_usage.json);
 * - every usage block carries `cost_in_usd_ticks` (1 USD = 1e10 ticks), computed from the
 *   same prices /language-models publishes, so a gateway can cross-check exactly;
 * - errors are {code, error}; GET /language-models lists prices.
 */

interface XaiModel extends ModelInfo {
  /** Prices in ticks per token (= USD cents per 100M tokens, the /language-models unit). */
  input: number;
  cached: number;
  output: number;
  reasoning: boolean;
  aliases: string[];
}

// Prices from LiteLLM's catalog (shared/reference/pricing) converted to ticks per token;
// grok-4.3 reproduces xai_chat.json's 232856000 ticks exactly.
const XAI_MODELS: XaiModel[] = [
  { id: 'grok-4.3', created: 1775001600, owned_by: 'xai', input: 12500, cached: 2000, output: 25000, reasoning: true, aliases: ['grok-4.3-latest'] },
  { id: 'grok-4-1-fast-reasoning', created: 1763683200, owned_by: 'xai', input: 2000, cached: 500, output: 5000, reasoning: true, aliases: ['grok-4-1-fast'] },
  { id: 'grok-4-1-fast-non-reasoning', created: 1763683200, owned_by: 'xai', input: 2000, cached: 500, output: 5000, reasoning: false, aliases: [] },
  { id: 'grok-4-0709', created: 1752019200, owned_by: 'xai', input: 30000, cached: 7500, output: 150000, reasoning: true, aliases: ['grok-4', 'grok-4-latest'] },
  { id: 'grok-code-fast-1', created: 1755993600, owned_by: 'xai', input: 2000, cached: 200, output: 15000, reasoning: true, aliases: [] },
  { id: 'grok-3', created: 1743724800, owned_by: 'xai', input: 30000, cached: 7500, output: 150000, reasoning: false, aliases: ['grok-3-latest', 'grok-3-beta'] },
  { id: 'grok-3-mini', created: 1743724800, owned_by: 'xai', input: 3000, cached: 750, output: 5000, reasoning: true, aliases: ['grok-3-mini-latest'] },
];

const DEFAULT_MODEL = XAI_MODELS[0]!;

/** Finds a model by id or alias; unknown (and magic sim-*) models price like grok-4.3. */
export function xaiModel(model: string): XaiModel {
  for (const m of XAI_MODELS) if (m.id === model || m.aliases.includes(model)) return m;
  return DEFAULT_MODEL;
}

/** Ticks billed: uncached prompt at input, cached at the cached rate, all output (text + reasoning) at output. */
export function xaiCostTicks(model: string, c: Counts): number {
  const m = xaiModel(model);
  return (c.prompt - c.cached) * m.input + c.cached * m.cached + (c.text + c.reasoning) * m.output;
}

function languageModel(m: XaiModel): Record<string, unknown> {
  return {
    id: m.id,
    fingerprint: 'fp_9ad1c5a5b4',
    created: m.created,
    object: 'model',
    owned_by: 'xai',
    version: '1.0.0',
    input_modalities: ['text'],
    output_modalities: ['text'],
    prompt_text_token_price: m.input,
    cached_prompt_text_token_price: m.cached,
    prompt_image_token_price: 0,
    completion_text_token_price: m.output,
    search_price: 0,
    aliases: m.aliases,
  };
}

function extraRoute(call: Call): Reply | undefined {
  if (call.method !== 'GET') return undefined;
  if (call.route === 'language-models') return { kind: 'json', status: 200, body: { models: XAI_MODELS.map(languageModel) } };
  if (call.route.startsWith('language-models/')) {
    const id = decodeURIComponent(call.route.slice('language-models/'.length));
    const m = XAI_MODELS.find((x) => x.id === id || x.aliases.includes(id));
    return m ? { kind: 'json', status: 200, body: languageModel(m) } : xaiBody(404, `The model ${id} does not exist or your team does not have access to it.`);
  }
  return undefined;
}

export const xaiPersonality: Personality = {
  provider: 'xai',
  responseModel: (model) => model,
  isReasoning: (model) => xaiModel(model).reasoning,
  chatUsage: (model, c) => ({
    prompt_tokens: c.prompt,
    completion_tokens: c.text,
    total_tokens: c.prompt + c.text + c.reasoning,
    prompt_tokens_details: { text_tokens: c.prompt, audio_tokens: 0, image_tokens: 0, cached_tokens: c.cached },
    completion_tokens_details: { reasoning_tokens: c.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    num_sources_used: 0,
    cost_in_usd_ticks: xaiCostTicks(model, c),
  }),
  responsesUsage: (model, c) => ({
    input_tokens: c.prompt,
    input_tokens_details: { cached_tokens: c.cached },
    output_tokens: c.text + c.reasoning,
    output_tokens_details: { reasoning_tokens: c.reasoning },
    total_tokens: c.prompt + c.text + c.reasoning,
    num_sources_used: 0,
    num_server_side_tools_used: 0,
    cost_in_usd_ticks: xaiCostTicks(model, c),
    server_side_tool_usage_details: {
      web_search_calls: 0,
      x_search_calls: 0,
      code_interpreter_calls: 0,
      file_search_calls: 0,
      mcp_calls: 0,
      document_search_calls: 0,
      image_generation_calls: 0,
    },
  }),
  chatExtras: { system_fingerprint: 'fp_3a7881249c' },
  obfuscation: false,
  openaiChoiceFields: false,
  reasoningContent: true,
  models: XAI_MODELS,
  modelObject: (m) => ({ id: m.id, created: m.created, object: 'model', owned_by: m.owned_by }),
  badRequest: (message) => xaiBody(400, message),
  extraRoute,
};
