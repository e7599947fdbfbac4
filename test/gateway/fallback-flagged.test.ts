// An unknown model is never priced silently: the fallback price is flagged in the ledger row,
// logged once per model (not once per request), counted in the metrics, and dearer than the
// provider's dearest known model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { chat, ledgerRow } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { sampleValue, scrape } from '../metrics/scrape.js';

const lines: Array<Record<string, unknown>> = [];
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ logger: createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line)) }) });
});
afterAll(async () => t?.close());

describe('the fallback price is flagged', () => {
  it('logged once per model, counted per request, flagged in the row', async () => {
    const first = await chat(t, t.key, {}, { model: 'gpt-unreleased-2027' });
    const second = await chat(t, t.key, {}, { model: 'gpt-unreleased-2027' });
    const other = await chat(t, t.key, {}, { model: 'gpt-other-unknown' });
    for (const answer of [first, second, other]) expect(answer.status).toBe(200);

    const row = await ledgerRow(t, first.requestId);
    expect(row).toMatchObject({ priceSource: 'fallback', requestedModel: 'gpt-unreleased-2027' });
    expect(Number(row.costTotalUsd)).toBeGreaterThan(0);

    const warnings = lines.filter((l) => l.msg === 'no price known for this model: priced by the fallback price');
    expect(warnings.map((w) => [w.provider, w.model])).toEqual([
      ['openai', 'gpt-unreleased-2027'],
      ['openai', 'gpt-other-unknown'],
    ]);
    expect(sampleValue(await scrape(t.url), 'tollgate_fallback_priced_requests_total', { gen_ai_system: 'openai' })).toBe(3);
  });
});
