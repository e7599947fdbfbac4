/**
 * Alerts, wired: the accounting observer (threshold crossings and fallback pricing, handed
 * over at once and handled in the background), the velocity check, the table and delivery.
 *
 * Once-only: Redis already fires each threshold once per budget, counter and period across
 * every instance (SET NX in the settle script); the unique `dedupeKey` row insert repeats that
 * guarantee in PostgreSQL and is the only guard for velocity and fallback-price alerts.
 */
import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { AccountingObserver } from '../accounting/observer.js';
import type { BudgetDirectory } from '../budgets/directory.js';
import { parseAlertKey } from '../budgets/keys.js';
import { periodWindow } from '../budgets/periods.js';
import type { UsageEntry } from '../budgets/usage-queue.js';
import { decodeUsageEvent } from '../ledger/event.js';
import { counterEntity } from '../budgets/plan.js';
import type { BudgetRule, BudgetStore } from '../budgets/types.js';
import type { GatewayConfig } from '../config/schema.js';
import { namesOf } from '../analytics/names.js';
import { present } from '../analytics/budgets.js';
import { project } from '../analytics/projection.js';
import { channelsFromConfig } from './channels.js';
import { AlertDelivery } from './delivery.js';
import { fallbackMessage, thresholdMessage } from './messages.js';
import { AlertTable } from './table.js';
import type { AlertRow, Channel, NewAlert } from './types.js';
import { startVelocityJob } from './velocity.js';

export interface AlertsDeps {
  prisma: PrismaClient;
  store: BudgetStore;
  directory: BudgetDirectory;
  logger: Logger;
  config: GatewayConfig['alerts'];
  /** Override the configured channels (tests). */
  channels?: Channel[];
}

export interface Alerts {
  observer: Partial<AccountingObserver>;
  delivery: AlertDelivery;
  table: AlertTable;
  /** Records the alert once and queues its delivery; undefined when it was raised already. */
  raise(alert: NewAlert): Promise<AlertRow | undefined>;
  /**
   * The ledger writer's follow-up (LedgerWriter `onWritten`): records the threshold alerts the
   * settles of these usage events raised, in case the gateway that settled them died before it
   * did. Idempotent (the dedupe key); rejects when the table cannot be written, so the writer
   * retries before acknowledging the events.
   */
  raiseFromUsageEvents(entries: readonly UsageEntry[]): Promise<void>;
  /** Background work still running (tests wait for it). */
  idle(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createAlerts(deps: AlertsDeps): Alerts {
  const { prisma, store, logger, config } = deps;
  const table = new AlertTable(prisma);
  const channels = deps.channels ?? channelsFromConfig(config);
  const leaseMs = config.leaseSeconds * 1000;
  const delivery = new AlertDelivery({
    table,
    channels,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    queueSize: config.queueSize,
    leaseMs,
    sweepMs: config.sweepSeconds * 1000,
    logger,
  });
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch((error: unknown) => logger.error({ err: (error as Error).message }, 'raising an alert failed')).finally(() => pending.delete(p));
    pending.add(p);
  };
  let stopVelocity: (() => Promise<void>) | undefined;

  async function raise(alert: NewAlert): Promise<AlertRow | undefined> {
    // Redis has already marked the crossing: a database blip must not lose the alert.
    let row: AlertRow | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        row = await table.insert(alert, delivery.channelNames, leaseMs);
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt).unref());
      }
    }
    if (row) {
      logger.info({ alertId: row.id, kind: row.kind, dedupeKey: row.dedupeKey }, row.message);
      delivery.offer(row);
    }
    return row;
  }

  async function raiseThreshold(rule: BudgetRule, entityId: string, shardKey: string, at: Date, threshold: number, requestId: string) {
    const window = periodWindow(rule.period, rule.timezone, at);
    const periodId = window.id;
    const status = await store.status(rule, entityId, at, shardKey);
    const [name] = [...(await namesOf(prisma, rule.level, [entityId])).values()];
    const projection = project(status.spentNano, status.limitNano, window, at);
    const budget = present({ rule, entityId, shardKey, status, window, projection }, name);
    await raise({
      kind: 'threshold',
      dedupeKey: `threshold:${rule.id}:${entityId}:${periodId}:${threshold}`,
      budgetId: rule.id,
      level: rule.level,
      entityId,
      periodId,
      threshold,
      message: thresholdMessage({ ...budget, entityName: name }, threshold),
      details: { budget, threshold, requestId },
    });
  }

  // Fallback-priced models seen today by this instance: the table decides across instances,
  // this only spares it an insert per request.
  let fallbackDay = '';
  const fallbackSeen = new Set<string>();
  function raiseFallback(provider: string, model: string, at: Date) {
    const day = at.toISOString().slice(0, 10);
    if (day !== fallbackDay) {
      fallbackDay = day;
      fallbackSeen.clear();
    }
    const key = `${provider}\u0000${model}`;
    if (fallbackSeen.has(key) || fallbackSeen.size > 10_000) return;
    fallbackSeen.add(key);
    track(raise({
      kind: 'fallback_price',
      dedupeKey: `fallback_price:${provider}:${model}:${day}`,
      provider,
      model,
      periodId: `d:${day}`,
      message: fallbackMessage(provider, model),
      details: { provider, model, day },
    }));
  }

  const observer: Partial<AccountingObserver> = {
    settled(call, _outcome, priced, crossed) {
      if (!config.enabled) return;
      if (config.fallbackPrice && priced.lookup?.source === 'fallback') raiseFallback(call.adapter.id, priced.lookup.resolvedModel, call.receivedAtDate);
      if (crossed.length === 0) return;
      const ids = { key: call.key.keyId, user: call.key.userId, team: call.key.teamId, project: call.key.projectId, organization: call.key.organizationId };
      const shardKey = call.key.organizationId ?? call.key.keyId;
      for (const { rule, threshold } of crossed) {
        track(raiseThreshold(rule, counterEntity(rule, ids), shardKey, call.receivedAtDate, threshold, call.requestId));
      }
    },
  };

  async function raiseFromUsageEvents(entries: readonly UsageEntry[]): Promise<void> {
    if (!config.enabled) return;
    for (const entry of entries) {
      const crossed = entry.event.crossed;
      if (!crossed) continue;
      const decoded = decodeUsageEvent(entry.event);
      if (!decoded.ok) continue; // dead-lettered by the writer, with its fields
      const { event } = decoded;
      for (const marker of crossed.split(' ')) {
        const parsed = parseAlertKey(marker);
        const rule = parsed && deps.directory.rule(parsed.ruleId);
        if (!parsed || !rule) continue; // a budget deleted since: nothing left to alert about
        const shardKey = event.organizationId ?? event.apiKeyId ?? parsed.entity;
        await raiseThreshold(rule, parsed.entity, shardKey, event.createdAt, parsed.pct, event.requestId);
      }
    }
  }

  return {
    observer,
    delivery,
    table,
    raise,
    raiseFromUsageEvents,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    start() {
      if (!config.enabled) return;
      delivery.start();
      if (config.velocity.enabled) stopVelocity = startVelocityJob({ ...deps, raise }, config.velocity.checkSeconds * 1000, config.velocity.minElapsedPercent);
    },
    async stop() {
      await stopVelocity?.();
      await Promise.allSettled([...pending]);
      await delivery.stop();
    },
  };
}
