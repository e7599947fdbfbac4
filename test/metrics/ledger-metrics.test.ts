// The ledger's metrics during a PostgreSQL outage (a TCP proxy between the gateway and the
// database is cut; the shared server is untouched): failed batch writes are counted in
// tollgate_ledger_write_errors_total, the backlog shows in tollgate_ledger_pending_events, and
// tollgate_ledger_lag_seconds grows with the batch the writer holds during the outage, and once
// the database is back the batches written carry their age in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFile } from '../analytics/helpers.js';
import { chat, eventually, ledgerRow } from '../support/faults.js';
import { startProxiedGateway, type ProxiedTestGateway } from '../support/proxied-gateway.js';
import { sampleValue, scrape } from './scrape.js';

const CALLS = 5;
/** The outage lasts at least this long after the last call made during it has been answered. */
const OUTAGE_MS = 3_000;

let t: ProxiedTestGateway;

beforeAll(async () => {
  // No rollup passes after the one at start-up (the table is empty then, so it opens no
  // transaction): rollups are not what this file checks, and one running when a connection is
  // cut (here, or by close(), whose restore() resets the live ones) leaks its pooled client:
  // Prisma skips the client's release when the ROLLBACK fails, and close() then waits forever.
  t = await startProxiedGateway({ env: { TOLLGATE_CONFIG: configFile('analytics:\n  rollupSeconds: 3600\n') } });
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
    const warmSentAt = Date.now();
    const warm = await chat(t, t.key);
    expect(warm.status).toBe(200);
    await ledgerRow(t, warm.requestId);
    // The row is there once inserted; the batch is done (acknowledged, its lag recorded) a moment
    // later. Not yet done, it would still be in the writer's hands when the database goes away.
    const warmLag = await eventually(async () => {
      const lag = await metric('tollgate_ledger_lag_seconds');
      return lag !== undefined && lag > 0 ? lag : undefined;
    }, 'the warm-up batch acknowledged, its lag recorded');
    const errorsBefore = (await metric('tollgate_ledger_write_errors_total'))!;
    const rowsBefore = (await metric('tollgate_ledger_rows_written_total'))!;
    expect(errorsBefore).toBe(0);
    expect(rowsBefore).toBeGreaterThanOrEqual(1);
    // Its age when written: the request came in after warmSentAt, and it was written by now.
    expect(warmLag).toBeLessThanOrEqual((Date.now() - warmSentAt) / 1000);

    t.dbProxy.cut('reset');
    // ...and younger than this: each call was sent after it.
    const firstCallAt = Date.now();
    const answers = await Promise.all(Array.from({ length: CALLS }, () => chat(t, t.key)));
    // Every event of the outage is older than this: each call came in before it was answered.
    const answeredAt = Date.now();
    expect(answers.map((a) => a.status)).toEqual(Array(CALLS).fill(200));

    // The writer keeps trying the same batch: each failed attempt is counted.
    await eventually(async () => ((await metric('tollgate_ledger_write_errors_total'))! > errorsBefore ? true : undefined), 'a failed ledger write counted', 15_000);
    // The backlog gauge is sampled every few seconds: every event of the outage is in it.
    await eventually(async () => ((await metric('tollgate_ledger_pending_events'))! >= CALLS ? true : undefined), `at least ${CALLS} pending events`, 15_000);
    expect(await metric('tollgate_ledger_rows_written_total')).toBe(rowsBefore);

    const held = OUTAGE_MS - (Date.now() - answeredAt);
    if (held > 0) await new Promise((r) => setTimeout(r, held));
    // During the outage the lag grows with the batch the writer holds: an alert can fire on it
    // before anything is written again. That batch holds outage events, all older than
    // answeredAt: the lag is at least the time since (OUTAGE_MS or more).
    const scrapedAt = Date.now();
    const heldLag = await metric('tollgate_ledger_lag_seconds');
    expect(heldLag).toBeGreaterThanOrEqual((scrapedAt - answeredAt) / 1000);
    expect(heldLag).toBeLessThanOrEqual((Date.now() - firstCallAt) / 1000);
    const restoredAt = Date.now();
    t.dbProxy.restore();

    for (const answer of answers) await ledgerRow(t, answer.requestId, 30_000);
    // The batches written after the outage held events from it, older than answeredAt and written
    // after restoredAt: the lag says how old. A row shows once inserted, its batch's lag once
    // the batch is acknowledged, a moment later: wait for that (else the last reading).
    const agedAtLeast = (restoredAt - answeredAt) / 1000;
    const lag = () => metric('tollgate_ledger_lag_seconds');
    const writtenLag = await eventually(
      async () => {
        const value = await lag();
        return value !== undefined && value >= agedAtLeast ? value : undefined;
      },
      'the lag of the batches written after the outage',
      10_000,
    ).catch(lag);
    expect(writtenLag).toBeGreaterThanOrEqual(agedAtLeast);
    expect(writtenLag).toBeLessThanOrEqual((Date.now() - firstCallAt) / 1000);
    const after = await scrape(t.url);
    expect(sampleValue(after, 'tollgate_ledger_rows_written_total')).toBeGreaterThanOrEqual(rowsBefore + CALLS);
    // Counters never go down: the errors of the outage stay counted.
    expect(sampleValue(after, 'tollgate_ledger_write_errors_total')).toBeGreaterThan(errorsBefore);
    await eventually(async () => ((await metric('tollgate_ledger_pending_events')) === 0 ? true : undefined), 'the backlog drained', 15_000);
  });
});
