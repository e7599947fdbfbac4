/**
 * Usage events the ledger refuses before they reach PostgreSQL, field by field: text a column
 * cannot hold, token breakdowns that are not an object, and error messages that quote the bad
 * value without copying an arbitrarily long one into logs and dead letters.
 */
import { describe, expect, it } from 'vitest';
import { decodeUsageEvent, encodeUsageEvent } from '../../src/ledger/event.js';
import { makeEvent } from '../support/usage-events.js';

const valid = encodeUsageEvent(makeEvent(3, { prefix: 'refused' }));

function errorOf(change: Record<string, string>): string {
  const decoded = decodeUsageEvent({ ...valid, ...change });
  if (decoded.ok) throw new Error(`accepted ${JSON.stringify(change)}`);
  return decoded.error;
}

describe('text fields', () => {
  it('an empty text is refused (a provider or request id of "" names nothing)', () => {
    expect(errorOf({ provider: '' })).toBe('provider: empty or too long');
    expect(errorOf({ requestId: '' })).toBe('requestId: empty or too long');
  });

  it('a text longer than 1024 characters is refused; 1024 is accepted', () => {
    expect(decodeUsageEvent({ ...valid, endpoint: 'e'.repeat(1024) }).ok).toBe(true);
    expect(errorOf({ endpoint: 'e'.repeat(1025) })).toBe('endpoint: empty or too long');
  });
});

describe('otherTokens', () => {
  it.each([['null'], ['[1,2]'], ['42'], ['"images"']])('JSON that is not an object (%s) is refused', (raw) => {
    expect(errorOf({ otherTokens: raw })).toBe('otherTokens: not an object');
  });

  it('an empty object is accepted as no breakdown', () => {
    const decoded = decodeUsageEvent({ ...valid, otherTokens: '{}' });
    expect(decoded.ok && decoded.event.otherTokens).toEqual({});
  });
});

describe('error messages quote the value, clipped', () => {
  it('a long bad value is cut to its first 40 characters', () => {
    const long = `9${'x'.repeat(200)}`;
    expect(errorOf({ inputTokens: long })).toBe(`inputTokens: not an INT4 >= 0: ${JSON.stringify(`${long.slice(0, 40)}...`)}`);
  });

  it('a short bad value is quoted whole', () => {
    expect(errorOf({ inputTokens: 'x'.repeat(40) })).toBe(`inputTokens: not an INT4 >= 0: "${'x'.repeat(40)}"`);
  });
});
