/**
 * Reserve + settle against a loopback Redis with 3 rules (key, team, organization), as the
 * gateway does per request. Target: p99 < 1 ms per call.
 *
 *   npx tsx bench/budgets-reserve-settle.ts
 *
 * REDIS_URL points elsewhere, ITERATIONS changes the count, AUTOPIPE=1 turns on ioredis
 * auto-pipelining. A bare PING baseline is printed first: on a shared machine it shows how
 * much of the latency is the machine rather than the scripts.
 *
 * Works under its own random key prefix and deletes its keys at the end.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBudgetStore } from '../src/budgets/redis-store.js';
import type { BudgetRule } from '../src/budgets/types.js';

const URL_ = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ITERATIONS = Number(process.env.ITERATIONS ?? 20_000);
const WARMUP = 2_000;
const prefix = `tgbench:${randomUUID().slice(0, 8)}:`;

const rule = (id: string, level: BudgetRule['level'], entityId: string, period: BudgetRule['period']): BudgetRule => ({
  id, level, entityId, period, timezone: 'America/New_York',
  limitNano: 9_000_000_000_000_000n, hard: true, thresholds: [50, 75, 90, 100],
});
const rules = [
  rule('b-key', 'key', 'key-1', 'daily'),
  rule('b-team', 'team', 'team-1', 'weekly'),
  rule('b-org', 'organization', 'org-1', 'monthly'),
];
const event = { provider: 'openai', model: 'gpt-4o-mini', endpoint: 'chat', inputTokens: '812', outputTokens: '96', costTotalUsd: '0.0001794' };

interface Samples { reserve: number[]; settle: number[]; pair: number[] }

async function once(store: RedisBudgetStore, into?: Samples): Promise<void> {
  const requestId = randomUUID();
  const now = new Date();
  const base = { shardKey: 'org-1', requestId, rules, counterEntityIds: {}, now };
  const t0 = process.hrtime.bigint();
  const r = await store.reserve({ ...base, amountNano: 250_000n, reservationTtlMs: 120_000 });
  const t1 = process.hrtime.bigint();
  if (!r.admitted) throw new Error('bench budget denied');
  await store.settle({ ...base, actualNano: 179_400n, event });
  const t2 = process.hrtime.bigint();
  if (into) {
    into.reserve.push(Number(t1 - t0) / 1000);
    into.settle.push(Number(t2 - t1) / 1000);
    into.pair.push(Number(t2 - t0) / 1000);
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function report(label: string, s: Samples, wallMs: number): void {
  console.log(`\n${label}: ${s.pair.length} requests in ${wallMs.toFixed(0)} ms (${Math.round((s.pair.length / wallMs) * 1000)} req/s)`);
  for (const [name, values] of Object.entries(s)) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(8)} p50 ${pct(sorted, 50).toFixed(0).padStart(5)} µs   p99 ${pct(sorted, 99).toFixed(0).padStart(5)} µs   max ${sorted.at(-1)!.toFixed(0).padStart(6)} µs`,
    );
  }
}

async function run(store: RedisBudgetStore, inFlight: number): Promise<void> {
  const samples: Samples = { reserve: [], settle: [], pair: [] };
  let left = ITERATIONS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await once(store, samples);
    }),
  );
  report(`${inFlight} in flight`, samples, performance.now() - started);
}

/** The floor on this machine right now: a bare PING round trip on its own connection. */
async function pingBaseline(): Promise<void> {
  const client = new Redis(URL_);
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS + WARMUP; i++) {
    const t0 = process.hrtime.bigint();
    await client.ping();
    if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  await client.quit();
  samples.sort((a, b) => a - b);
  console.log(`\nbaseline PING (1 in flight): p50 ${pct(samples, 50).toFixed(0)} µs   p99 ${pct(samples, 99).toFixed(0)} µs`);
}

async function cleanup(): Promise<void> {
  const admin = new Redis(URL_);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) deleted += await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
  console.log(`\ncleaned up ${deleted} keys under ${prefix}`);
}

const store = new RedisBudgetStore({ url: URL_, keyPrefix: prefix, redis: { enableAutoPipelining: process.env.AUTOPIPE === "1" } });
try {
  if (!(await store.ready())) throw new Error(`no Redis at ${URL_}`);
  console.log(`node ${process.version}, ${rules.length} rules per request, ${ITERATIONS} iterations after ${WARMUP} warm-up`);
  for (let i = 0; i < WARMUP; i++) await once(store);
  await pingBaseline();
  await run(store, 1);
  await run(store, 16);
} finally {
  await store.close();
  await cleanup();
}
