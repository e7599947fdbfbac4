/**
 * Webhook signatures. The signature is HMAC-SHA256 over the exact bytes of the body, keyed by
 * the configured secret, sent as `x-tollgate-signature: sha256=<hex>`. The body carries the
 * same `timestamp` as the `x-tollgate-timestamp` header, so the signature covers the time too:
 * a receiver that checks the signature and rejects old timestamps is safe from replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-tollgate-signature';
export const TIMESTAMP_HEADER = 'x-tollgate-timestamp';

export function signBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface VerifyInput {
  secret: string;
  rawBody: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  /** Reject deliveries older (or newer) than this; default 300 s. */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/** What a receiver runs: the signature matches, the timestamp is fresh and is the body's. */
export function verifyWebhookSignature(input: VerifyInput): boolean {
  const { secret, rawBody, signature, timestamp } = input;
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false;
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  try {
    return String((JSON.parse(rawBody.toString()) as { timestamp?: unknown }).timestamp) === timestamp;
  } catch {
    return false;
  }
}
