// The dashboard in headless Chromium: real traffic through a test gateway, sign in through the
// form, the charts drawn from that traffic, the page refreshing on its own, and a screenshot
// kept in test-artifacts/ to look at. Needs /usr/bin/chromium (Debian: apt-get install -y chromium).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import { admin, createHierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeEvent } from '../support/usage-events.js';
import { chat, configFile, FAST_JOBS, rolledUp, waitFor } from '../analytics/helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
let t: TestGateway;
let browser: Browser;
let realRequests = 0;

async function post(path: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  realRequests += 1;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\``);
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile(`${FAST_JOBS}\ndashboard:\n  refreshSeconds: 2\n`) } });
  const search = await createHierarchy(t, 'search');
  const support = await createHierarchy(t, 'support');
  const searchKey = await t.createKey({ name: 'search-prod', organizationId: search.organizationId, projectId: search.projectId, team: search.teamId, userId: search.userId });
  const supportKey = await t.createKey({ name: 'support-bot', organizationId: support.organizationId, projectId: support.projectId, team: support.teamId, userId: support.userId });
  await admin(t, 'POST', '/budgets', { level: 'team', entityId: search.teamId, period: 'monthly', limitUsd: '0.005', hard: false });
  await admin(t, 'POST', '/budgets', { level: 'organization', entityId: support.organizationId, period: 'daily', limitUsd: '1' });

  // Real traffic: three providers, several models, two teams (crossing the search team's 50 % on the way).
  for (const [key, model, n] of [[searchKey, 'gpt-5', 10], [searchKey, 'gpt-4o-mini', 15], [supportKey, 'gpt-4o-mini', 12]] as const) {
    expect(await chat(t, key, model, n)).toEqual(Array(n).fill(200));
    realRequests += n;
  }
  for (let i = 0; i < 6; i++) await post('/gemini/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': supportKey }, { contents: [{ parts: [{ text: `Summarize ticket ${i}` }] }] });
  for (let i = 0; i < 5; i++) await post('/xai/v1/chat/completions', { authorization: `Bearer ${searchKey}` }, { model: 'grok-4', max_tokens: 40, messages: [{ role: 'user', content: `Rank result ${i}` }] });
  // Last week's history, so the trend has more than the current hour (ledger rows, as the writer makes them).
  const history = Array.from({ length: 600 }, (_, i) =>
    makeEvent(i, { prefix: 'hist', createdAt: new Date(Date.now() - (1 + (i % 160)) * 3_600_000), organizationId: search.organizationId, teamId: search.teamId, projectId: search.projectId, userId: search.userId, apiKeyId: 'history-key', provider: i % 3 === 0 ? 'gemini' : 'openai', requestedModel: i % 3 === 0 ? 'gemini-2.5-flash' : i % 2 ? 'gpt-4o-mini' : 'gpt-5' }),
  );
  await insertWithRecordset(t.gateway.storage.prisma, history);
  await waitFor('the ledger', async () => (await t.gateway.storage.prisma.usageRecord.count()) >= realRequests + history.length);
  await rolledUp(t);
  await waitFor('the threshold alert', async () => (await t.gateway.storage.prisma.budgetAlert.count()) > 0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('dashboard in a browser', () => {
  // A real browser on a possibly loaded machine: page loads, waits of up to 30 s (Playwright's
  // default) and 10 s for the refresh, and a full-page screenshot.
  it('signs in, draws the charts from the traffic, refreshes itself, and saves a screenshot', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(`${t.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.fill('#token', 'wrong-token-wrong-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('#error:not([hidden])');
    await page.fill('#token', t.gateway.adminToken);
    await page.click('button[type=submit]');
    await page.waitForURL(`${t.url}/dashboard`);
    errors.length = 0; // the wrong token's 401 above was expected
    await page.waitForSelector('body[data-loaded]');

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'tg_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(t.gateway.adminToken);

    // Every chart has bars; the breakdowns name what the traffic used.
    for (const id of ['chart-trend', 'chart-provider', 'chart-model', 'chart-team', 'chart-live']) {
      expect(await page.locator(`#${id} svg rect`).count(), id).toBeGreaterThan(0);
    }
    const providers = await page.locator('#chart-provider svg text.label').allTextContents();
    expect(providers.sort()).toEqual(['gemini', 'openai', 'xai']);
    const models = await page.locator('#chart-model svg text.label').allTextContents();
    expect(models).toEqual(expect.arrayContaining(['gpt-5', 'gpt-4o-mini', 'gemini-2.5-flash', 'grok-4']));
    expect(await page.locator('#chart-team svg text.label').allTextContents()).toEqual(expect.arrayContaining(['search-team', 'support-team']));
    expect(await page.locator('#legend-trend .legend-item').count()).toBeGreaterThanOrEqual(2);
    // The last 15 minutes come from the real traffic only (the history is older).
    expect(await page.locator('#live-note').textContent()).toBe(`${realRequests} requests`);
    expect(await page.locator('#budgets tr').count()).toBe(2);
    expect(await page.locator('#alerts li').first().textContent()).toContain('"search-team" reached');

    // It reloads on its own (refreshSeconds: 2).
    const loaded = Number(await page.locator('body').getAttribute('data-loaded'));
    await page.waitForFunction((n) => Number(document.body.dataset.loaded) > n, loaded, { timeout: 10_000 });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
