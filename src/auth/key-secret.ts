import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every Tollgate key starts with this, so leaked keys are easy to recognise and scan for. */
export const KEY_PREFIX = 'tg_';
/** Longest key we even try to verify; anything longer is refused before hashing. */
export const MAX_KEY_LENGTH = 256;
const VISIBLE_CHARS = 11;

export interface NewKeySecret {
  secret: string;
  prefix: string;
  hash: string;
}

/** A new random key: 32 bytes of entropy, base64url. Shown to the user once. */
export function generateKeySecret(hashSecret: string): NewKeySecret {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: visiblePrefix(secret), hash: hashKeySecret(secret, hashSecret) };
}

/**
 * HMAC with a per-deployment secret: a stolen database alone cannot be used to test guesses,
 * and equal keys in two deployments hash differently.
 */
export function hashKeySecret(secret: string, hashSecret: string): string {
  return createHmac('sha256', hashSecret).update(secret).digest('hex');
}

export function visiblePrefix(secret: string): string {
  return secret.slice(0, VISIBLE_CHARS);
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Cheap shape check before any hashing or lookup: printable ASCII, bounded length. */
export function plausibleKey(candidate: string | undefined): candidate is string {
  return candidate !== undefined && candidate.length >= 8 && candidate.length <= MAX_KEY_LENGTH && /^[\x21-\x7e]+$/.test(candidate);
}
