/**
 * Dashboard sessions: after the admin token is checked once at login, the browser holds an
 * HttpOnly, SameSite=Strict cookie `tg_session=<expiry>.<nonce>.<mac>`, where mac is an
 * HMAC-SHA256 keyed by a key derived from the admin token. The token itself never sits in the
 * browser; every instance sharing the admin token accepts the cookie (no session store), and
 * changing the admin token ends every session.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const COOKIE_NAME = 'tg_session';

export interface SessionKeys {
  sign(expiresAtMs: number): string;
  verify(value: string | undefined, nowMs?: number): boolean;
}

export function sessionKeys(adminToken: string): SessionKeys {
  const key = createHmac('sha256', adminToken).update('tollgate dashboard session v1').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    sign(expiresAtMs) {
      const payload = `${Math.floor(expiresAtMs)}.${randomBytes(12).toString('base64url')}`;
      return `${payload}.${mac(payload)}`;
    },
    verify(value, nowMs = Date.now()) {
      if (!value) return false;
      const parts = value.split('.');
      if (parts.length !== 3 || !/^\d+$/.test(parts[0]!)) return false;
      const expected = Buffer.from(mac(`${parts[0]}.${parts[1]}`));
      const given = Buffer.from(parts[2]!);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
      return Number(parts[0]) > nowMs;
    },
  };
}

/** One cookie's value from the Cookie header (no cookie library needed for one name). */
export function readCookie(request: FastifyRequest, name = COOKIE_NAME): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${COOKIE_NAME}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeSeconds)}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(secure: boolean): string {
  return `${COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
