// Key secrets are stored as HMAC-SHA256 under the deployment's TOLLGATE_KEY_SECRET and compared in
// constant time; the admin API wants the admin token and slows down an address that keeps
// guessing. "Constant time" is checked by what the code calls: node:crypto is the real module,
// with timingSafeEqual wrapped in a pass-through spy, so a `===` on secrets would turn a test red.
// (Timing measurements would be flaky on a shared machine and prove less.)
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sameHash } from '../../src/auth/key-secret.js';
import { admin } from '../support/admin.js';
import { chat } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const spied = { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
  return { ...spied, default: spied };
});
const constantTimeCompare = vi.mocked(timingSafeEqual);

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());
beforeEach(() => {
  constantTimeCompare.mockClear();
});

describe('key secrets: HMAC at rest, constant-time comparison', () => {
  it('the stored hash is HMAC-SHA256(secret) under TOLLGATE_KEY_SECRET, not a plain digest, and the secret itself is nowhere in the row', async () => {
    const created = await admin(t, 'POST', '/keys', { name: 'hmac' });
    const row = await t.gateway.storage.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretHash).toBe(createHmac('sha256', t.env.TOLLGATE_KEY_SECRET!).update(created.secret).digest('hex'));
    expect(row.secretHash).not.toBe(createHash('sha256').update(created.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.secret);
    // Only a short prefix is kept in the clear, to tell keys apart in lists.
    expect(created.secret.startsWith(row.prefix)).toBe(true);
    expect(row.prefix.length).toBeLessThanOrEqual(11);
  });

  it('a gateway on the same database with another TOLLGATE_KEY_SECRET cannot use the stored hashes (a stolen database alone verifies nothing)', async () => {
    expect((await chat(t, t.key)).status).toBe(200);
    const other = await startTestGateway({ shareWith: t, env: { TOLLGATE_KEY_SECRET: 'another-deployment-secret-0123456789abcdef' } });
    try {
      const refused = await chat(other, t.key);
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toBe('The Tollgate key is not valid.');
    } finally {
      await other.close();
    }
  });

  it('verifying a key (a cache miss) compares the hashes with timingSafeEqual, 32 bytes against 32 bytes', async () => {
    const key = await t.createKey({ name: 'timing' });
    expect((await chat(t, key)).status).toBe(200);
    const calls = constantTimeCompare.mock.calls.filter(([a, b]) => a.byteLength === 32 && b.byteLength === 32);
    expect(calls.length).toBeGreaterThanOrEqual(1);
  });

  it('sameHash: equal digests match; different or different-length ones do not, without throwing', () => {
    const a = createHmac('sha256', 's').update('k1').digest('hex');
    const b = createHmac('sha256', 's').update('k2').digest('hex');
    expect(sameHash(a, a)).toBe(true);
    expect(sameHash(a, b)).toBe(false);
    expect(sameHash(a, a.slice(0, 32))).toBe(false);
    expect(constantTimeCompare).toHaveBeenCalledTimes(2); // the length check answers the third
  });
});

/**
 * A GET from another loopback address (127.0.0.x): the slowdown counts failures per address,
 * so each route's refusals come from an address of their own and stay within the free five.
 */
function getFrom(localAddress: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, { headers, localAddress }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the admin API needs the admin token', () => {
  const ROUTES = ['/admin/keys', '/admin/budgets', '/admin/organizations', '/admin/usage', '/admin/prices', '/analytics/usage', '/analytics/budgets'];

  it('every admin and analytics route answers 401 without the token, with a wrong one, or with the right one in the wrong place', async () => {
    for (const [i, route] of ROUTES.entries()) {
      const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${t.gateway.adminToken}x` }, { authorization: t.gateway.adminToken }, { 'x-admin-token': 'admin-guess' }, { authorization: `Bearer ${t.key}` }];
      for (const headers of attempts) {
        const response = await getFrom(`127.0.0.${10 + i}`, route, headers);
        expect(response.status, `${route} ${JSON.stringify(headers)}`).toBe(401);
        expect(JSON.parse(response.body)).toEqual({ error: { message: 'A valid admin token is required.', type: 'unauthorized' } });
      }
    }
    // The token works in both places it is taken.
    const right: Record<string, string>[] = [{ authorization: `Bearer ${t.gateway.adminToken}` }, { 'x-admin-token': t.gateway.adminToken }];
    for (const headers of right) {
      expect((await fetch(`${t.url}/admin/keys`, { headers })).status).toBe(200);
    }
  });

  it('the token is compared in constant time (digests of equal length, whatever was sent)', async () => {
    await fetch(`${t.url}/admin/keys`, { headers: { authorization: 'Bearer x' } });
    await fetch(`${t.url}/admin/keys`, { headers: { authorization: `Bearer ${'y'.repeat(500)}` } });
    await fetch(`${t.url}/admin/keys`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } });
    expect(constantTimeCompare).toHaveBeenCalledTimes(3);
    for (const [a, b] of constantTimeCompare.mock.calls) expect([a.byteLength, b.byteLength]).toEqual([32, 32]);
  });
});

describe('repeated failures slow the admin API down', () => {
  // Last in the file: from here on this client's address is slowed down.
  it('five failures are free; then each attempt, the right token included, waits 250 ms, 500 ms, 1 s ... before it is checked', { timeout: 30_000 }, async () => {
    const attempt = async (token: string) => {
      const started = performance.now();
      const response = await fetch(`${t.url}/admin/keys`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    };
    // Only lower bounds are asserted: a slow machine can add time, never take the wait away.
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const sixth = await attempt('guess-5');
    expect(sixth.status).toBe(401);
    expect(sixth.ms).toBeGreaterThanOrEqual(245);
    const seventh = await attempt('guess-6');
    expect(seventh.ms).toBeGreaterThanOrEqual(495);
    // The right token is not exempt (or guessing could go on at full speed between correct
    // calls), but it does pass and clears the record.
    const right = await attempt(t.gateway.adminToken);
    expect(right.status).toBe(200);
    expect(right.ms).toBeGreaterThanOrEqual(995);
    // Cleared: five more failures before the next wait. (Counted, not timed: 401 each time.)
    for (let i = 0; i < 5; i++) expect((await attempt(`again-${i}`)).status).toBe(401);
    const afterReset = await attempt('again-5');
    expect(afterReset.ms).toBeGreaterThanOrEqual(245);
  });
});
