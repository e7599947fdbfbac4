import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionKeys } from '../../src/dashboard/session.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ redis: false });
});
afterAll(async () => t?.close());

const login = (token: string, accept = 'text/html') =>
  fetch(`${t.url}/dashboard/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: new URLSearchParams({ token }) });

function cookieOf(response: Response): string {
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

describe('dashboard login', () => {
  it('sends a visitor without a session to the login form', async () => {
    const response = await fetch(`${t.url}/dashboard`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard/login');
    const form = await fetch(`${t.url}/dashboard/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="token"');
    expect(form.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('refuses a wrong token', async () => {
    const response = await login('not-the-admin-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('a right token gets an HttpOnly SameSite=Strict session cookie that is not the token', async () => {
    const response = await login(t.gateway.adminToken);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/dashboard');
    const header = response.headers.get('set-cookie')!;
    expect(header).toMatch(/^tg_session=\d+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(header).not.toContain(t.gateway.adminToken);
    const cookie = cookieOf(response);
    const page = await fetch(`${t.url}/dashboard`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="chart-trend"');
    const data = await fetch(`${t.url}/analytics/dashboard?range=24h`, { headers: { cookie } });
    expect(data.status).toBe(200);
    const body = (await data.json()) as any;
    expect(body).toHaveProperty('usage.totals.costTotalUsd');
    expect(body).toHaveProperty('realtime.perMinute');
    expect(body).toHaveProperty('budgets');
    expect(body).toHaveProperty('alerts.recent');
    // JSON login (the form's script) answers JSON instead of a redirect.
    const json = await login(t.gateway.adminToken, 'application/json');
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ ok: true });
  });

  it('rejects a tampered, expired or foreign session cookie', async () => {
    const cookie = cookieOf(await login(t.gateway.adminToken));
    const [name, value] = cookie.split('=') as [string, string];
    const [expiry, nonce, mac] = value.split('.');
    const tampered = [`${name}=${Number(expiry) + 1000}.${nonce}.${mac}`, `${name}=${expiry}.${nonce}.${mac!.slice(0, -2)}AA`];
    const expired = `${name}=${sessionKeys(t.gateway.adminToken).sign(Date.now() - 1000)}`;
    const foreign = `${name}=${sessionKeys('some-other-admin-token').sign(Date.now() + 60_000)}`;
    for (const bad of [...tampered, expired, foreign]) {
      expect((await fetch(`${t.url}/analytics/usage`, { headers: { cookie: bad } })).status, bad).toBe(401);
      expect((await fetch(`${t.url}/dashboard`, { headers: { cookie: bad }, redirect: 'manual' })).status, bad).toBe(303);
    }
  });

  it('logout clears the cookie; static assets are served, nothing else', async () => {
    const out = await fetch(`${t.url}/dashboard/logout`, { method: 'POST', redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^tg_session=; .*Max-Age=0/);
    const js = await fetch(`${t.url}/dashboard/static/charts.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    for (const path of ['/dashboard/static/nope.js', '/dashboard/static/..%2Froutes.ts', '/dashboard/static/index.html']) {
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(404);
    }
  });
});
