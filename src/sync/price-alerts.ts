/**
 * Applied price changes above the threshold become real alerts: a `BudgetAlert` row of kind
 * `price_change` (once per new price row: the dedupe key names it), delivered to the
 * configured webhook / Slack / email channels by the alerts module's own delivery, with its
 * retries and bookkeeping. The CLI delivers its own alerts before it exits; one it could not
 * deliver stays `pending` in the table and a running gateway's sweeper retries it once its
 * lease runs out, as for any alert.
 */
import type { GatewayConfig } from '../config/schema.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { channelsFromConfig } from '../alerts/channels.js';
import { AlertDelivery } from '../alerts/delivery.js';
import { AlertTable } from '../alerts/table.js';
import type { AlertRow, NewAlert } from '../alerts/types.js';
import { formatPercent } from './decimal.js';
import type { Decision } from './plan.js';

/** What one alert says: also the JSON of the `ALERT` line on stdout. */
export interface PriceChangeRecord {
  kind: 'price_change';
  at: string;
  provider: string;
  model: string;
  thresholdPercent: string;
  maxChangePercent: string;
  source: string;
  origin: string;
  priceId: string;
  previousPriceId: string | null;
  changes: { rate: string; old: string | null; new: string | null; percent: string | null }[];
}

/** One record per added or updated price whose change exceeds the threshold. */
export function priceChangeRecords(decisions: readonly Decision[], threshold: string, at: Date): PriceChangeRecord[] {
  const out: PriceChangeRecord[] = [];
  for (const d of decisions) {
    if ((d.kind !== 'add' && d.kind !== 'update') || !d.diff.exceeds) continue;
    const p = d.target.price;
    out.push({
      kind: 'price_change',
      at: at.toISOString(),
      provider: p.provider,
      model: p.model,
      thresholdPercent: threshold,
      maxChangePercent: formatPercent(d.diff.largest ?? undefined),
      source: p.source,
      origin: d.target.origin,
      priceId: p.id,
      previousPriceId: d.current?.id ?? null,
      changes: d.diff.changes.map((c) => ({ rate: c.label, old: c.old ?? null, new: c.next ?? null, percent: c.old === undefined ? null : formatPercent(c.hundredths) })),
    });
  }
  return out;
}

export function priceChangeMessage(r: PriceChangeRecord): string {
  const rates = r.changes.map((c) => `${c.rate} ${c.old ?? '-'} → ${c.new ?? '-'}`).join(', ');
  return `The ${r.provider} price of "${r.model}" changed by ${r.maxChangePercent} (above the ${r.thresholdPercent}% threshold), per 1M tokens: ${rates}; now ${r.source} (${r.origin}).`;
}

export function priceChangeAlert(r: PriceChangeRecord): NewAlert {
  return {
    kind: 'price_change',
    // One alert per new price row: re-running a sync that changes nothing raises nothing.
    dedupeKey: `price_change:${r.provider}:${r.model}:${r.priceId}`,
    provider: r.provider,
    model: r.model,
    message: priceChangeMessage(r),
    details: { ...r },
  };
}

/** The CLI delivers only the alerts it raised; other instances' rows are the gateways' to sweep. */
class OwnAlertsTable extends AlertTable {
  override async claimDue(): Promise<AlertRow[]> {
    return [];
  }
}

export interface RaisedAlerts {
  /** Rows inserted now (a dedupe hit is not one). */
  rows: AlertRow[];
  /** Configured channel names, empty when none is configured. */
  channels: string[];
}

/**
 * Records each change as a `price_change` alert and delivers it to the configured channels,
 * waiting (bounded by the channel timeout) for the first attempt. Nothing is recorded while
 * `alerts.enabled` is false.
 */
export async function raisePriceChangeAlerts(
  prisma: PrismaClient,
  config: GatewayConfig['alerts'],
  records: readonly PriceChangeRecord[],
  warn: (line: string) => void,
): Promise<RaisedAlerts> {
  if (!config.enabled || records.length === 0) return { rows: [], channels: [] };
  const table = new OwnAlertsTable(prisma);
  const log = (obj: object, msg?: string): void => warn(`${msg ?? 'alert delivery'}: ${JSON.stringify(obj)}`);
  const delivery = new AlertDelivery({
    table,
    channels: channelsFromConfig(config),
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    queueSize: Math.max(config.queueSize, records.length),
    leaseMs: config.leaseSeconds * 1000,
    sweepMs: config.sweepSeconds * 1000,
    logger: { warn: log, error: log, info: () => {} },
  });
  const rows: AlertRow[] = [];
  delivery.start();
  try {
    for (const record of records) {
      const row = await table.insert(priceChangeAlert(record), delivery.channelNames, config.leaseSeconds * 1000);
      if (row) {
        rows.push(row);
        delivery.offer(row);
      }
    }
    // One attempt per alert (four at a time); a failed one stays pending for a gateway's sweeper.
    const deadline = Date.now() + (config.webhook.timeoutMs + 1000) * Math.ceil(rows.length / 4);
    while (Date.now() < deadline && rows.some((row) => row.status === 'pending' && row.attempts === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await delivery.stop(config.webhook.timeoutMs + 1000);
  }
  return { rows, channels: delivery.channelNames };
}
