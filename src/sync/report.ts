/**
 * What `pricing sync` prints: the diff of every change (old, new, percent), what was skipped
 * and why, discovered prices too uncertain to apply, the alerts raised for changes above the
 * threshold, and the resulting price table. Rates are the exact decimal strings.
 */
import type { Price, Rates } from '../pricing/index.js';
import { formatPercent } from './decimal.js';
import type { Decision } from './plan.js';
import type { PriceChangeRecord } from './price-alerts.js';
import type { DiscoveredPrice } from './types.js';

type Out = (text: string) => void;

const name = (p: Price): string => `${p.provider}/${p.model}`;
const formatRates = (rates: Rates): string =>
  Object.entries(rates)
    .map(([kind, rate]) => `${kind} ${rate}`)
    .join(', ');
/** Token rates, or for item-priced models (images, seconds, characters) their item rates. */
const formatPrice = (p: Price): string => formatRates(p.rates) || (p.itemRates ?? []).map((i) => `${i.kind} ${i.rate} ${i.unit}`).join(', ');

function header(d: Decision & { kind: 'add' | 'update' }, threshold: string): string {
  const was = d.current ? `${d.currentIsRow ? d.current.source : 'built-in'} → ` : '';
  const largest = d.diff.largest === null ? '' : `  max ${formatPercent(d.diff.largest)}`;
  const flag = d.diff.exceeds ? `  ABOVE ${threshold}%` : '';
  return `${d.kind === 'add' ? '+' : '~'} ${name(d.target.price)}  ${was}${d.target.price.source} (${d.target.origin})${largest}${flag}\n`;
}

export function printDecisions(out: Out, decisions: readonly Decision[], threshold: string): void {
  const count = (kind: Decision['kind']) => decisions.filter((d) => d.kind === kind).length;
  out(`Price sync plan (change threshold ${threshold}%):\n`);
  for (const d of decisions) {
    if (d.kind === 'add' || d.kind === 'update') {
      out(header(d, threshold));
      if (d.note) out(`    note: ${d.note}\n`);
      if (d.diff.changes.length === 0) out(`    ${d.current ? 'same effective rates' : 'new model'}: ${formatPrice(d.target.price)}\n`);
      for (const c of d.diff.changes) {
        out(`    ${c.label.padEnd(26)} ${(c.old ?? '-').padStart(10)} → ${(c.next ?? '-').padEnd(10)} ${c.old === undefined ? 'added' : formatPercent(c.hundredths)}${c.exceeds ? '  !' : ''}\n`);
      }
    } else if (d.kind === 'manual') {
      out(`! ${name(d.target.price)}  skipped: manual price ${d.manual.id} in force from ${d.manual.effectiveFrom} (sync never overwrites it)\n`);
    } else if (d.kind === 'kept-discovered') {
      out(`! ${name(d.target.price)}  kept: discovered price ${d.current.id} from ${d.current.effectiveFrom} is newer than the built-in\n`);
    }
  }
  const above = decisions.filter((d) => (d.kind === 'add' || d.kind === 'update') && d.diff.exceeds).length;
  out(
    `${count('add')} added, ${count('update')} updated, ${count('unchanged')} unchanged, ${count('manual')} manual kept, ` +
      `${count('kept-discovered')} discovered kept; ${above} above the ${threshold}% threshold.\n`,
  );
}

export function printRejected(out: Out, rejected: readonly DiscoveredPrice[], threshold: number): void {
  if (rejected.length === 0) return;
  out(`Discovered prices NOT applied (confidence below ${threshold.toFixed(2)}):\n`);
  for (const p of rejected) {
    out(`? ${p.provider}/${p.model}  ${p.source} confidence ${p.confidence.toFixed(2)}: ${formatRates(p.rates) || 'no rates'} (${p.reasons.join('; ')})\n`);
  }
}

/**
 * The alerts of applied changes above the threshold, as the operator sees them: a warning on
 * stderr and one `ALERT <json>` line on stdout each (for scripts). The alert itself is
 * recorded and delivered by price-alerts.ts.
 */
export function printAlerts(out: Out, err: Out, records: readonly PriceChangeRecord[]): number {
  for (const r of records) {
    err(`warning: price of ${r.provider}/${r.model} changed by ${r.maxChangePercent} (above the ${r.thresholdPercent}% threshold)\n`);
    out(`ALERT ${JSON.stringify(r)}\n`);
  }
  return records.length;
}

function resulting(d: Decision): Price {
  switch (d.kind) {
    case 'add':
    case 'update':
      return d.target.price;
    case 'manual':
      return d.manual;
    default:
      return d.current;
  }
}

/** The price in force for each model the run covered after it (in a dry run: as it would be). */
export function printPricingTable(out: Out, decisions: readonly Decision[], applied: boolean): void {
  const rows = decisions.map((d) => {
    const p = resulting(d);
    return [p.provider, p.model, p.source, p.confidence === undefined ? '-' : p.confidence.toFixed(2), p.unit, formatPrice(p)];
  });
  const table = [['PROVIDER', 'MODEL', 'SOURCE', 'CONFIDENCE', 'UNIT', 'RATES (USD)'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  out(`${applied ? 'Resulting prices' : 'Prices as they would be (dry run)'}:\n`);
  for (const row of table) out(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}
