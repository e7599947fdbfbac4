// The delivery queue on its own: retries and giving up, a full queue, and an alert whose
// instance died mid-delivery being taken over by another instance's sweeper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { AlertDelivery, backoffMs } from '../../src/alerts/delivery.js';
import { AlertTable } from '../../src/alerts/table.js';
import type { AlertRow, Channel, NewAlert } from '../../src/alerts/types.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitFor } from '../analytics/helpers.js';

let db: TestDatabase;
let table: AlertTable;
const logger = pino({ level: 'silent' });
let seq = 0;

const alert = (): NewAlert => ({ kind: 'threshold', dedupeKey: `test:${++seq}`, budgetId: 'b1', threshold: 50, message: `alert ${seq}`, details: { n: seq } });

function channel(name: Channel['name'], behave: (row: AlertRow, attempt: number) => Promise<void>): Channel & { calls: string[] } {
  const calls: string[] = [];
  return { name, calls, send: (row) => (calls.push(row.id), behave(row, calls.filter((id) => id === row.id).length)) };
}

function delivery(channels: Channel[], extra: Partial<ConstructorParameters<typeof AlertDelivery>[0]> = {}) {
  return new AlertDelivery({ table, channels, maxAttempts: 3, retryBaseMs: 20, retryMaxMs: 100, queueSize: 100, leaseMs: 60_000, sweepMs: 60_000, logger, ...extra });
}

beforeAll(async () => {
  db = await createTestDatabase();
  table = new AlertTable(db.database.prisma);
});
afterAll(async () => db?.drop());

const row = (id: string) => db.database.prisma.budgetAlert.findUniqueOrThrow({ where: { id } });

describe('alert delivery', () => {
  it('raises an alert once per dedupe key', async () => {
    const a = alert();
    expect(await table.insert(a, ['webhook'], 600_000)).toBeDefined();
    expect(await table.insert(a, ['webhook'], 600_000)).toBeUndefined();
    expect(await db.database.prisma.budgetAlert.count({ where: { dedupeKey: a.dedupeKey } })).toBe(1);
  });

  it('backs off exponentially within the cap', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, 100, 1000, mid))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(1, 100, 1000, () => 0)).toBe(80);
    expect(backoffMs(1, 100, 1000, () => 1)).toBe(120);
  });

  it('gives up on a channel after maxAttempts while another channel succeeds', async () => {
    const good = channel('slack', async () => {});
    const bad = channel('webhook', async () => Promise.reject(new Error('HTTP 503')));
    const d = delivery([bad, good]);
    d.start();
    const inserted = (await table.insert(alert(), d.channelNames, 60_000))!;
    d.offer(inserted);
    const final = await waitFor('the alert to fail', async () => ((await row(inserted.id)).status === 'failed' ? row(inserted.id) : undefined));
    expect(final.attempts).toBe(4);
    expect(final.deliveries).toMatchObject({ webhook: { status: 'failed', attempts: 3, lastError: 'HTTP 503' }, slack: { status: 'delivered', attempts: 1 } });
    expect(good.calls).toHaveLength(1);
    expect(final.nextAttemptAt).toBeNull();
    await d.stop();
  });

  it('a sweeper takes over an alert whose instance died, and only once', async () => {
    // Raised by an instance that died before delivering: its lease has run out.
    const orphan = (await table.insert(alert(), ['webhook'], -1))!;
    const sent: string[] = [];
    const a = delivery([channel('webhook', async (r) => void sent.push(r.id))]);
    const b = delivery([channel('webhook', async (r) => void sent.push(r.id))]);
    a.start();
    b.start();
    await Promise.all([a.sweep(), b.sweep(), a.sweep()]);
    await waitFor('the takeover', async () => (await row(orphan.id)).status === 'delivered');
    expect(sent.filter((id) => id === orphan.id)).toHaveLength(1);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a full queue leaves the alert to the sweepers instead of dropping it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = channel('webhook', () => gate);
    const d = delivery([slow], { queueSize: 1, concurrency: 1 });
    d.start();
    const rows = await Promise.all([1, 2, 3].map(() => table.insert(alert(), ['webhook'], 60_000)));
    const accepted = rows.map((r) => d.offer(r!));
    expect(accepted).toEqual([true, true, false]); // one sending, one queued, one over
    expect(d.stats.overflowed).toBe(1);
    await waitFor('the overflowed row to be handed to sweepers', async () => (await row(rows[2]!.id)).nextAttemptAt!.getTime() <= Date.now());
    release();
    await waitFor('the queue to drain', async () => (await row(rows[1]!.id)).status === 'delivered');
    expect(await d.sweep()).toBe(1);
    await waitFor('the swept row', async () => (await row(rows[2]!.id)).status === 'delivered');
    await d.stop();
  });
});
