// Issue 5 acceptance, per provider × (non-streamed, streamed), through the official SDKs: the
// ledger row's token counts and cost (total and by kind) equal values computed by hand from
// the simulator's deterministic usage and the built-in prices (src/providers/*/prices.ts), and
// the row names the price, the cost source, a plausible latency and the key's whole hierarchy.
//
// The simulator's usage, as used below (src/simulator/text.ts, openai.ts, gemini.ts):
// - every run of ASCII letters counts ceil(len/8) tokens, spaces nothing: "toll " × 2500 = 2500;
// - chat prompts add 3 (priming) + 4 per message; Gemini prompts add 1 per turn;
// - a prompt of 2048+ tokens reports floor(prompt / 256) × 128 of it as cached;
// - `x-sim-output-tokens: 20` makes the answer exactly 20 text tokens;
// - reasoning: none for gpt-4o-mini; none for grok-4 with reasoning_effort "none"; Gemini
//   thinks min(its default ≥ 32, thinkingBudget) = 10 tokens with thinkingBudget 10.
import OpenAI from 'openai';
import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createHierarchy, type Hierarchy } from '../support/admin.js';
import { ledgerRow, plainUsd } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const OUTPUT_TOKENS = 20;
const PROMPT_TEXT = 'toll '.repeat(2500);
const SIM_HEADERS = { 'x-sim-output-tokens': String(OUTPUT_TOKENS) };

let t: TestGateway;
let h: Hierarchy;
let keyId: string;
let openai: OpenAI;
let xai: OpenAI;
let gemini: GoogleGenAI;

beforeAll(async () => {
  t = await startTestGateway();
  h = await createHierarchy(t, 'ledger-providers');
  const key = await admin(t, 'POST', '/keys', { name: 'ledger-providers', organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  keyId = key.id;
  openai = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key.secret, maxRetries: 0, defaultHeaders: SIM_HEADERS });
  xai = new OpenAI({ baseURL: `${t.url}/xai/v1`, apiKey: key.secret, maxRetries: 0, defaultHeaders: SIM_HEADERS });
  gemini = new GoogleGenAI({ apiKey: key.secret, httpOptions: { baseUrl: `${t.url}/gemini`, headers: SIM_HEADERS } });
});
afterAll(async () => t?.close());

interface Expected {
  provider: string;
  endpoint: string;
  requestedModel: string;
  responseModel: string;
  tokens: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number };
  cost: { costInputUsd: string; costCachedUsd: string; costOutputUsd: string; costOtherUsd: string; costTotalUsd: string; computedCostUsd: string | null };
  priceId: string;
  costSource: 'computed' | 'provider';
}

// ---- OpenAI gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output.
// prompt = 3 + 4 + 2500 = 2507; cached = floor(2507/256) × 128 = 1152; uncached = 1355.
// input  1355 × 0.15 / 1e6 = 0.00020325
// cached 1152 × 0.075 / 1e6 = 0.0000864
// output   20 × 0.60 / 1e6 = 0.000012
// total = 0.00030165
const OPENAI: Expected = {
  provider: 'openai',
  endpoint: 'chat',
  requestedModel: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  tokens: { inputTokens: 2507, cachedInputTokens: 1152, outputTokens: 20, reasoningTokens: 0 },
  cost: { costInputUsd: '0.00020325', costCachedUsd: '0.0000864', costOutputUsd: '0.000012', costOtherUsd: '0', costTotalUsd: '0.00030165', computedCostUsd: null },
  priceId: 'builtin:openai:gpt-4o-mini:2026-07-24',
  costSource: 'computed',
};

// ---- xAI grok-4. Built-in: $3/M input, $15/M output, no cached rate (cached bills as input).
// The simulator bills grok-4 like grok-4-0709 in ticks (1 USD = 1e10 ticks): 30000 per input
// token, 7500 per cached token, 150000 per output token. The two differ on purpose: the row's
// total must be the provider's figure, its parts and computedCostUsd the built-in price's.
// prompt 2507, cached 1152, uncached 1355 (as above).
// computed: input 1355 × 3 / 1e6 = 0.004065; cached 1152 × 3 / 1e6 = 0.003456;
//           output 20 × 15 / 1e6 = 0.0003; sum 0.007821
// provider: 1355 × 30000 + 1152 × 7500 + 20 × 150000 = 52,290,000 ticks = 0.005229 USD
const XAI: Expected = {
  provider: 'xai',
  endpoint: 'chat',
  requestedModel: 'grok-4',
  responseModel: 'grok-4',
  tokens: { inputTokens: 2507, cachedInputTokens: 1152, outputTokens: 20, reasoningTokens: 0 },
  cost: { costInputUsd: '0.004065', costCachedUsd: '0.003456', costOutputUsd: '0.0003', costOtherUsd: '0', costTotalUsd: '0.005229', computedCostUsd: '0.007821' },
  priceId: 'builtin:xai:grok-4:2026-07-24',
  costSource: 'provider',
};

// ---- Gemini gemini-2.5-flash: $0.30/M input, $0.03/M cached, $2.50/M output and thinking.
// prompt = 1 + 2500 = 2501; cached = floor(2501/256) × 128 = 1152; uncached = 1349.
// output = 20 candidates + 10 thoughts = 30 (thoughts are output, billed at the thinking rate).
// input  1349 × 0.30 / 1e6 = 0.0004047
// cached 1152 × 0.03 / 1e6 = 0.00003456
// output (20 + 10) × 2.50 / 1e6 = 0.000075
// total = 0.00051426
const GEMINI: Expected = {
  provider: 'gemini',
  endpoint: 'generate',
  requestedModel: 'gemini-2.5-flash',
  responseModel: 'gemini-2.5-flash',
  tokens: { inputTokens: 2501, cachedInputTokens: 1152, outputTokens: 30, reasoningTokens: 10 },
  cost: { costInputUsd: '0.0004047', costCachedUsd: '0.00003456', costOutputUsd: '0.000075', costOtherUsd: '0', costTotalUsd: '0.00051426', computedCostUsd: null },
  priceId: 'builtin:gemini:gemini-2.5-flash:2026-07-24',
  costSource: 'computed',
};

const messages = [{ role: 'user' as const, content: PROMPT_TEXT }];
const geminiConfig = { thinkingConfig: { thinkingBudget: 10 } };

/** One call through the SDK; resolves with the gateway's request id once the answer is read whole. */
type Call = () => Promise<string>;

const CASES: Array<{ name: string; stream: boolean; expected: Expected; call: Call }> = [
  {
    name: 'OpenAI chat, non-streamed',
    stream: false,
    expected: OPENAI,
    call: async () => (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()).response.headers.get('x-request-id')!,
  },
  {
    name: 'OpenAI chat, streamed (client did not ask for usage)',
    stream: true,
    expected: OPENAI,
    call: async () => {
      const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).withResponse();
      for await (const chunk of data) expect(chunk.usage ?? null).toBeNull();
      return response.headers.get('x-request-id')!;
    },
  },
  {
    name: 'xAI chat, non-streamed',
    stream: false,
    expected: XAI,
    call: async () => (await xai.chat.completions.create({ model: 'grok-4', messages, reasoning_effort: 'none' }).withResponse()).response.headers.get('x-request-id')!,
  },
  {
    name: 'xAI chat, streamed (client did not ask for usage)',
    stream: true,
    expected: XAI,
    call: async () => {
      const { data, response } = await xai.chat.completions.create({ model: 'grok-4', messages, reasoning_effort: 'none', stream: true }).withResponse();
      for await (const chunk of data) expect(chunk.usage ?? null).toBeNull();
      return response.headers.get('x-request-id')!;
    },
  },
  {
    name: 'Gemini generateContent',
    stream: false,
    expected: GEMINI,
    call: async () => (await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT_TEXT, config: geminiConfig })).sdkHttpResponse!.headers!['x-request-id']!,
  },
  {
    name: 'Gemini streamGenerateContent',
    stream: true,
    expected: GEMINI,
    call: async () => {
      let requestId = '';
      for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: PROMPT_TEXT, config: geminiConfig })) {
        requestId ||= chunk.sdkHttpResponse?.headers?.['x-request-id'] ?? '';
      }
      return requestId;
    },
  },
];

describe('the ledger row of each provider, streamed and not, equals the hand-computed one', () => {
  it.each(CASES)('$name', async ({ stream, expected, call }) => {
    const started = performance.now();
    const requestId = await call();
    const elapsedMs = performance.now() - started;
    expect(requestId).toBeTruthy();
    const row = await ledgerRow(t, requestId);

    expect(row).toMatchObject({
      requestId,
      provider: expected.provider,
      endpoint: expected.endpoint,
      stream,
      status: 200,
      errorCode: null,
      requestedModel: expected.requestedModel,
      responseModel: expected.responseModel,
      ...expected.tokens,
    });
    // Money columns come back as exact decimal strings; compare them without trailing zeros.
    const money = Object.fromEntries(Object.keys(expected.cost).map((k) => [k, row[k] === null ? null : plainUsd(row[k])]));
    expect(money).toEqual(expected.cost);
    expect(row).toMatchObject({ priceId: expected.priceId, priceSource: 'builtin', costSource: expected.costSource });

    // The key's whole hierarchy, as the admin API created it.
    expect(row).toMatchObject({ apiKeyId: keyId, userId: h.userId, teamId: h.teamId, projectId: h.projectId, organizationId: h.organizationId });

    // Latency is measured inside the call the test timed, so it cannot exceed what the test saw.
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    expect(row.latencyMs).toBeLessThanOrEqual(Math.ceil(elapsedMs));
    if (stream) {
      expect(row.ttftMs).toBeGreaterThanOrEqual(0);
      expect(row.ttftMs).toBeLessThanOrEqual(row.latencyMs);
    } else {
      expect(row.ttftMs).toBeNull();
    }
  });
});
