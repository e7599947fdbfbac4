// Threshold, velocity and fallback-price alerts through real gateways: two in one process and
// one separate `tollgate start` process, all on one PostgreSQL database and one Redis prefix,
// delivering to a local webhook receiver, a Slack-style endpoint and a local SMTP server.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attoToNanoCeil, nanoToUsd, usdToAtto } from '../../src/core/money.js';
import { verifyWebhookSignature } from '../../src/alerts/signature.js';
import { admin, createHierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { configFile, FAST_JOBS, waitFor } from '../analytics/helpers.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';
import { spawnGateway, startReceiver, startSmtp, type ChildGateway, type Receiver } from './receivers.js';

const SECRET = randomBytes(24).toString('hex');
let receiver: Receiver;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let t1: TestGateway;
let t2: TestGateway;
let child: ChildGateway;
let unitNano: bigint;

const BODY = JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'The same prompt every time' }] });

async function call(url: string, key: string, body = BODY): Promise<Response> {
  const response = await fetch(`${url}/openai/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return response;
}

/** The Subject header, unfolded and decoded from RFC 2047 Q-encoding as nodemailer writes it. */
function subjectOf(mail: { data: string }): string {
  const header = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(mail.data)?.[1] ?? '';
  return header
    .replace(/\?=\n[ \t]+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, q: string) => Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

const hooks = (budgetId: string, type = 'budget.threshold') => receiver.ok('/hook').filter((d) => JSON.parse(d.raw).budgetId === budgetId && JSON.parse(d.raw).type === type);

/**
 * Waits until the gateway at `url` (an in-process instance or the child process) has the budget
 * in its own budget directory: each instance reloads it after a change notice, on its own time.
 * The entity route resolves through that instance's directory, so it lists the budget only then.
 */
async function budgetLoaded(url: string, level: string, entityId: string, budgetId: string): Promise<void> {
  await waitFor(`budget ${budgetId} loaded by ${url}`, async () => {
    const response = await fetch(`${url}/admin/entities/${level}/${entityId}/budgets`, { headers: { authorization: `Bearer ${t1.gateway.adminToken}` } });
    if (!response.ok) {
      await response.arrayBuffer();
      return false;
    }
    return ((await response.json()) as Array<{ budgetId: string }>).some((b) => b.budgetId === budgetId);
  });
}

async function organizationKey(name: string) {
  const h = await createHierarchy(t1, name);
  return { h, key: await t1.createKey({ name, organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId }) };
}

beforeAll(async () => {
  [receiver, smtp] = await Promise.all([startReceiver(), startSmtp()]);
  const env = {
    TOLLGATE_CONFIG: configFile(`${FAST_JOBS.replace('checkSeconds: 3600', 'checkSeconds: 1')}`),
    TOLLGATE_ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
    TOLLGATE_ALERT_WEBHOOK_SECRET: SECRET,
    TOLLGATE_ALERT_SLACK_WEBHOOK_URL: `${receiver.url}/slack`,
    TOLLGATE_ALERT_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    TOLLGATE_ALERT_EMAIL_TO: 'ops@example.com',
  };
  t1 = await startTestGateway({ env });
  [t2, child] = await Promise.all([startTestGateway({ shareWith: t1 }), spawnGateway(t1.env)]);
  // What one BODY request costs: every request below is the same, so each costs this much.
  const probe = await call(t1.url, t1.key);
  unitNano = attoToNanoCeil(usdToAtto(probe.headers.get('x-tollgate-cost-usd')!));
  expect(unitNano).toBeGreaterThan(0n);
}, 120_000);

afterAll(async () => {
  await child?.stop();
  await t2?.close();
  await t1?.close();
  await receiver?.close();
  await smtp?.close();
});

describe('budget alerts', () => {
  it('fires each threshold exactly once under concurrent traffic through three gateways (two processes)', { timeout: 90_000 }, async () => {
    const { h, key } = await organizationKey('concurrent');
    // Soft, so spending goes past 100 %: 60 requests against a limit of 40. A 'total' budget: no
    // midnight can split the spend, and no velocity alert (none for 'total') joins the deliveries.
    const budget = await admin(t1, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'total', limitUsd: nanoToUsd(unitNano * 40n), hard: false });
    // t1 applied the change before answering; t2 and the child reload on the change notice.
    await Promise.all([t2.url, child.url].map((url) => budgetLoaded(url, 'organization', h.organizationId, budget.id)));
    const urls = [t1.url, t2.url, child.url];
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => call(urls[i % 3]!, key)));
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));

    // Every instance, the separate process included, counted on the same budget.
    const status = await waitFor('every settle', async () => {
      const s = await admin(t1, 'GET', `/budgets/${budget.id}/status`);
      return s.reservedUsd === '0' && s;
    });
    expect(status.spentUsd).toBe(nanoToUsd(unitNano * 60n));
    await waitFor('four threshold deliveries', async () => hooks(budget.id).length >= 4);
    // Threshold alerts only: other alerts (velocity, fallback price) go to the same endpoints.
    const slackFor = () => receiver.ok('/slack').filter((d) => /"concurrent" reached/.test(JSON.parse(d.raw).text));
    const mailsFor = () => smtp.mails.filter((m) => /"concurrent" reached/.test(subjectOf(m)));
    await waitFor('four Slack messages', async () => slackFor().length >= 4);
    await waitFor('four emails', async () => mailsFor().length >= 4);
    await new Promise((r) => setTimeout(r, 2_000)); // room for any duplicate to show up
    const delivered = hooks(budget.id).map((d) => JSON.parse(d.raw));
    expect(delivered.map((d) => d.threshold).sort((a, b) => a - b)).toEqual([50, 75, 90, 100]);
    expect(new Set(delivered.map((d) => d.id)).size).toBe(4);
    expect(delivered[0]).toMatchObject({ type: 'budget.threshold', level: 'organization', entityId: h.organizationId });
    expect(delivered[0].details.budget).toMatchObject({ limitUsd: nanoToUsd(unitNano * 40n), entityName: 'concurrent' });

    const slack = slackFor();
    expect(slack).toHaveLength(4);
    expect(Object.keys(JSON.parse(slack[0]!.raw))).toEqual(['text']);
    const mails = mailsFor();
    expect(mails).toHaveLength(4);
    expect(mails.map(subjectOf)).toContain(delivered.find((d) => d.threshold === 50).message.replace(/^/, '[Tollgate] '));

    const rows = await t1.gateway.storage.prisma.budgetAlert.findMany({ where: { budgetId: budget.id, kind: 'threshold' } });
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatchObject({ kind: 'threshold', status: 'delivered', attempts: 3 });
  });

  it('signs every delivery: the receiver verifies it, and a tampered body or wrong secret fails', () => {
    // A threshold alert, so the '"threshold":' tampering below really changes the body.
    const delivery = receiver.ok('/hook').find((d) => JSON.parse(d.raw).type === 'budget.threshold')!;
    expect(delivery).toBeDefined();
    const input = { secret: SECRET, rawBody: delivery.raw, signature: String(delivery.headers['x-tollgate-signature']), timestamp: String(delivery.headers['x-tollgate-timestamp']) };
    expect(input.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    for (const d of receiver.ok('/hook')) {
      expect(verifyWebhookSignature({ ...input, rawBody: d.raw, signature: String(d.headers['x-tollgate-signature']), timestamp: String(d.headers['x-tollgate-timestamp']) })).toBe(true);
    }
    expect(verifyWebhookSignature({ ...input, rawBody: delivery.raw.replace('"threshold":', '"threshold": ') })).toBe(false);
    expect(verifyWebhookSignature({ ...input, rawBody: delivery.raw.replace(/"limitUsd":"[^"]+"/, '"limitUsd":"1000000"') })).toBe(false);
    expect(verifyWebhookSignature({ ...input, secret: `${SECRET}x` })).toBe(false);
    expect(verifyWebhookSignature({ ...input, timestamp: String(Number(input.timestamp) - 1) })).toBe(false);
    expect(verifyWebhookSignature({ ...input, nowSeconds: Number(input.timestamp) + 3600 })).toBe(false);
  });

  it('retries a failing receiver with growing delays until it takes the alert; the row records the attempts', { timeout: 90_000 }, async () => {
    const { h, key } = await organizationKey('flaky');
    // 'total': one call spends half of it, which on a daily budget early in the UTC day is a pace
    // that runs out before the reset, and a velocity alert would take one of the forced failures.
    const budget = await admin(t1, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'total', limitUsd: nanoToUsd(unitNano * 2n), thresholds: [50] });
    receiver.failNext(3, '/hook');
    // A slow receiver, too: the request must not wait for it. Every attempt is held 2 s (below the
    // 5 s webhook timeout), so a request that waited for even one attempt takes 2 s or more.
    receiver.delayMs = 2_000;
    const started = performance.now();
    expect((await call(t1.url, key)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor('the delivery after three failures', async () => hooks(budget.id).length === 1, 60_000);
    receiver.delayMs = 0;
    const attempts = receiver.all.filter((d) => d.path === '/hook' && d.raw.includes(budget.id) && JSON.parse(d.raw).type === 'budget.threshold');
    expect(attempts.map((d) => d.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(attempts.map((d) => d.headers['x-tollgate-alert-id'])).size).toBe(1);
    const row = await waitFor('the row to say delivered', async () => {
      const r = await t1.gateway.storage.prisma.budgetAlert.findFirst({ where: { budgetId: budget.id, kind: 'threshold' } });
      return r?.status === 'delivered' ? r : undefined;
    });
    expect(row.attempts).toBe(6); // webhook 4, Slack 1, email 1
    expect(row.deliveries).toMatchObject({ webhook: { status: 'delivered', attempts: 4 }, slack: { status: 'delivered', attempts: 1 }, email: { status: 'delivered', attempts: 1 } });
  });

  // Up to ~2 min waiting out a UTC midnight, then a few seconds of its own.
  it('alerts once per provider and model per day when requests are priced by the fallback price', { timeout: 180_000 }, async () => {
    // The alert is once per UTC day: all calls and checks must fall on one day.
    await clearOfDayBoundary(['UTC']);
    const day = new Date().toISOString().slice(0, 10);
    const body = JSON.stringify({ model: 'mystery-model-9000', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const urls = [t1.url, t2.url, child.url];
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => call(urls[i % 3]!, t1.key, body).then((r) => r.status)));
    expect(statuses).toEqual(Array(12).fill(200));
    const fallback = () => receiver.ok('/hook').map((d) => JSON.parse(d.raw)).filter((d) => d.type === 'pricing.fallback' && d.model === 'mystery-model-9000');
    await waitFor('the fallback-price alert', async () => fallback().length >= 1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fallback()).toHaveLength(1);
    expect(fallback()[0]).toMatchObject({ provider: 'openai', periodId: `d:${day}` });
    expect(await t1.gateway.storage.prisma.budgetAlert.count({ where: { kind: 'fallback_price', model: 'mystery-model-9000' } })).toBe(1);
  });

  it('raises one velocity alert when the rate runs a budget out before its period ends', { timeout: 90_000 }, async () => {
    // A zone where the local day is between 4:00 and 14:00 now: 80 % spent means "too fast".
    const hour = new Date().getUTCHours();
    const offset = [...Array(27).keys()].map((i) => i - 12).find((o) => (hour + o + 24) % 24 >= 4 && (hour + o + 24) % 24 < 14)!;
    const timezone = offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
    const { h, key } = await organizationKey('speedy');
    const budget = await admin(t1, 'POST', '/budgets', { level: 'team', entityId: h.teamId, period: 'daily', timezone, limitUsd: nanoToUsd((unitNano * 125n) / 10n), thresholds: [100] });
    // Half the calls go through t2: it must count them on this budget, so wait for its reload.
    await budgetLoaded(t2.url, 'team', h.teamId, budget.id);
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => call([t1.url, t2.url][i % 2]!, key).then((r) => r.status)));
    expect(statuses).toEqual(Array(10).fill(200));
    await waitFor('the velocity alert', async () => hooks(budget.id, 'budget.velocity').length >= 1, 15_000);
    await new Promise((r) => setTimeout(r, 2_500)); // several more checks on every instance
    const velocity = hooks(budget.id, 'budget.velocity').map((d) => JSON.parse(d.raw));
    expect(velocity).toHaveLength(1);
    expect(velocity[0].details.budget.runsOutBeforeReset).toBe(true);
    expect(Number(velocity[0].details.budget.projectedSpendUsd)).toBeGreaterThan(Number(velocity[0].details.budget.limitUsd));
    expect(hooks(budget.id, 'budget.threshold')).toHaveLength(0);
  });
});
