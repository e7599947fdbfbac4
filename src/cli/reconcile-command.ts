/**
 * `tollgate reconcile [--reseed] [--json]`: compares every budget's live counters with the
 * usage ledger (ledger/reconcile.ts) and exits 1 when any counter drifted, so a cron job can
 * alert on the exit code alone.
 */
import { BudgetDirectory, budgetRule } from '../budgets/directory.js';
import { nanoToUsd } from '../core/money.js';
import { redisCounterProbe } from '../ledger/counter-probe.js';
import { reconcile, type CounterReport } from '../ledger/reconcile.js';
import { parse, type Command } from './context.js';
import { printJson, printTable, usd, withSharedStore } from './support.js';

const USAGE = `Usage:
  tollgate reconcile [--reseed] [--json]

  For every budget and every counter of it in its current period, compares the live counter
  (Redis) with the ledger's spend, and prints each counter's ledger sum, counter value and
  drift (counter minus ledger, USD: positive when the counter counted more).
  --reseed   Sets each MISSING counter to the ledger's sum (never overwrites an existing one),
             e.g. after Redis lost its data. Run once more afterwards to confirm.
  --json     The report as JSON (amounts as exact USD strings and integer nano-USD strings).

  Usage events still queued (not yet written to the ledger) show up as drift until the
  ledger writer catches up; the report says how many there were.
  Needs Redis: without it the counters live inside the gateway process.

  Exit codes: 0 no drift, 1 drift found (including counters --reseed just repaired) or a
  failure, 2 wrong usage.
`;

function state(c: CounterReport): string {
  if (c.reseeded) return 'reseeded';
  if (c.driftNano === 0n) return 'ok';
  return c.missing ? 'drift (counter missing)' : 'drift';
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Compare budget counters with the usage ledger (exit 1 on drift)',
  usage: USAGE,
  async run(args, ctx) {
    const { values } = parse(args, { reseed: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } });
    const got = await withSharedStore(ctx, 'reconcile', async ({ config, storage, shared }) => {
      const rows = await storage.prisma.budget.findMany({ orderBy: { createdAt: 'asc' } });
      // The directory tells which children an inherited default really applies to (a child
      // with a budget of its own does not use the default).
      const directory = new BudgetDirectory();
      directory.replace(rows);
      return reconcile({
        prisma: storage.prisma,
        store: shared.store,
        rules: rows.map(budgetRule),
        reseed: values.reseed,
        counterExists: redisCounterProbe(shared.redis, config.storage.redisKeyPrefix),
        directory,
      });
    });
    if (!got) return 1;
    const report = got.value;
    const reseeded = report.counters.filter((c) => c.reseeded).length;
    if (values.json) {
      printJson(ctx, {
        ok: report.drifted.length === 0,
        checked: report.counters.length,
        drifted: report.drifted.length,
        reseeded,
        queueLength: report.queueLength,
        counters: report.counters.map((c) => ({
          ...c,
          storeUsd: nanoToUsd(c.storeNano),
          driftUsd: nanoToUsd(c.driftNano),
        })),
      });
    } else {
      if (report.counters.length > 0) {
        printTable(ctx, [
          ['BUDGET', 'LEVEL', 'COUNTER ENTITY', 'PERIOD', 'ROWS', 'LEDGER', 'COUNTER', 'DRIFT', 'STATE'],
          ...report.counters.map((c) => [
            c.ruleId,
            c.level,
            c.counterEntityId,
            c.periodId,
            String(c.rows),
            usd(c.ledgerUsd),
            usd(nanoToUsd(c.storeNano)),
            usd(nanoToUsd(c.driftNano)),
            state(c),
          ]),
        ]);
      }
      ctx.stdout(
        `${report.counters.length} counter${report.counters.length === 1 ? '' : 's'} checked, ${report.drifted.length} drifted` +
          `${values.reseed ? `, ${reseeded} reseeded from the ledger` : ''}.\n`,
      );
      if (report.queueLength > 0) {
        ctx.stdout(`${report.queueLength} usage event${report.queueLength === 1 ? ' was' : 's were'} still queued for the ledger: drift may be them; run again once the writer catches up.\n`);
      }
      if (reseeded > 0) ctx.stdout('Run tollgate reconcile again to confirm the reseeded counters.\n');
    }
    return report.drifted.length === 0 ? 0 : 1;
  },
};
