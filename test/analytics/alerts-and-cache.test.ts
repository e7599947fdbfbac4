// Two analytics answers no other test checked (issue 9):
// - GET /analytics/alerts: counts by kind and delivery status and the newest alerts, with its
//   kind, status, since and limit filters, over BudgetAlert rows written here with known times;
// - the low_cache_share recommendation, over ledger rows written here with known token counts.
// This gateway has no budget, no alert channel and no traffic, so nothing but these rows is in
// either table while the tests run.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import type { UsageEvent } from '../../src/ledger/event.js';
import { createHierarchy } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { makeEvent } from '../support/usage-events.js';
import { analytics, configFile, FAST_JOBS, rolledUp } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t: TestGateway;
const started = Date.now();

/** The alerts, oldest last; `ageMs` before the test started. */
const ALERTS = [
  { name: 'a1', kind: 'threshold', status: 'delivered', ageMs: 1 * HOUR },
  { name: 'a2', kind: 'threshold', status: 'failed', ageMs: 2 * HOUR },
  { name: 'a3', kind: 'velocity', status: 'pending', ageMs: 3 * HOUR },
  { name: 'a4', kind: 'fallback_price', status: 'skipped', ageMs: 2 * DAY },
  { name: 'a6', kind: 'velocity', status: 'failed', ageMs: 5 * DAY },
  { name: 'a5', kind: 'threshold', status: 'delivered', ageMs: 40 * DAY }, // before the default 30 days
] as const;
const alertIds = new Map<string, string>();

beforeAll(async () => {
  t = await startTestGateway({ env: { TOLLGATE_CONFIG: configFile(FAST_JOBS) } });
  const prisma = t.gateway.storage.prisma;
  for (const a of ALERTS) {
    const id = randomUUID();
    alertIds.set(a.name, id);
    await prisma.budgetAlert.create({
      data: {
        id,
        kind: a.kind,
        dedupeKey: `test:${a.name}`,
        message: `alert ${a.name}`,
        details: {},
        status: a.status,
        // A pending alert's lease far ahead: no sweeper takes it (and none has a channel anyway).
        nextAttemptAt: a.status === 'pending' ? new Date(started + 30 * DAY) : null,
        createdAt: new Date(started - a.ageMs),
      },
    });
  }
  await insertWithRecordset(prisma, await cacheRows());
  await rolledUp(t);
});
afterAll(async () => t?.close());

const headers = () => ({ authorization: `Bearer ${t.gateway.adminToken}` });
const names = (recent: Array<{ id: string }>) => recent.map((r) => [...alertIds].find(([, id]) => id === r.id)?.[0]);

describe('GET /analytics/alerts', () => {
  it('by default: the last 30 days, counted by kind and by status, newest first', async () => {
    const summary = await analytics(t, '/alerts');
    expect(Math.abs(Date.parse(summary.since) - (Date.now() - 30 * DAY))).toBeLessThan(60_000);
    expect(summary.total).toBe(5); // a5 is 40 days old
    expect(summary.byKind).toEqual({ threshold: 2, velocity: 2, fallback_price: 1 });
    expect(summary.byStatus).toEqual({ delivered: 1, failed: 2, pending: 1, skipped: 1 });
    expect(names(summary.recent)).toEqual(['a1', 'a2', 'a3', 'a4', 'a6']);
    expect(summary.recent[0]).toMatchObject({ kind: 'threshold', status: 'delivered', message: 'alert a1' });
  });

  it('kind, status and since filter the counts and the list alike, and combine', async () => {
    const velocity = await analytics(t, '/alerts?kind=velocity');
    expect([velocity.total, velocity.byKind, velocity.byStatus, names(velocity.recent)]).toEqual([2, { velocity: 2 }, { pending: 1, failed: 1 }, ['a3', 'a6']]);

    const failed = await analytics(t, '/alerts?status=failed');
    expect([failed.total, failed.byKind, failed.byStatus, names(failed.recent)]).toEqual([2, { threshold: 1, velocity: 1 }, { failed: 2 }, ['a2', 'a6']]);

    const since = new Date(started - 2.5 * HOUR).toISOString();
    const recent = await analytics(t, `/alerts?since=${since}`);
    expect(recent.since).toBe(since);
    expect([recent.total, names(recent.recent)]).toEqual([2, ['a1', 'a2']]);

    // Delivered thresholds: a1 only in the default window; a5 too once `since` reaches back 60 days.
    expect(names((await analytics(t, '/alerts?kind=threshold&status=delivered')).recent)).toEqual(['a1']);
    const longAgo = new Date(started - 60 * DAY).toISOString();
    const both = await analytics(t, `/alerts?kind=threshold&status=delivered&since=${longAgo}`);
    expect([both.total, both.byKind, names(both.recent)]).toEqual([2, { threshold: 2 }, ['a1', 'a5']]);

    const none = await analytics(t, '/alerts?kind=no_such_kind');
    expect([none.total, none.byKind, none.byStatus, none.recent]).toEqual([0, {}, {}, []]);
  });

  it('limit shortens the list, not the counts', async () => {
    const two = await analytics(t, '/alerts?limit=2');
    expect(two.total).toBe(5);
    expect(names(two.recent)).toEqual(['a1', 'a2']);
  });

  it('rejects a bad since or limit with 400', async () => {
    for (const query of ['since=garbage', 'limit=0', 'limit=501', 'limit=abc']) {
      const response = await fetch(`${t.url}/analytics/alerts?${query}`, { headers: headers() });
      expect(response.status, query).toBe(400);
    }
  });
});

// ---- low_cache_share: a model with at least 100,000 input tokens in the window, under 10 % of
// them cache reads, and a cached rate below its input rate. The estimate: the savings if half of
// the input were cache reads, (input / 2 − cached) × (input rate − cached rate).
interface Group { provider: string; model: string; input: number; cached: number; ageMs: number; teamId?: string }
const HOURS_AGO = 2 * HOUR;
const GROUPS: Group[] = [
  // gpt-4o-mini ($0.15/M, cached $0.075/M), spread over a team and no team: 4 × 50,000 input,
  // 4 × 2,000 cached → 4 %; (100,000 − 8,000) × $0.075/M = $0.0069.
  ...[0, 1, 2, 3].map((i) => ({ provider: 'openai', model: 'gpt-4o-mini', input: 50_000, cached: 2_000, ageMs: HOURS_AGO, teamId: i < 2 ? 'TEAM' : undefined })),
  // gpt-4.1 ($2/M, cached $0.50/M): 9,999 of 100,000 = 9.99 %, just under: (50,000 − 9,999) × $1.50/M = $0.0600015.
  { provider: 'openai', model: 'gpt-4.1', input: 100_000, cached: 9_999, ageMs: HOURS_AGO },
  // gpt-4o: exactly 10 % cached: not low.
  { provider: 'openai', model: 'gpt-4o', input: 100_000, cached: 10_000, ageMs: HOURS_AGO },
  // gpt-4.1-mini: nothing cached but only 99,999 input: too little to matter.
  { provider: 'openai', model: 'gpt-4.1-mini', input: 99_999, cached: 0, ageMs: HOURS_AGO },
  // grok-4 has no cached rate (cached tokens bill as input): caching would save nothing.
  { provider: 'xai', model: 'grok-4', input: 300_000, cached: 0, ageMs: HOURS_AGO },
  // gemini-2.5-flash ($0.30/M, cached $0.03/M), ten days ago: only in a 30-day window.
  // (250,000 − 0) × $0.27/M = $0.0675.
  { provider: 'gemini', model: 'gemini-2.5-flash', input: 500_000, cached: 0, ageMs: 10 * DAY },
];

let teamId = '';
async function cacheRows(): Promise<UsageEvent[]> {
  teamId = (await createHierarchy(t, 'cache')).teamId;
  return GROUPS.map((g, i) => ({
    ...makeEvent(i, { prefix: 'cache', createdAt: new Date(started - g.ageMs), provider: g.provider, requestedModel: g.model, teamId: g.teamId ? teamId : undefined }),
    responseModel: undefined,
    inputTokens: g.input,
    cachedInputTokens: g.cached,
    cacheWriteTokens: undefined,
  }));
}

const lowCache = async (days: number) =>
  ((await analytics(t, `/recommendations?days=${days}`)).recommendations as any[])
    .filter((r) => r.type === 'low_cache_share')
    .map((r) => [r.provider, r.model, r.cachedSharePercent, r.estimatedSavingsUsd]);

describe('the low_cache_share recommendation', () => {
  it('names the models with heavy input and few cache reads, largest savings first, exactly estimated', async () => {
    expect(await lowCache(7)).toEqual([
      ['openai', 'gpt-4.1', 9.99, '0.0600015'],
      ['openai', 'gpt-4o-mini', 4, '0.0069'],
    ]);
    const rec = ((await analytics(t, '/recommendations?days=7')).recommendations as any[]).find((r) => r.model === 'gpt-4o-mini' && r.type === 'low_cache_share');
    expect(rec).toMatchObject({ severity: 'info', title: 'openai gpt-4o-mini: few cached input tokens' });
    expect(rec.detail).toContain('Only 4% of 200000 input tokens were cache reads');
  });

  it('looks back `days` days: older heavy input counts only in a window that reaches it', async () => {
    expect(await lowCache(30)).toEqual([
      ['gemini', 'gemini-2.5-flash', 0, '0.0675'],
      ['openai', 'gpt-4.1', 9.99, '0.0600015'],
      ['openai', 'gpt-4o-mini', 4, '0.0069'],
    ]);
  });
});
