/**
 * Exact money. Internally every amount is a bigint of atto-USD (1e-18 USD): a price of
 * $0.01875 per 1M tokens is 18_750 atto-USD per token, exactly, and sums never drift.
 * Redis counters use integer nano-USD (1e-9 USD), rounded up so the gateway never
 * under-charges a budget; the ledger stores decimal strings.
 */
export const ATTO_PER_USD = 10n ** 18n;
export const ATTO_PER_NANO = 10n ** 9n;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string or number of USD ("0.000125", 2.5, "1e-7") into atto-USD. */
export function usdToAtto(value: string | number): bigint {
  const text = typeof value === 'number' ? numberToPlain(value) : value.trim();
  const match = DECIMAL.exec(/e/i.test(text) ? numberToPlain(Number(text)) : text);
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole, frac = ''] = match;
  if (frac.length > 18 && /[1-9]/.test(frac.slice(18))) {
    throw new RangeError(`amount finer than 1e-18 USD: ${text}`);
  }
  const atto = BigInt(whole!) * ATTO_PER_USD + BigInt((frac.slice(0, 18) || '0').padEnd(18, '0'));
  return sign ? -atto : atto;
}

/** Renders atto-USD as a plain decimal string of USD without trailing zeros ("0.0025"). */
export function attoToUsd(atto: bigint): string {
  const negative = atto < 0n;
  const abs = negative ? -atto : atto;
  const whole = abs / ATTO_PER_USD;
  const frac = (abs % ATTO_PER_USD).toString().padStart(18, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Rounds atto-USD up to whole nano-USD, for budget counters. */
export function attoToNanoCeil(atto: bigint): bigint {
  if (atto <= 0n) return 0n;
  return (atto + ATTO_PER_NANO - 1n) / ATTO_PER_NANO;
}

export function nanoToUsd(nano: bigint | number): string {
  return attoToUsd(BigInt(nano) * ATTO_PER_NANO);
}

/**
 * Numbers like 1.25e-7 print in exponent form. Shift the decimal point in the shortest
 * round-trip text instead of calling toFixed, which would expose binary float noise.
 */
function numberToPlain(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(text);
  if (!match) return text;
  const [, sign, whole, frac = '', exp] = match;
  const digits = whole! + frac;
  const point = whole!.length + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
