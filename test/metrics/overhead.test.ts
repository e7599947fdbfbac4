// The gateway-overhead histogram measures the gateway's own time only: with a provider that
// takes seconds per call, the overhead stays a small fraction of the upstream time, while the
// end-to-end duration covers both. Were the upstream exchange counted as overhead, the overhead
// sum would be at least the upstream sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sampleValue, scrape } from './scrape.js';

// Long enough that a tenth of the upstream time (the bound below) leaves the gateway ~180 ms a
// call on average, which a loaded machine's concurrent calls stay under; the calls run side by
// side, so the test still takes about 2 s.
const FIRST_BYTE_DELAY_MS = 2_000;
const CHUNK_DELAY_MS = 50; // the simulator's story is 31 events: about 1.5 s per stream
const PLAIN_CALLS = 5;
const STREAMED_CALLS = 3;
const OPENAI_CHAT = { gen_ai_system: 'openai', gen_ai_operation_name: 'chat' };

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

async function call(stream: boolean, simHeaders: Record<string, string>): Promise<void> {
  const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json', ...simHeaders },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream, max_tokens: 50, messages: [{ role: 'user', content: 'Tell me a story' }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

/** Sums and counts of the three timing histograms for OpenAI chat. */
function timings(text: string) {
  const read = (name: string) => sampleValue(text, name, OPENAI_CHAT) ?? 0;
  return {
    overheadSum: read('tollgate_gateway_overhead_seconds_sum'),
    overheadCount: read('tollgate_gateway_overhead_seconds_count'),
    upstreamSum: read('tollgate_upstream_duration_seconds_sum'),
    upstreamCount: read('tollgate_upstream_duration_seconds_count'),
    operationSum: read('gen_ai_client_operation_duration_seconds_sum'),
  };
}

describe('gateway overhead excludes the upstream time', () => {
  it(`slow upstream (${FIRST_BYTE_DELAY_MS} ms to first byte, slow streams): overhead sum < 1/10 of upstream sum; end-to-end covers both`, async () => {
    // A first call off the record: one-time work (key lookup, encoder load) is not what this measures.
    await call(false, {});
    const before = timings(await scrape(t.url));

    await Promise.all([
      ...Array.from({ length: PLAIN_CALLS }, () => call(false, { 'x-sim-first-byte-delay-ms': String(FIRST_BYTE_DELAY_MS) })),
      ...Array.from({ length: STREAMED_CALLS }, () => call(true, { 'x-sim-chunk-delay-ms': String(CHUNK_DELAY_MS) })),
    ]);
    // Timings are observed just after each response ends: give the last one a moment.
    const after = await eventually(
      async () => {
        const now = timings(await scrape(t.url));
        return now.overheadCount - before.overheadCount >= PLAIN_CALLS + STREAMED_CALLS ? now : undefined;
      },
      'every call timed',
      10_000,
    ).catch(async () => timings(await scrape(t.url)));

    const calls = PLAIN_CALLS + STREAMED_CALLS;
    expect(after.overheadCount - before.overheadCount).toBe(calls);
    expect(after.upstreamCount - before.upstreamCount).toBe(calls);
    const overhead = after.overheadSum - before.overheadSum;
    const upstream = after.upstreamSum - before.upstreamSum;
    const operation = after.operationSum - before.operationSum;
    // The provider's time really was long...
    expect(upstream).toBeGreaterThanOrEqual((PLAIN_CALLS * FIRST_BYTE_DELAY_MS) / 1000);
    // ...and none of it is counted as the gateway's.
    expect(overhead).toBeGreaterThan(0);
    expect(overhead).toBeLessThan(upstream / 10);
    // End to end, a call is its upstream time plus (about) the gateway's.
    expect(operation).toBeGreaterThanOrEqual(upstream);
    expect(operation).toBeLessThan(upstream + overhead + 0.1 * calls);
  });
});
