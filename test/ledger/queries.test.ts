import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECENT, recentUsage, usageByRequestId } from '../../src/ledger/queries.js';
import { insertWithRecordset } from '../../src/ledger/rows.js';
import type { UsageEvent } from '../../src/ledger/event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { makeEvent } from '../support/usage-events.js';

let db: TestDatabase;
const T0 = Date.parse('2026-11-20T00:00:00Z');
// 60 events one minute apart; makeEvent varies provider, model, key.
const events: UsageEvent[] = Array.from({ length: 60 }, (_, i) => makeEvent(i, { prefix: 'q', createdAt: new Date(T0 + i * 60_000) }));

beforeAll(async () => {
  db = await createTestDatabase();
  await insertWithRecordset(db.database.prisma, events);
});
afterAll(async () => {
  await db.drop();
});

describe('ledger queries', () => {
  it('finds one request by id, with exact decimal strings', async () => {
    const e = events[7]!;
    const row = await usageByRequestId(db.database.prisma, e.requestId);
    expect(row).toMatchObject({
      requestId: e.requestId,
      costTotalUsd: e.costTotalUsd,
      costOutputUsd: e.costOutputUsd,
      costCachedUsd: '0',
      provider: e.provider,
      createdAt: e.createdAt,
    });
    expect(typeof row!.id).toBe('string');
    expect(JSON.parse(JSON.stringify(row))).toMatchObject({ costTotalUsd: e.costTotalUsd }); // JSON-safe
    expect(await usageByRequestId(db.database.prisma, 'no-such-request')).toBeNull();
  });

  it('lists recent usage newest first, with a limit', async () => {
    const rows = await recentUsage(db.database.prisma, { limit: 5 });
    expect(rows.map((r) => r.requestId)).toEqual(['q-59', 'q-58', 'q-57', 'q-56', 'q-55']);
    expect(await recentUsage(db.database.prisma, { limit: 10_000 })).toHaveLength(60);
    expect(MAX_RECENT).toBe(1000);
  });

  it('filters by provider, model (requested or response), key and time', async () => {
    const p = db.database.prisma;
    const byProvider = await recentUsage(p, { limit: 100, provider: 'gemini' });
    expect(byProvider.map((r) => r.requestId).sort()).toEqual(events.filter((e) => e.provider === 'gemini').map((e) => e.requestId).sort());

    const byModel = await recentUsage(p, { limit: 100, model: 'gpt-4o-2024-08-06' });
    expect(byModel).toHaveLength(events.filter((e) => e.responseModel === 'gpt-4o-2024-08-06').length);
    const byRequested = await recentUsage(p, { limit: 100, model: 'gpt-4o-mini' });
    expect(byRequested.every((r) => r.requestedModel === 'gpt-4o-mini' || r.responseModel === 'gpt-4o-mini')).toBe(true);

    const byKey = await recentUsage(p, { limit: 100, keyId: 'key-3' });
    expect(byKey.map((r) => r.requestId).sort()).toEqual(events.filter((e) => e.apiKeyId === 'key-3').map((e) => e.requestId).sort());

    const window = await recentUsage(p, { limit: 100, since: new Date(T0 + 10 * 60_000), before: new Date(T0 + 20 * 60_000) });
    expect(window.map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, i) => `q-${19 - i}`));

    const combined = await recentUsage(p, { limit: 100, provider: 'openai', keyId: 'key-1', since: new Date(T0 + 30 * 60_000) });
    const expected = events.filter((e) => e.provider === 'openai' && e.apiKeyId === 'key-1' && e.createdAt.getTime() >= T0 + 30 * 60_000);
    expect(combined.map((r) => r.requestId).sort()).toEqual(expected.map((e) => e.requestId).sort());
  });
});
