/**
 * Pricing units and the one conversion every rate goes through: a decimal string of USD in
 * some unit → a bigint of atto-USD (1e-18 USD) per BASE unit (one token, one character, one
 * second, ...). After this conversion all cost arithmetic is integer multiplication, so a
 * conversion that is not exact at 1e-18 is refused here rather than rounded silently.
 */
import { usdToAtto } from '../core/money.js';

/** Mirrors the Prisma enum `PricingUnit` (prisma/schema.prisma); keep the two in step. */
export const PRICING_UNITS = [
  'per_token',
  'per_1k_tokens',
  'per_1m_tokens',
  'per_character',
  'per_1k_characters',
  'per_second',
  'per_minute',
  'per_hour',
  'per_request',
  'per_image',
  'per_audio_file',
  'per_mb',
  'per_gb',
] as const;
export type PricingUnit = (typeof PRICING_UNITS)[number];

/** Mirrors the Prisma enum `BillingModel`. */
export const BILLING_MODELS = [
  'pay_per_use',
  'tiered',
  'subscription',
  'credits',
  'free_tier',
  'enterprise',
] as const;
export type BillingModel = (typeof BILLING_MODELS)[number];

/** The thing one base unit counts. Every compiled rate is "atto-USD per one of these". */
export type BaseUnit = 'token' | 'character' | 'second' | 'request' | 'image' | 'audio_file' | 'byte';

interface UnitInfo {
  base: BaseUnit;
  /** How many base units one `unit` covers (per_1m_tokens covers 1_000_000 tokens). */
  per: bigint;
}

/**
 * Megabyte and gigabyte are decimal (1e6 / 1e9 bytes), as providers' price pages use them;
 * nothing in the reference bills bytes today, the units exist because the schema has them.
 */
const UNIT_INFO: Readonly<Record<PricingUnit, UnitInfo>> = {
  per_token: { base: 'token', per: 1n },
  per_1k_tokens: { base: 'token', per: 1_000n },
  per_1m_tokens: { base: 'token', per: 1_000_000n },
  per_character: { base: 'character', per: 1n },
  per_1k_characters: { base: 'character', per: 1_000n },
  per_second: { base: 'second', per: 1n },
  per_minute: { base: 'second', per: 60n },
  per_hour: { base: 'second', per: 3_600n },
  per_request: { base: 'request', per: 1n },
  per_image: { base: 'image', per: 1n },
  per_audio_file: { base: 'audio_file', per: 1n },
  per_mb: { base: 'byte', per: 1_000_000n },
  per_gb: { base: 'byte', per: 1_000_000_000n },
};

const UNIT_SET: ReadonlySet<string> = new Set(PRICING_UNITS);
const BILLING_SET: ReadonlySet<string> = new Set(BILLING_MODELS);

export function isPricingUnit(value: unknown): value is PricingUnit {
  return typeof value === 'string' && UNIT_SET.has(value);
}

export function isBillingModel(value: unknown): value is BillingModel {
  return typeof value === 'string' && BILLING_SET.has(value);
}

export function baseUnitOf(unit: PricingUnit): BaseUnit {
  return UNIT_INFO[unit].base;
}

export function isTokenUnit(unit: PricingUnit): boolean {
  return UNIT_INFO[unit].base === 'token';
}

/** Plain, non-negative decimal: "2.5", "0.000125", "15". No sign, no exponent, no spaces. */
const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;

/** Why a rate string cannot be used, or undefined when it can (used by the validator). */
export function rateProblem(rate: unknown, unit: PricingUnit): string | undefined {
  if (typeof rate !== 'string') {
    return `must be a decimal string such as "1.25", got ${describe(rate)}`;
  }
  if (/^-\d/.test(rate.trim())) return `negative rate ${JSON.stringify(rate)}`;
  if (!PLAIN_DECIMAL.test(rate)) return `not a plain decimal number: ${JSON.stringify(rate)}`;
  const { per, base } = UNIT_INFO[unit];
  let whole: bigint;
  try {
    whole = usdToAtto(rate);
  } catch {
    return `${rate} ${unit} is not exact at 1e-18 USD per ${base}`;
  }
  if (whole % per !== 0n) {
    return `${rate} ${unit} is not exact at 1e-18 USD per ${base}`;
  }
  return undefined;
}

/**
 * Converts a rate in `unit` to atto-USD per base unit. Throws a RangeError (never rounds)
 * when the rate is malformed, negative, or not exact at 1e-18 USD per base unit.
 */
export function rateToAttoPerBase(rate: string, unit: PricingUnit): bigint {
  const problem = rateProblem(rate, unit);
  if (problem !== undefined) throw new RangeError(problem);
  return usdToAtto(rate) / UNIT_INFO[unit].per;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return typeof value;
}
