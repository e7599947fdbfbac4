// A price change above the threshold is a real alert: a BudgetAlert row of kind price_change,
// delivered (signed) to the configured webhook by the alerts module, once per new price row.
// A delivery that fails stays pending in the table, for a gateway's sweeper to retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/alerts/signature.js';
import { startReceiver, type Receiver } from '../alerts/receivers.js';
import { alerts, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

const SECRET = 'price-change-webhook-secret';
let env: SyncEnv;
let receiver: Receiver;

beforeAll(async () => {
  [env, receiver] = await Promise.all([openSyncEnv(), startReceiver()]);
  Object.assign(env.cli.env, { TOLLGATE_ALERT_WEBHOOK_URL: `${receiver.url}/hook`, TOLLGATE_ALERT_WEBHOOK_SECRET: SECRET });
  expect((await env.cli.run('pricing', 'sync')).code).toBe(0); // every built-in as a sync row
});
afterAll(async () => {
  await env?.dispose();
  await receiver?.close();
});

const prisma = () => env.cli.database.database.prisma;
// The simulator's catalog scales the models named in `models` and lists the others at their list price.
const litellm = (query: string) => `litellm=${env.sim.url}/pricing/litellm.json${query}`;
const priceAlerts = () => prisma().budgetAlert.findMany({ where: { kind: 'price_change' }, orderBy: { createdAt: 'asc' } });
const hooks = () => receiver.ok('/hook').map((d) => ({ ...d, body: JSON.parse(d.raw) as Record<string, any> }));

describe('price-change alerts from pricing sync', () => {
  it('a refused change (no --yes) raises nothing', async () => {
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--source', litellm('?scale=130&models=gpt-4o'));
    expect(run.code).toBe(3);
    expect(await priceAlerts()).toEqual([]);
    expect(receiver.all).toEqual([]);
  });

  it('an applied 30 % change is recorded as a price_change alert and delivered, signed, to the webhook', async () => {
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o'));
    expect(run.code).toBe(0);
    const [line] = alerts(run.stdout);
    const [row, ...more] = await priceAlerts();
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      kind: 'price_change',
      dedupeKey: `price_change:openai:gpt-4o:${line!.priceId}`,
      provider: 'openai',
      model: 'gpt-4o',
      status: 'delivered',
      details: { maxChangePercent: '+30.00%', thresholdPercent: '20', priceId: line!.priceId, source: 'discovered' },
    });
    expect(row!.message).toContain('changed by +30.00% (above the 20% threshold)');
    expect(row!.message).toContain('input 2.5 → 3.25');
    expect((row!.details as { changes: unknown[] }).changes).toContainEqual({ rate: 'input', old: '2.5', new: '3.25', percent: '+30.00%' });
    expect(run.stderr).toContain(`alert ${row!.id} (price_change openai/gpt-4o) recorded: webhook delivered`);

    const [hook, ...others] = hooks();
    expect(others).toEqual([]);
    expect(hook!.headers['x-tollgate-event']).toBe('pricing.change');
    expect(hook!.body).toMatchObject({ id: row!.id, type: 'pricing.change', provider: 'openai', model: 'gpt-4o', message: row!.message });
    expect(verifyWebhookSignature({ secret: SECRET, rawBody: hook!.raw, signature: hook!.headers['x-tollgate-signature'] as string, timestamp: hook!.headers['x-tollgate-timestamp'] as string })).toBe(true);
  });

  it('the same prices again change nothing and raise nothing', async () => {
    const before = await snapshot(env.cli);
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o'));
    expect(run.code).toBe(0);
    expect(alerts(run.stdout)).toEqual([]);
    expect(await snapshot(env.cli)).toEqual(before);
    expect(hooks()).toHaveLength(1);
  });

  it('a webhook that fails leaves the alert pending (attempt and error recorded) for a gateway to retry; the sync still succeeds', async () => {
    receiver.failNext(1, '/hook');
    const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini'));
    expect(run.code).toBe(0);
    expect(alerts(run.stdout).map((a) => a.model)).toEqual(['gpt-4o-mini']);
    const row = (await priceAlerts()).find((a) => a.model === 'gpt-4o-mini');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, details: { maxChangePercent: '+30.00%' } });
    expect(row!.lastError).toContain('webhook: HTTP 500');
    expect(row!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(run.stderr).toContain(`alert ${row!.id} (price_change openai/gpt-4o-mini) recorded: webhook pending`);
  });

  it('with alerts.enabled false nothing is recorded (the ALERT line is still printed)', async () => {
    env.writeConfig({ alerts: { enabled: false } });
    try {
      const count = (await priceAlerts()).length;
      const run = await env.cli.run('pricing', 'sync', '--provider', 'openai', '--yes', '--source', litellm('?scale=130&models=gpt-4o,gpt-4o-mini,o3'));
      expect(run.code).toBe(0);
      expect(alerts(run.stdout).map((a) => a.model)).toEqual(['o3']);
      expect(await priceAlerts()).toHaveLength(count);
    } finally {
      env.writeConfig({});
    }
  });
});
