/**
 * Exact decimal helpers for sync: price sources hand us numbers as text (LiteLLM's
 * `2.5e-06`, xAI's integer ticks, a model's "3.25"), and every comparison and percent is
 * computed on bigint atto-USD so a 20 % threshold is never crossed by float noise.
 */
import { attoToUsd, usdToAtto } from '../core/money.js';

const LITERAL = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A JSON number literal or decimal text ("2.5e-06", "0.0000025", "15") as a plain decimal
 * string, by moving the decimal point in the digits: no float is ever involved.
 */
export function literalToPlain(text: string): string {
  const match = LITERAL.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '', frac = '', exp = '0'] = match;
  if (Math.abs(Number(exp)) > 400) throw new RangeError(`exponent out of range: ${JSON.stringify(text)}`);
  const all = `${whole}${frac}`;
  const point = whole.length + Number(exp);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${all}`;
  else if (point >= all.length) plain = `${all}${'0'.repeat(point - all.length)}`;
  else plain = `${all.slice(0, point)}.${all.slice(point)}`;
  if (plain.includes('.')) plain = plain.replace(/0+$/, '').replace(/\.$/, '');
  plain = plain.replace(/^0+(?=\d)/, '');
  return plain === '0' ? '0' : `${sign}${plain}`;
}

/** USD per token (literal) → USD per 1M tokens, exact: atto per token × 1e6 as a decimal. */
export function perTokenToPer1M(literal: string): string {
  return attoToUsd(usdToAtto(literalToPlain(literal)) * 1_000_000n);
}

/** A decimal rate in its canonical spelling ("2.50" → "2.5", "010" → "10"). */
export function canonicalDecimal(text: string): string {
  return attoToUsd(usdToAtto(literalToPlain(text)));
}

/** Hundredths of a percent of the change old → next, truncated toward zero; undefined when old is 0. */
export function percentHundredths(old: bigint, next: bigint): bigint | undefined {
  if (old === 0n) return undefined;
  return ((next - old) * 10_000n) / old;
}

/** "+30.00%", "-12.50%", "0.00%"; `undefined` (from a zero old rate) prints as "new". */
export function formatPercent(hundredths: bigint | undefined): string {
  if (hundredths === undefined) return 'new';
  const sign = hundredths > 0n ? '+' : hundredths < 0n ? '-' : '';
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}%`;
}

/** A percent threshold typed by a human ("20", "12.5") as atto-scaled bigint, for exact comparisons. */
export function parsePercent(text: string): bigint {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a non-negative percent: ${JSON.stringify(text)}`);
  return usdToAtto(text);
}

/**
 * True when old → next changes by MORE than `threshold` percent (atto-scaled, see
 * parsePercent): |next − old| × 100 > threshold × old, all integers. Any change away from a
 * zero rate counts as above every threshold: no percent can describe it.
 */
export function exceedsPercent(old: bigint, next: bigint, threshold: bigint): boolean {
  if (old === next) return false;
  if (old === 0n) return true;
  const delta = next > old ? next - old : old - next;
  return delta * 100n * 10n ** 18n > threshold * old;
}

/** The larger magnitude of two percent figures; `undefined` (a change from zero) is the largest. */
export function largerChange(a: bigint | undefined | null, b: bigint | undefined | null): bigint | undefined | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a === undefined || b === undefined) return undefined;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  return abs(b) > abs(a) ? b : a;
}
