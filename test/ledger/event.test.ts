import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attoToUsd } from '../../src/core/money.js';
import {
  COST_SOURCES,
  OTHER_TOKEN_KINDS,
  decodeUsageEvent,
  encodeUsageEvent,
  tokenColumns,
  type UsageEvent,
} from '../../src/ledger/event.js';
import { makeEvent } from '../support/usage-events.js';

const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\u0000'));
const count = fc.integer({ min: 0, max: 2_147_483_647 });
// Any atto amount below $1M, rendered as the gateway renders it.
const usd = fc.bigInt({ min: 0n, max: 10n ** 24n - 1n }).map(attoToUsd);
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const otherTokens = fc.dictionary(fc.constantFrom(...OTHER_TOKEN_KINDS), fc.integer({ min: 0, max: 1e8 }));

const eventArb: fc.Arbitrary<UsageEvent> = fc.record({
  requestId: text,
  createdAt: fc.date({ min: new Date(0), max: new Date('2200-01-01'), noInvalidDate: true }),
  apiKeyId: opt(text),
  userId: opt(text),
  teamId: opt(text),
  projectId: opt(text),
  organizationId: opt(text),
  provider: text,
  requestedModel: opt(text),
  responseModel: opt(text),
  endpoint: text,
  stream: fc.boolean(),
  status: fc.integer({ min: 0, max: 599 }),
  inputTokens: opt(count),
  cachedInputTokens: opt(count),
  cacheWriteTokens: opt(count),
  outputTokens: opt(count),
  reasoningTokens: opt(count),
  otherTokens: opt(otherTokens),
  costInputUsd: usd,
  costOutputUsd: usd,
  costCachedUsd: usd,
  costOtherUsd: usd,
  costTotalUsd: usd,
  computedCostUsd: opt(usd),
  priceId: opt(text),
  priceSource: text,
  costSource: fc.constantFrom(...COST_SOURCES),
  latencyMs: count,
  ttftMs: opt(count),
  errorCode: opt(text),
});

/** The event without its undefined properties (what a decode can give back). */
function defined(e: UsageEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
}

describe('usage event codec', () => {
  it('round-trips every valid event exactly', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        const fields = encodeUsageEvent(e);
        for (const v of Object.values(fields)) expect(typeof v).toBe('string');
        const decoded = decodeUsageEvent(fields);
        expect(decoded).toEqual({ ok: true, event: defined(e) });
      }),
      { numRuns: 500 },
    );
  });

  it('is compact: undefined fields and zero cost parts are left out', () => {
    const fields = encodeUsageEvent(makeEvent(1, { prefix: 'c' }));
    expect(fields).not.toHaveProperty('userId');
    expect(fields).not.toHaveProperty('costCachedUsd');
    expect(fields).not.toHaveProperty('otherTokens');
    expect(fields.stream).toBe('1');
    expect(fields.createdAt).toMatch(/^\d+$/);
    expect(fields.v).toBe('1');
  });

  const base = encodeUsageEvent(makeEvent(10, { prefix: 'bad' }));
  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    ['missing requestId', { requestId: undefined }, /^requestId: missing/],
    ['missing cost total', { costTotalUsd: undefined }, /^costTotalUsd: missing/],
    ['a float count', { inputTokens: '1.5' }, /^inputTokens/],
    ['a negative count', { outputTokens: '-1' }, /^outputTokens/],
    ['a count beyond INT4', { latencyMs: '2147483648' }, /^latencyMs/],
    ['a NUL in a text', { provider: 'open\u0000ai' }, /^provider: contains NUL/],
    ['a negative cost', { costTotalUsd: '-0.1' }, /^costTotalUsd/],
    ['a cost too fine', { costTotalUsd: '0.0000000000000000001' }, /^costTotalUsd/],
    ['a cost too large', { costTotalUsd: '1000000' }, /^costTotalUsd/],
    ['an exponent', { costInputUsd: '1e-7' }, /^costInputUsd/],
    ['a bad date', { createdAt: '2026-11-22' }, /^createdAt/],
    ['a bad boolean', { stream: 'true' }, /^stream/],
    ['an unknown cost source', { costSource: 'guessed' }, /^costSource/],
    ['broken JSON', { otherTokens: '{' }, /^otherTokens: not JSON/],
    ['an unknown token kind', { otherTokens: '{"foo":1}' }, /^otherTokens: unknown kind/],
    ['a negative other count', { otherTokens: '{"images":-1}' }, /^otherTokens: bad images/],
    ['another version', { v: '2' }, /^v: unknown version/],
  ];
  for (const [name, change, error] of cases) {
    it(`refuses ${name}`, () => {
      const fields: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(change)) {
        if (v === undefined) delete fields[k];
        else fields[k] = v;
      }
      const decoded = decodeUsageEvent(fields);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(error);
    });
  }

  it('ignores fields it does not know (a newer writer)', () => {
    const decoded = decodeUsageEvent({ ...base, someday: 'x' });
    expect(decoded.ok).toBe(true);
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (fields) => {
        expect(() => decodeUsageEvent(fields)).not.toThrow();
      }),
    );
  });

  it('splits a Usage into columns and otherTokens', () => {
    expect(tokenColumns({ inputTokens: 10, outputTokens: 5, audioInputTokens: 2, images: 1 })).toEqual({
      inputTokens: 10,
      cachedInputTokens: undefined,
      cacheWriteTokens: undefined,
      outputTokens: 5,
      reasoningTokens: undefined,
      otherTokens: { audioInputTokens: 2, images: 1 },
    });
    expect(tokenColumns({ inputTokens: 1 }).otherTokens).toBeUndefined();
    expect(tokenColumns(undefined)).toEqual({});
  });
});
