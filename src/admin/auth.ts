import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const WINDOW_MS = 60_000;
const FREE_FAILURES = 5;
const MAX_DELAY_MS = 5_000;

/**
 * Checks the admin token (Bearer or x-admin-token) in constant time, and slows down an
 * address that keeps failing: after five failures in a minute each further attempt waits
 * longer, up to five seconds, so guessing the token is impractical.
 */
export function adminGuard(adminToken: string) {
  const expected = createHash('sha256').update(adminToken).digest();
  const failures = new Map<string, { count: number; since: number }>();

  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const now = Date.now();
    const address = request.ip;
    const record = failures.get(address);
    if (record && now - record.since > WINDOW_MS) failures.delete(address);
    const count = failures.get(address)?.count ?? 0;
    if (count >= FREE_FAILURES) await sleep(Math.min(MAX_DELAY_MS, 250 * 2 ** (count - FREE_FAILURES)));

    const header = request.headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : request.headers['x-admin-token'];
    const digest = createHash('sha256').update(typeof given === 'string' ? given : '').digest();
    if (typeof given === 'string' && timingSafeEqual(digest, expected)) {
      failures.delete(address);
      return;
    }
    const next = failures.get(address) ?? { count: 0, since: now };
    next.count += 1;
    failures.set(address, next);
    if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    return reply.code(401).send({ error: { message: 'A valid admin token is required.', type: 'unauthorized' } });
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
