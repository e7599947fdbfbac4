/**
 * Micro-benchmark of the per-request pricing work on the hot path: one catalog lookup plus
 * one computeCost. Run: npx tsx bench/pricing-lookup.ts [iterations] [batch]
 * Timing is per batch (process.hrtime.bigint has ~tens of ns of overhead of its own), and
 * the median / p99 reported are of the per-request average inside each batch.
 */
import type { Usage } from '../src/core/usage.js';
import { PriceCatalog } from '../src/pricing/catalog.js';
import { computeCost } from '../src/pricing/cost.js';

const ITERATIONS = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 100);
const WARMUP = 50_000;

interface Scenario {
  name: string;
  provider: string;
  model: string;
  usage: Usage;
  serviceTier?: string;
}

const scenarios: Scenario[] = [
  { name: 'exact gpt-4o, cached', provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300 } },
  { name: 'dated o4-mini-2025-04-16, reasoning', provider: 'openai', model: 'o4-mini-2025-04-16', usage: { inputTokens: 2006, cachedInputTokens: 1920, outputTokens: 300, reasoningTokens: 192 } },
  { name: 'models/ gemini-2.5-pro above 200k, priority', provider: 'gemini', model: 'models/gemini-2.5-pro', usage: { inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 2000, reasoningTokens: 1000 }, serviceTier: 'priority' },
  { name: 'xai grok-4.3 with ticks', provider: 'xai', model: 'grok-4.3', usage: { inputTokens: 10120, cachedInputTokens: 128, outputTokens: 4308, reasoningTokens: 2809, providerCostAttoUsd: 23285600000000000n } },
  { name: 'unknown model → fallback', provider: 'openai', model: 'gpt-99-preview', usage: { inputTokens: 1000, outputTokens: 100 } },
];

const catalog = new PriceCatalog();
let sink = 0n;

function once(s: Scenario): void {
  const hit = catalog.lookup(s.provider, s.model);
  sink ^= computeCost(s.usage, hit.price, { serviceTier: s.serviceTier }).total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function run(s: Scenario): { median: number; p99: number; mean: number } {
  for (let i = 0; i < WARMUP; i++) once(s);
  const perRequestNs: number[] = [];
  const batches = Math.ceil(ITERATIONS / BATCH);
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) once(s);
    perRequestNs.push(Number(process.hrtime.bigint() - t0) / BATCH);
  }
  const totalNs = Number(process.hrtime.bigint() - start);
  perRequestNs.sort((a, b) => a - b);
  return { median: percentile(perRequestNs, 50), p99: percentile(perRequestNs, 99), mean: totalNs / (batches * BATCH) };
}

console.log(`node ${process.version}, ${ITERATIONS} iterations per scenario in batches of ${BATCH}, ${WARMUP} warm-up`);
for (const s of scenarios) {
  const r = run(s);
  const us = (ns: number): string => (ns / 1000).toFixed(3);
  console.log(`${s.name.padEnd(46)} median ${us(r.median)} µs  p99 ${us(r.p99)} µs  mean ${us(r.mean)} µs`);
}
if (sink === -1n) console.log('unreachable');
