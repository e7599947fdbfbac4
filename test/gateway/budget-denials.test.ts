// What a denied client sees, field by field: every x-tollgate-budget-* header and retry-after
// with exact values, the OpenAI-shaped `error` (with `error.budget`) and Gemini's
// google.rpc.ErrorInfo, and that a denied call never reaches the provider. Real Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToUsd } from '../../src/core/money.js';
import { admin, createHierarchy } from '../support/admin.js';
import { reservedNano } from '../support/estimate.js';
import { eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { clearOfDayBoundary } from '../support/period-boundary.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => t?.close());

const BODY = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Count to three' }] };
const DAY_MS = 86_400_000;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  /** Clock readings around the call: the gateway's own "now" lies between them. */
  sentAt: number;
  answeredAt: number;
}

async function call(path: string, init: { headers: Record<string, string>; body: unknown }): Promise<Answer> {
  const sentAt = Date.now();
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...init.headers }, body: JSON.stringify(init.body) });
  const body = await response.json();
  return { status: response.status, headers: response.headers, body, sentAt, answeredAt: Date.now() };
}

const openai = (key: string, extra: Record<string, string> = {}) => call('/openai/v1/chat/completions', { headers: { authorization: `Bearer ${key}`, ...extra }, body: BODY });
const xai = (key: string) => call('/xai/v1/chat/completions', { headers: { authorization: `Bearer ${key}` }, body: { model: 'grok-4', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] } });
const gemini = (key: string) =>
  call('/gemini/v1beta/models/gemini-2.5-flash:generateContent', { headers: { 'x-goog-api-key': key }, body: { contents: [{ parts: [{ text: 'hello' }] }] } });

/** The next instant at `hour`:00 UTC strictly after `ms` (a zone without DST: its local midnight). */
function nextUtcHour(ms: number, hour: number): string {
  const day = new Date(ms);
  let at = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour);
  if (at <= ms) at += DAY_MS;
  return new Date(at).toISOString();
}

/**
 * Checks the reset header of a daily budget whose local midnight is `utcHourOfLocalMidnight`:00
 * UTC, for a call made between sentAt and answeredAt (two candidates only when the call
 * straddled that midnight), and retry-after against it; returns the reset.
 */
function expectReset(answer: Answer, utcHourOfLocalMidnight: number): string {
  const reset = answer.headers.get('x-tollgate-budget-reset')!;
  expect([nextUtcHour(answer.sentAt, utcHourOfLocalMidnight), nextUtcHour(answer.answeredAt, utcHourOfLocalMidnight)]).toContain(reset);
  // retry-after: whole seconds from the gateway's clock to the reset, rounded up.
  const resetMs = Date.parse(reset);
  const retry = Number(answer.headers.get('retry-after'));
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(retry).toBeGreaterThanOrEqual(Math.ceil((resetMs - answer.answeredAt) / 1000));
  expect(retry).toBeLessThanOrEqual(Math.ceil((resetMs - answer.sentAt) / 1000));
  return reset;
}

function budgetHeaders(answer: Answer) {
  const names = ['level', 'period', 'limit-usd', 'spent-usd', 'reserved-usd'];
  return Object.fromEntries(names.map((n) => [n, answer.headers.get(`x-tollgate-budget-${n}`)]));
}

async function keyOf(name: string) {
  const h = await createHierarchy(t, name);
  const key = await admin(t, 'POST', '/keys', { name, organizationId: h.organizationId, projectId: h.projectId, team: h.teamId, userId: h.userId });
  return { h, key: key.secret as string, keyId: key.id as string };
}

describe('a denied OpenAI or xAI client', () => {
  it('gets every header and every error.budget field with exact values (spent after a settled call, daily in Asia/Tokyo)', { timeout: 180_000 }, async () => {
    // The denial must show what the first call spent: both calls in one Tokyo day (midnight
    // there is 15:00 UTC). This may wait up to two minutes.
    await clearOfDayBoundary(['Asia/Tokyo']);
    const { h, key } = await keyOf('denial-exact');
    const limit = nanoToUsd(reservedNano(t, BODY)); // room for exactly one call
    const budget = await admin(t, 'POST', '/budgets', { level: 'user', entityId: h.userId, period: 'daily', timezone: 'Asia/Tokyo', limitUsd: limit });
    t.simulator.clearRequests();
    expect((await openai(key)).status).toBe(200);
    const { spentUsd: spent } = await eventually(async () => {
      const status = await admin(t, 'GET', `/budgets/${budget.id}/status`);
      return status.reservedUsd === '0' && status.spentUsd !== '0' ? status : undefined;
    }, 'the first call settled', 30_000);

    const denied = await openai(key);
    expect(denied.status).toBe(429);
    expect(budgetHeaders(denied)).toEqual({ level: 'user', period: 'daily', 'limit-usd': limit, 'spent-usd': spent, 'reserved-usd': '0' });
    const reset = expectReset(denied, 15); // Tokyo midnight is 15:00 UTC
    expect(denied.body).toEqual({
      error: {
        message: `Budget exceeded: the daily user budget of $${limit} has $${spent} spent and $0 reserved; it resets at ${reset}.`,
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
        budget: { id: budget.id, level: 'user', period: 'daily', limit_usd: limit, spent_usd: spent, reserved_usd: '0', resets_at: reset },
      },
    });
    expect(t.simulator.requests).toHaveLength(1); // the admitted call only
  });

  it('a total budget never resets: no reset header, no retry-after, resets_at null (OpenAI and xAI routes)', async () => {
    const { h, key } = await keyOf('denial-total');
    const budget = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, period: 'total', limitUsd: '0' });
    t.simulator.clearRequests();
    for (const denied of [await openai(key), await xai(key)]) {
      expect(denied.status).toBe(429);
      expect(budgetHeaders(denied)).toEqual({ level: 'organization', period: 'total', 'limit-usd': '0', 'spent-usd': '0', 'reserved-usd': '0' });
      expect(denied.headers.get('x-tollgate-budget-reset')).toBeNull();
      expect(denied.headers.get('retry-after')).toBeNull();
      expect(denied.body).toEqual({
        error: {
          message: 'Budget exceeded: the total organization budget of $0 has $0 spent and $0 reserved; it does not reset.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
          budget: { id: budget.id, level: 'organization', period: 'total', limit_usd: '0', spent_usd: '0', reserved_usd: '0', resets_at: null },
        },
      });
    }
    expect(t.simulator.requests).toHaveLength(0);
  });

  it('an inherited default is named with where it was set, and its id is the default budget', async () => {
    const { h, key } = await keyOf('denial-default');
    const def = await admin(t, 'POST', '/budgets', { level: 'organization', entityId: h.organizationId, appliesTo: 'key', period: 'total', limitUsd: '0' });
    const denied = await openai(key);
    expect(denied.status).toBe(429);
    expect(denied.headers.get('x-tollgate-budget-level')).toBe('key');
    expect(denied.body.error.message).toBe('Budget exceeded: the total key budget (default set on organization) of $0 has $0 spent and $0 reserved; it does not reset.');
    expect(denied.body.error.budget).toEqual({ id: def.id, level: 'key', period: 'total', limit_usd: '0', spent_usd: '0', reserved_usd: '0', resets_at: null });
  });
});

describe('a denied Gemini client', () => {
  it('gets RESOURCE_EXHAUSTED with one ErrorInfo carrying the budget, the same headers, and nothing upstream', { timeout: 180_000 }, async () => {
    // A daily UTC budget, its reset checked: the call held and the denial in one day. This may
    // wait up to two minutes.
    await clearOfDayBoundary();
    const { h, key } = await keyOf('denial-gemini');
    const held = nanoToUsd(reservedNano(t, BODY));
    const budget = await admin(t, 'POST', '/budgets', { level: 'project', entityId: h.projectId, period: 'daily', limitUsd: held });
    t.simulator.clearRequests();
    // An OpenAI call held upstream (at a gate, until the denial below was answered) fills the
    // budget with its reservation: nothing is spent yet when the Gemini call is denied.
    const gate = t.simulator.closeGate(`denial-gemini-${budget.id}`);
    const inFlight = openai(key, { 'x-sim-hold-gate': `denial-gemini-${budget.id}` });
    await eventually(async () => ((await admin(t, 'GET', `/budgets/${budget.id}/status`)).reservedUsd === held ? true : undefined), 'the reservation is held', 30_000);

    const denied = await gemini(key);
    expect(denied.status).toBe(429);
    expect(budgetHeaders(denied)).toEqual({ level: 'project', period: 'daily', 'limit-usd': held, 'spent-usd': '0', 'reserved-usd': held });
    const reset = expectReset(denied, 0); // UTC
    const { details, ...rest } = denied.body.error;
    expect(rest).toEqual({
      code: 429,
      status: 'RESOURCE_EXHAUSTED',
      message: `Budget exceeded: the daily project budget of $${held} has $0 spent and $${held} reserved; it resets at ${reset}.`,
    });
    expect(details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'BUDGET_EXCEEDED', domain: 'tollgate', metadata: { budget: expect.any(String) } },
    ]);
    // ErrorInfo.metadata is map<string, string>: the budget travels as JSON text.
    expect(JSON.parse(details[0].metadata.budget)).toEqual({ id: budget.id, level: 'project', period: 'daily', limit_usd: held, spent_usd: '0', reserved_usd: held, resets_at: reset });

    gate.release();
    expect((await inFlight).status).toBe(200);
    expect(t.simulator.requests.map((r) => r.path)).toEqual(['/openai/v1/chat/completions']);
  });
});
