/**
 * One contract case per provider adapter: a billable call as its SDK makes it, a recorded
 * response and stream in its wire format, and the token counts they carry. The contract suite
 * (adapter-contract.test.ts) runs the same checks over every case, so a new adapter proves
 * itself by adding a case here. The example provider (docs/providers.md) is one of them.
 */
import { geminiAdapter } from '../../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../../src/providers/openai/index.js';
import type { ProviderAdapter } from '../../../src/providers/types.js';
import { xaiAdapter } from '../../../src/providers/xai/index.js';
import { acmeAdapter } from '../example-provider/acme/index.js';
import { wireBytes, wireJson } from '../helpers.js';

export interface ContractCase {
  adapter: ProviderAdapter;
  /** Where the provider's SDK puts the caller's key; the gateway reads its Tollgate key there. */
  clientKey(secret: string): { headers: Record<string, string>; query: URLSearchParams };
  /** A billable call below the version root, and a request body naming a model it has a built-in price for. */
  call: { method: string; path: string; streamPath: string; body: Record<string, unknown>; model: string };
  /** A recorded JSON answer and SSE stream, and the input/output tokens each reports. */
  json: { body: unknown; inputTokens: number; outputTokens: number };
  stream: { bytes: Buffer; inputTokens: number; outputTokens: number };
}

const bearer = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` }, query: new URLSearchParams() });

const openAiCall = (model: string) => ({
  method: 'POST',
  path: '/chat/completions',
  streamPath: '/chat/completions',
  body: { model, messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 16 },
  model,
});

/** The OpenAI wire samples, shared by every OpenAI-compatible adapter. */
const openAiJson = { body: wireJson('openai_chat.json'), inputTokens: 2006, outputTokens: 300 };
const openAiStream = { bytes: wireBytes('openai_chat_stream.sse'), inputTokens: 19, outputTokens: 10 };

export const CONTRACT_CASES: readonly ContractCase[] = [
  { adapter: openaiAdapter, clientKey: bearer, call: openAiCall('gpt-4o-mini'), json: openAiJson, stream: openAiStream },
  {
    adapter: geminiAdapter,
    clientKey: (secret) => ({ headers: {}, query: new URLSearchParams({ key: secret, alt: 'sse' }) }),
    call: {
      method: 'POST',
      path: '/models/gemini-2.5-flash:generateContent',
      streamPath: '/models/gemini-2.5-flash:streamGenerateContent',
      body: { contents: [{ role: 'user', parts: [{ text: 'Say hi' }] }] },
      model: 'gemini-2.5-flash',
    },
    json: { body: wireJson('gemini_generate.json'), inputTokens: 5, outputTokens: 279 },
    stream: { bytes: wireBytes('gemini_stream.sse'), inputTokens: 7, outputTokens: 198 },
  },
  {
    adapter: xaiAdapter,
    clientKey: bearer,
    call: openAiCall('grok-4.3'),
    json: { body: wireJson('xai_chat.json'), inputTokens: 10120, outputTokens: 4308 },
    stream: openAiStream,
  },
  { adapter: acmeAdapter, clientKey: bearer, call: openAiCall('acme-chat-1'), json: openAiJson, stream: openAiStream },
];
