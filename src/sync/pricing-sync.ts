/**
 * `tollgate pricing sync` (and the migration step of `pricing migrate`): built-in prices, plus
 * any discovered ones trusted enough, → versioned database rows. The order is fixed so every
 * mode shares it: read → discover → score → plan → print → validate → (stop for --validate-only
 * / --dry-run) → confirm changes above the threshold → apply in one transaction → alert.
 */
import { randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../config/schema.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { BUILTIN_EFFECTIVE_FROM, BUILTIN_PRICES, formatIssues, priceFromRow, validatePrices, type Price } from '../pricing/index.js';
import { applyDecisions } from './apply.js';
import { catalogFor } from './ai-estimate.js';
import { chooseDiscovered, scoreDiscovered } from './confidence.js';
import type { Confirm } from './confirm.js';
import { parsePercent } from './decimal.js';
import { discover, type AiPlan, type SourceSpec } from './discovery.js';
import { SYNC_EXIT } from './exit-codes.js';
import { currentPrice, mergeDiscovered, ModelRows, planPriceSync, type Decision, type Target } from './plan.js';
import { priceChangeRecords, raisePriceChangeAlerts, type PriceChangeRecord } from './price-alerts.js';
import { printAlerts, printDecisions, printPricingTable, printRejected } from './report.js';
import { keyOf } from './types.js';
import { XAI_LANGUAGE_MODELS_PROVIDER } from './xai-language-models.js';

export interface PricingSyncOptions {
  provider?: string;
  dryRun: boolean;
  yes: boolean;
  showPricing: boolean;
  validateOnly: boolean;
  /** Percent as typed ("20"). */
  threshold: string;
  sources: readonly SourceSpec[];
  ai?: AiPlan;
  cwd: string;
  confirm: Confirm;
  /** The diff, tables and ALERT lines (stdout). */
  out: (text: string) => void;
  /** Progress and warnings (stderr). */
  err: (text: string) => void;
  now?: Date;
}

export interface PricingSyncResult {
  exitCode: number;
  /** Rows written (0 in dry runs, refusals and validate-only runs). */
  applied: number;
  decisions: Decision[];
}

const BUILTINS = new Map(BUILTIN_PRICES.map((p) => [keyOf(p.provider, p.model), p]));
const builtinOf = (provider: string, model: string): Price | undefined => BUILTINS.get(keyOf(provider, model));

function builtinTarget(builtin: Price, effectiveFrom: string): Target {
  const { effectiveTo: _ignored, ...content } = structuredClone(builtin);
  return {
    price: { ...content, id: randomUUID(), source: 'sync', effectiveFrom, note: `built-in list price of ${BUILTIN_EFFECTIVE_FROM}` },
    origin: `built-in list price of ${BUILTIN_EFFECTIVE_FROM}`,
  };
}

/** Records and delivers the alerts; a failure is a warning: the prices are applied already. */
async function recordAlerts(prisma: PrismaClient, config: Readonly<GatewayConfig>, changes: readonly PriceChangeRecord[], options: PricingSyncOptions): Promise<void> {
  const warn = (line: string): void => options.err(`warning: ${line}\n`);
  try {
    const { rows, channels } = await raisePriceChangeAlerts(prisma, config.alerts, changes, warn);
    for (const row of rows) {
      const where = channels.length === 0 ? 'no alert channel configured' : channels.map((c) => `${c} ${row.deliveries[c as keyof typeof row.deliveries]?.status ?? 'pending'}`).join(', ');
      options.err(`alert ${row.id} (price_change ${row.provider}/${row.model}) recorded: ${where}\n`);
    }
  } catch (error) {
    warn(`the price-change alerts could not be recorded: ${(error as Error).message}`);
  }
}

export async function runPricingSync(prisma: PrismaClient, config: Readonly<GatewayConfig>, options: PricingSyncOptions): Promise<PricingSyncResult> {
  const now = options.now ?? new Date();
  const effectiveFrom = now.toISOString();
  const progress = (line: string): void => options.err(`${line}\n`);
  const inScope = (provider: string): boolean => !options.provider || provider === options.provider;
  const thresholdAtto = parsePercent(options.threshold);

  const stored = (await prisma.modelPrice.findMany()).map(priceFromRow);
  const rows = new ModelRows(stored);
  const listed = await prisma.model.findMany({ where: { retiredAt: null }, select: { providerId: true, name: true } });
  // Discovery only prices models we know of: a built-in, a listed model (models sync), or a row.
  const known = new Set([...BUILTINS.keys(), ...listed.map((m) => keyOf(m.providerId, m.name)), ...rows.keys()]);

  const builtins = BUILTIN_PRICES.filter((p) => inScope(p.provider));
  progress(`[prices] built-ins: ${builtins.length} models`);
  const discovery = await discover({
    config,
    cwd: options.cwd,
    // xAI's price list only prices xAI: not worth a request when the run covers another provider.
    sources: options.sources.filter((s) => s.kind !== 'xai-language-models' || inScope(XAI_LANGUAGE_MODELS_PROVIDER)),
    ...(options.ai && !options.validateOnly && { ai: options.ai }),
    catalog: catalogFor(stored, { rates: { input: config.pricing.fallbackInputPer1M, output: config.pricing.fallbackOutputPer1M } }),
    yes: options.yes,
    dryRun: options.dryRun,
    confirm: options.confirm,
    out: options.out,
    progress,
  });
  if (discovery.refused) {
    options.err('Refused: the AI extraction was not confirmed (re-run with --yes). Nothing was changed.\n');
    return { exitCode: SYNC_EXIT.refused, applied: 0, decisions: [] };
  }
  const found = discovery.prices.filter((p) => inScope(p.provider));
  const usable = found.filter((p) => known.has(keyOf(p.provider, p.model)));
  if (usable.length < found.length) progress(`[prices] ${found.length - usable.length} discovered prices ignored: models Tollgate does not know (run "tollgate models sync")`);
  scoreDiscovered(usable, builtinOf);
  const threshold = config.sync.discovery.confidenceThreshold;
  const { chosen, rejected } = chooseDiscovered(usable, threshold);

  const targets = new Map<string, Target>(builtins.map((b) => [keyOf(b.provider, b.model), builtinTarget(b, effectiveFrom)]));
  for (const [key, price] of chosen) {
    const { price: current } = currentPrice({ rows, builtinOf }, price.provider, price.model, now.getTime());
    targets.set(key, { price: mergeDiscovered(price, current, randomUUID(), effectiveFrom), origin: price.origin, discovered: price });
  }
  const decisions = planPriceSync({ rows, targets: [...targets.values()], builtinOf, now, thresholdAtto });
  printDecisions(options.out, decisions, options.threshold);
  printRejected(options.out, rejected, threshold);

  const writes = decisions.filter((d) => d.kind === 'add' || d.kind === 'update').map((d) => d.target.price);
  const issues = validatePrices(writes);
  const partial = discovery.unavailable.length > 0 ? SYNC_EXIT.partial : SYNC_EXIT.ok;
  if (options.validateOnly) {
    const rowIssues = validatePrices(stored);
    if (issues.length + rowIssues.length === 0) options.out(`Valid: ${writes.length} prices to write and ${stored.length} database rows.\n`);
    if (issues.length > 0) options.out(`Prices this sync would write are invalid:\n${formatIssues(issues)}\n`);
    if (rowIssues.length > 0) options.out(`Database rows are invalid:\n${formatIssues(rowIssues)}\n`);
    return { exitCode: issues.length + rowIssues.length > 0 ? SYNC_EXIT.failure : partial, applied: 0, decisions };
  }
  if (issues.length > 0) {
    options.err(`Not applied: prices this sync would write are invalid:\n${formatIssues(issues)}\n`);
    return { exitCode: SYNC_EXIT.failure, applied: 0, decisions };
  }
  if (options.dryRun) {
    if (options.showPricing) printPricingTable(options.out, decisions, false);
    options.out('Dry run: nothing was changed.\n');
    return { exitCode: partial, applied: 0, decisions };
  }
  const above = decisions.filter((d) => (d.kind === 'add' || d.kind === 'update') && d.diff.exceeds);
  if (above.length > 0 && !options.yes) {
    const question = `${above.length} price change${above.length === 1 ? '' : 's'} above the ${options.threshold}% threshold. Apply all ${writes.length} changes?`;
    if (!(await options.confirm(question))) {
      options.err(`Refused: ${above.length} change${above.length === 1 ? ' is' : 's are'} above the ${options.threshold}% threshold; re-run with --yes to apply. Nothing was changed.\n`);
      return { exitCode: SYNC_EXIT.refused, applied: 0, decisions };
    }
  }
  const applied = await applyDecisions(prisma, decisions, now);
  const changes = priceChangeRecords(decisions, options.threshold, now);
  printAlerts(options.out, options.err, changes);
  await recordAlerts(prisma, config, changes, options);
  if (options.showPricing) printPricingTable(options.out, decisions, true);
  options.out(`Applied ${applied} price row${applied === 1 ? '' : 's'}.\n`);
  return { exitCode: partial, applied, decisions };
}
