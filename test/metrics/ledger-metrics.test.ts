// The ledger's metrics during a PostgreSQL outage (a TCP proxy between the gateway and the
// database is cut; the shared server is untouched): failed batch writes are counted in
// tollgate_ledger_write_errors_total, the backlog shows in tollgate_ledger_pending_events, and
// tollgate_ledger_lag_seconds grows with the batch the writer holds during the outage, and once
// the database is back the batches written carry their age in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, eventually, ledgerRow } from '../support/faults.js';
import { startProxiedGateway, type ProxiedTestGateway } from '../support/proxied-gateway.js';
import { sampleValue, scrape } from './scrape.js';

const CALLS = 5;
/** The outage lasts at least this long after the first call made during it. */
const OUTAGE_MS = 3_000;

let t: ProxiedTestGateway;

beforeAll(async () => {
  t = await startProxiedGateway();
});

afterAll(async () => {
  await t?.close();
});

async function metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  return sampleValue(await scrape(t.url), name, labels);
}

describe('ledger metrics while PostgreSQL is away', () => {
  it('write errors rise, the backlog is visible, and the lag after recovery is at least the outage', { timeout: 90_000 }, async () => {
    // Warm: the key is cached (calls keep working without the database) and one row is written.
    const warm = await chat(t, t.key);
    expect(warm.status).toBe(200);
    await ledgerRow(t, warm.requestId);
    const errorsBefore = (await metric('tollgate_ledger_write_errors_total'))!;
    const rowsBefore = (await metric('tollgate_ledger_rows_written_total'))!;
    expect(errorsBefore).toBe(0);
    expect(rowsBefore).toBeGreaterThanOrEqual(1);
    expect(await metric('tollgate_ledger_lag_seconds')).toBeLessThan(OUTAGE_MS / 1000);

    t.dbProxy.cut('reset');
    const firstCallAt = Date.now();
    const answers = await Promise.all(Array.from({ length: CALLS }, () => chat(t, t.key)));
    expect(answers.map((a) => a.status)).toEqual(Array(CALLS).fill(200));

    // The writer keeps trying the same batch: each failed attempt is counted.
    await eventually(async () => ((await metric('tollgate_ledger_write_errors_total'))! > errorsBefore ? true : undefined), 'a failed ledger write counted', 15_000);
    // The backlog gauge is sampled every few seconds: every event of the outage is in it.
    await eventually(async () => ((await metric('tollgate_ledger_pending_events'))! >= CALLS ? true : undefined), `at least ${CALLS} pending events`, 15_000);
    expect(await metric('tollgate_ledger_rows_written_total')).toBe(rowsBefore);

    const held = OUTAGE_MS - (Date.now() - firstCallAt);
    if (held > 0) await new Promise((r) => setTimeout(r, held));
    // During the outage the lag grows with the batch the writer holds: an alert can fire on it
    // before anything is written again.
    expect(await metric('tollgate_ledger_lag_seconds')).toBeGreaterThanOrEqual((Date.now() - firstCallAt - 1_000) / 1000);
    const restoredAt = Date.now();
    t.dbProxy.restore();

    for (const answer of answers) await ledgerRow(t, answer.requestId, 30_000);
    const after = await scrape(t.url);
    expect(sampleValue(after, 'tollgate_ledger_rows_written_total')).toBeGreaterThanOrEqual(rowsBefore + CALLS);
    // The batches written after the outage held events from its start: the lag says how old.
    expect(sampleValue(after, 'tollgate_ledger_lag_seconds')).toBeGreaterThanOrEqual((restoredAt - firstCallAt - 500) / 1000);
    // Counters never go down: the errors of the outage stay counted.
    expect(sampleValue(after, 'tollgate_ledger_write_errors_total')).toBeGreaterThan(errorsBefore);
    await eventually(async () => ((await metric('tollgate_ledger_pending_events')) === 0 ? true : undefined), 'the backlog drained', 15_000);
  });
});
