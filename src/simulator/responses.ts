import { servedTier, type Counts, type Personality } from './openai.js';
import { cachedTokensFor, intOrUndefined, makeAnswer, newId, nowSeconds, PromptMeter, reasoningFor } from './text.js';
import type { Call, Reply } from './types.js';

/**
 * POST /responses (OpenAI and xAI): JSON, or SSE with `event:` + `data:` lines and
 * `sequence_number`, ending with `response.completed` (or `response.incomplete` when the
 * output cap cut the answer) which alone carries usage. No `[DONE]` on this API.
 */

/** Counts a chat/responses content value: a string or an array of typed parts. */
export function meterContent(meter: PromptMeter, content: unknown): string {
  if (typeof content === 'string') {
    meter.add(content);
    return content;
  }
  let text = '';
  if (Array.isArray(content)) {
    for (const part of content as Record<string, unknown>[]) {
      if (typeof part?.text === 'string') {
        meter.add(part.text);
        text += part.text;
      } else if (part?.type === 'image_url' || part?.type === 'input_image') {
        meter.overhead(85); // a low-detail image tile, OpenAI's base image charge
      }
    }
  }
  return text;
}

function meterInput(body: Record<string, unknown>): PromptMeter {
  const meter = new PromptMeter();
  if (typeof body.instructions === 'string') {
    meter.overhead(4);
    meter.add(body.instructions);
  }
  const input = body.input;
  if (typeof input === 'string') {
    meter.overhead(4);
    meter.lastUserText = meterContent(meter, input);
  } else if (Array.isArray(input)) {
    for (const raw of input) {
      const item = (raw ?? {}) as Record<string, unknown>;
      meter.overhead(4);
      const text = meterContent(meter, item.content ?? item.output ?? item.arguments);
      if (item.role === 'user') meter.lastUserText = text;
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) meter.add(JSON.stringify(body.tools));
  meter.overhead(3);
  return meter;
}

function sse(type: string, payload: string): string {
  return `event: ${type}\ndata: {"type":"${type}",${payload}}\n\n`;
}

export function responses(p: Personality, call: Call, body: Record<string, unknown>, model: string): Reply {
  const meter = meterInput(body);
  const seed = meter.seedFor(model);
  const reasoning = (body.reasoning ?? {}) as Record<string, unknown>;
  const answer = makeAnswer({
    lastUserText: meter.lastUserText,
    seed,
    reasoningTokens: p.isReasoning(model) ? reasoningFor(seed, reasoning.effort) : 0,
    maxTokens: intOrUndefined(body.max_output_tokens),
    outputTokens: call.plan.outputTokens,
  });
  const counts: Counts = {
    prompt: meter.tokens,
    cached: cachedTokensFor(meter.tokens, call.plan.cachedTokens),
    text: answer.pieces.length,
    reasoning: answer.reasoningTokens,
  };
  const rmodel = p.responseModel(model);
  const id = newId('resp_');
  const msgId = newId('msg_');
  const createdAt = nowSeconds();
  const done = answer.truncated ? 'incomplete' : 'completed';
  const usage = call.plan.noUsage ? undefined : p.responsesUsage(rmodel, counts);
  const reasoningItem = counts.reasoning > 0 ? { type: 'reasoning', id: newId('rs_'), summary: [] } : undefined;
  const content = { type: 'output_text', text: answer.text, annotations: [] };
  const message = { type: 'message', id: msgId, status: done, role: 'assistant', content: [content] };
  const output = reasoningItem ? [reasoningItem, message] : [message];

  const envelope = (status: string, items: unknown[], withUsage: boolean): Record<string, unknown> => {
    const r: Record<string, unknown> = {
      id,
      object: 'response',
      created_at: createdAt,
      status,
      completed_at: status === 'in_progress' ? null : nowSeconds(),
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: rmodel,
      output: items,
      parallel_tool_calls: true,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: { effort: reasoningItem ? (reasoning.effort ?? 'medium') : null, summary: null },
      service_tier: servedTier(body.service_tier),
      store: body.store ?? true,
      temperature: body.temperature ?? 1.0,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: body.tools ?? [],
      top_p: body.top_p ?? 1.0,
      truncation: 'disabled',
    };
    // In-progress snapshots say "usage": null; the final one has the block (sim-no-usage: none).
    if (!withUsage) r.usage = null;
    else if (usage) r.usage = usage;
    r.user = null;
    r.metadata = body.metadata ?? {};
    return r;
  };

  if (body.stream !== true) {
    return { kind: 'json', status: 200, body: envelope(done, output, true), genChunks: answer.pieces.length + 2 };
  }

  const events: string[] = [];
  let seq = 0;
  const push = (type: string, payload: string): void => {
    events.push(sse(type, `${payload},"sequence_number":${seq++}`));
  };
  push('response.created', `"response":${JSON.stringify(envelope('in_progress', [], false))}`);
  push('response.in_progress', `"response":${JSON.stringify(envelope('in_progress', [], false))}`);
  let index = 0;
  if (reasoningItem) {
    push('response.output_item.added', `"output_index":0,"item":${JSON.stringify(reasoningItem)}`);
    push('response.output_item.done', `"output_index":0,"item":${JSON.stringify(reasoningItem)}`);
    index = 1;
  }
  const at = `"item_id":"${msgId}","output_index":${index},"content_index":0`;
  const pending = { type: 'message', id: msgId, status: 'in_progress', role: 'assistant', content: [] };
  push('response.output_item.added', `"output_index":${index},"item":${JSON.stringify(pending)}`);
  push('response.content_part.added', `${at},"part":{"type":"output_text","text":"","annotations":[]}`);
  for (const piece of answer.pieces) push('response.output_text.delta', `${at},"delta":${JSON.stringify(piece)},"logprobs":[]`);
  push('response.output_text.done', `${at},"text":${JSON.stringify(answer.text)},"logprobs":[]`);
  push('response.content_part.done', `${at},"part":${JSON.stringify(content)}`);
  push('response.output_item.done', `"output_index":${index},"item":${JSON.stringify(message)}`);
  push(`response.${done}`, `"response":${JSON.stringify(envelope(done, output, true))}`);
  return { kind: 'sse', events };
}
