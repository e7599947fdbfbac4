// Service tiers end to end: an OpenAI request naming `service_tier` is priced at that tier's
// rates in the x-tollgate-cost-usd header and in its ledger row. OpenAI answers with the tier
// that actually ran, and the simulator does the same (the tier asked for). A second gateway
// reaches the simulator through a relay that answers "default" whatever was asked, as OpenAI
// does when it served a request at standard: the gateway prices the tier the provider reports.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdToAtto } from '../../src/core/money.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let sim: Simulator;
let relay: Server;
let t: TestGateway;
let downgraded: TestGateway;

/** Forwards to the simulator and rewrites the answer's service_tier to "default". */
async function startDowngradingRelay(upstream: string): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && !['host', 'content-length', 'connection', 'accept-encoding'].includes(name)) headers[name] = value;
        }
        const answer = await fetch(`${upstream}${req.url ?? ''}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
        const text = (await answer.text()).replace(/"service_tier":"[a-z]+"/g, '"service_tier":"default"');
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
      })().catch((error: unknown) => res.writeHead(502).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  relay = await startDowngradingRelay(sim.url);
  const { port } = relay.address() as { port: number };
  t = await startTestGateway({ simulator: sim });
  downgraded = await startTestGateway({ shareWith: t, env: { TOLLGATE_OPENAI_BASE_URL: `http://127.0.0.1:${port}/openai/v1` } });
});
afterAll(async () => {
  await downgraded?.close();
  await t?.close();
  await new Promise((resolve) => relay?.close(resolve));
  await sim?.close();
});

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

/** gpt-5's list prices per tier, micro-USD per 1M tokens (= atto-USD per token ÷ 1e6). */
const GPT5 = {
  standard: { input: 1_250_000n, cached: 125_000n, output: 10_000_000n },
  flex: { input: 625_000n, cached: 62_500n, output: 5_000_000n },
  priority: { input: 2_500_000n, cached: 250_000n, output: 20_000_000n },
} as const;

/** Exact atto-USD of a usage at a tier (reasoning tokens are output tokens and bill at its rate). */
function atto(usage: Usage, tier: keyof typeof GPT5): bigint {
  const r = GPT5[tier];
  const cached = BigInt(usage.prompt_tokens_details?.cached_tokens ?? 0);
  const uncached = BigInt(usage.prompt_tokens) - cached;
  return (uncached * r.input + cached * r.cached + BigInt(usage.completion_tokens) * r.output) * 1_000_000n;
}

async function chat(body: Record<string, unknown>, via: TestGateway = t) {
  const response = await fetch(`${via.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'price me by my tier' }], ...body }),
  });
  expect(response.status).toBe(200);
  return { response, requestId: response.headers.get('x-request-id')! };
}

async function waitForRow(requestId: string) {
  const prisma = t.gateway.storage.prisma;
  for (let i = 0; i < 100; i++) {
    const row = await prisma.usageRecord.findUnique({ where: { requestId } });
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ledger row for ${requestId}`);
}

async function ledgerCost(requestId: string): Promise<bigint> {
  return usdToAtto((await waitForRow(requestId)).costTotalUsd.toFixed());
}

describe('service tiers through the gateway (gpt-5: flex and priority rates differ from standard)', () => {
  it.each(['flex', 'priority'] as const)('service_tier %s: header and ledger row at that tier\'s rates', async (tier) => {
    const { response, requestId } = await chat({ service_tier: tier });
    const body = (await response.json()) as { service_tier: string; usage: Usage };
    expect(body.service_tier).toBe(tier); // what OpenAI answers when the tier ran
    const cost = atto(body.usage, tier);
    expect(cost).not.toBe(atto(body.usage, 'standard'));
    expect(usdToAtto(response.headers.get('x-tollgate-cost-usd')!)).toBe(cost);
    expect(await ledgerCost(requestId)).toBe(cost);
  });

  it('no tier, or "default": standard rates', async () => {
    for (const extra of [{}, { service_tier: 'default' }]) {
      const { response, requestId } = await chat(extra);
      const body = (await response.json()) as { usage: Usage };
      expect(usdToAtto(response.headers.get('x-tollgate-cost-usd')!)).toBe(atto(body.usage, 'standard'));
      expect(await ledgerCost(requestId)).toBe(atto(body.usage, 'standard'));
    }
  });

  it('asked for priority, served at default: priced at the standard rates the provider reports (header and ledger)', async () => {
    for (const stream of [false, true]) {
      const { response, requestId } = await chat({ service_tier: 'priority', ...(stream ? { stream: true } : {}) }, downgraded);
      const text = await response.text();
      expect(text).toContain('"service_tier":"default"');
      const recorded = (await waitForRow(requestId))!;
      const usage: Usage = {
        prompt_tokens: recorded.inputTokens ?? 0,
        completion_tokens: recorded.outputTokens ?? 0,
        prompt_tokens_details: { cached_tokens: recorded.cachedInputTokens ?? 0 },
      };
      expect(await ledgerCost(requestId)).toBe(atto(usage, 'standard'));
      expect(atto(usage, 'standard')).not.toBe(atto(usage, 'priority'));
      if (!stream) expect(usdToAtto(response.headers.get('x-tollgate-cost-usd')!)).toBe(atto(usage, 'standard'));
    }
  });

  it('a streamed flex request is priced at flex rates in its ledger row', async () => {
    const { response, requestId } = await chat({ service_tier: 'flex', stream: true });
    const text = await response.text();
    expect(text).toContain('"service_tier":"flex"');
    const usageLine = text.split('\n').find((line) => line.startsWith('data: {') && line.includes('"usage":{'));
    // The gateway asked for the usage chunk on the client's behalf and removed it again.
    expect(usageLine).toBeUndefined();
    const cost = await ledgerCost(requestId);
    const recorded = (await t.gateway.storage.prisma.usageRecord.findUnique({ where: { requestId } }))!;
    const usage: Usage = {
      prompt_tokens: recorded.inputTokens ?? 0,
      completion_tokens: recorded.outputTokens ?? 0,
      prompt_tokens_details: { cached_tokens: recorded.cachedInputTokens ?? 0 },
    };
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(cost).toBe(atto(usage, 'flex'));
  });
});
