import { openaiPersonality, type Personality } from './openai.js';
import { countTokens, newId, nowSeconds } from './text.js';
import type { Call, Reply } from './types.js';
import { xaiPersonality } from './xai.js';

/**
 * A deterministic stand-in for a model doing structured price extraction, so the AI-assisted
 * discovery of `tollgate pricing sync` can be tested end to end (CLI → gateway → here → back).
 * A chat completion whose `response_format.json_schema.name` is `price_extraction` is answered
 * with the prices read from the page text in its messages: every line shaped like a row of
 * the simulator's pricing pages ("gpt-4o $2.5 $1.25 $10", "-" for no cached price) becomes
 * one entry, figures copied as text. A prompt containing `sim-extraction-garbage` is answered
 * with prose instead of JSON, the way a model that ignored the schema would.
 */

const PERSONALITIES: Readonly<Record<string, Personality>> = { openai: openaiPersonality, xai: xaiPersonality };

const NUMBER = String.raw`\$?(\d+(?:\.\d+)?)`;
const ROW = new RegExp(String.raw`^\s*([A-Za-z0-9][\w.:-]*)\s+${NUMBER}\s+(?:${NUMBER}|-)\s+${NUMBER}\s*$`, 'gm');

interface Extracted {
  model: string;
  input_per_1m: string;
  cached_input_per_1m: string | null;
  output_per_1m: string;
}

function messageText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  return messages
    .map((m) => {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) return content.map((part) => String((part as { text?: unknown } | null)?.text ?? '')).join('\n');
      return '';
    })
    .join('\n');
}

export function extract(text: string): Extracted[] {
  const out: Extracted[] = [];
  for (const match of text.matchAll(ROW)) {
    const [, model, input, cached, output] = match;
    out.push({ model: model!, input_per_1m: input!, cached_input_per_1m: cached ?? null, output_per_1m: output! });
  }
  return out;
}

/** The reply to a `price_extraction` request, or undefined for any other request. */
export function extractionReply(call: Call): Reply | undefined {
  if (call.method !== 'POST' || call.route !== 'chat/completions' || !call.body) return undefined;
  const format = call.body.response_format as { json_schema?: { name?: unknown } } | undefined;
  if (format?.json_schema?.name !== 'price_extraction') return undefined;
  const personality = PERSONALITIES[call.provider];
  if (!personality) return undefined;
  const text = messageText(call.body);
  const content = text.includes('sim-extraction-garbage')
    ? 'Sure! The page lists several models; the flagship costs a couple of dollars per million tokens.'
    : JSON.stringify({ prices: extract(text) });
  const model = typeof call.body.model === 'string' ? call.body.model : 'unknown';
  const prompt = countTokens(text) + 8;
  const usage = personality.chatUsage(model, { prompt, cached: 0, text: countTokens(content), reasoning: 0 });
  return {
    kind: 'json',
    status: 200,
    body: {
      id: newId('chatcmpl-'),
      object: 'chat.completion',
      created: nowSeconds(),
      model: personality.responseModel(model),
      ...personality.chatExtras,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' }],
      usage,
    },
  };
}
