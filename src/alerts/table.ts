/**
 * The `BudgetAlert` table: the once-only record of every alert and the durable side of the
 * delivery queue. Inserting is the cross-instance "fire once" rule (unique `dedupeKey`);
 * `nextAttemptAt` is a lease, so an alert whose instance died is taken over by another one.
 *
 * Timestamps are TIMESTAMP(3) without zone holding UTC (Prisma's convention); raw SQL passes
 * ISO strings cast to timestamp, which keep the UTC wall clock whatever the session zone.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { AlertRow, ChannelName, Deliveries, DeliveryStatus, NewAlert } from './types.js';

type Raw = {
  id: string;
  kind: string;
  dedupeKey: string;
  budgetId: string | null;
  level: string | null;
  entityId: string | null;
  periodId: string | null;
  threshold: number | null;
  provider: string | null;
  model: string | null;
  message: string;
  details: unknown;
  status: string;
  attempts: number;
  deliveries: unknown;
  createdAt: Date;
};

function fromRaw(r: Raw): AlertRow {
  const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return {
    id: r.id,
    kind: r.kind as AlertRow['kind'],
    dedupeKey: r.dedupeKey,
    budgetId: opt(r.budgetId),
    level: opt(r.level),
    entityId: opt(r.entityId),
    periodId: opt(r.periodId),
    threshold: opt(r.threshold),
    provider: opt(r.provider),
    model: opt(r.model),
    message: r.message,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    deliveries: (typeof r.deliveries === 'string' ? JSON.parse(r.deliveries) : r.deliveries) as Deliveries,
    createdAt: new Date(r.createdAt),
  };
}

export interface AttemptUpdate {
  status: DeliveryStatus;
  attempts: number;
  deliveries: Deliveries;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export class AlertTable {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records the alert unless one with the same dedupeKey exists. Returns the new row, or
   * undefined when another instance (or an earlier settle) already raised it. The row comes
   * leased to this instance for `leaseMs`.
   */
  async insert(alert: NewAlert, channels: readonly ChannelName[], leaseMs: number, now = new Date()): Promise<AlertRow | undefined> {
    const deliveries: Deliveries = Object.fromEntries(channels.map((c) => [c, { status: 'pending', attempts: 0 }]));
    const row: AlertRow = { ...alert, id: randomUUID(), status: channels.length > 0 ? 'pending' : 'skipped', attempts: 0, deliveries, createdAt: now };
    const { count } = await this.prisma.budgetAlert.createMany({
      data: [
        {
          id: row.id,
          kind: alert.kind,
          dedupeKey: alert.dedupeKey,
          budgetId: alert.budgetId,
          level: alert.level,
          entityId: alert.entityId,
          periodId: alert.periodId,
          threshold: alert.threshold,
          provider: alert.provider,
          model: alert.model,
          message: alert.message,
          details: alert.details as object,
          status: row.status,
          deliveries: deliveries as object,
          nextAttemptAt: channels.length > 0 ? new Date(now.getTime() + leaseMs) : null,
          createdAt: now,
        },
      ],
      skipDuplicates: true,
    });
    return count === 1 ? row : undefined;
  }

  async update(id: string, u: AttemptUpdate): Promise<void> {
    await this.prisma.budgetAlert.update({
      where: { id },
      data: { status: u.status, attempts: u.attempts, deliveries: u.deliveries as object, lastError: u.lastError, nextAttemptAt: u.nextAttemptAt, deliveredAt: u.deliveredAt },
    });
  }

  /**
   * Takes over up to `limit` pending alerts whose lease ran out (their instance died, or its
   * in-memory queue was full), leasing them to the caller. SKIP LOCKED: two instances sweeping
   * at once never take the same row.
   */
  async claimDue(limit: number, leaseMs: number, now = new Date()): Promise<AlertRow[]> {
    if (limit <= 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<Raw[]>(
      `UPDATE "BudgetAlert" SET "nextAttemptAt" = $2::timestamp
        WHERE id IN (SELECT id FROM "BudgetAlert"
                      WHERE status = 'pending' AND "nextAttemptAt" <= $1::timestamp
                      ORDER BY "nextAttemptAt" LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, "dedupeKey", "budgetId", level, "entityId", "periodId", threshold, provider, model,
                  message, details, status, attempts, deliveries, "createdAt"`,
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      limit,
    );
    return rows.map(fromRaw);
  }

  /** Moves a lease (e.g. to hand a row the in-memory queue could not take to the sweeper). */
  async release(id: string, at: Date): Promise<void> {
    await this.prisma.budgetAlert.updateMany({ where: { id, status: 'pending' }, data: { nextAttemptAt: at } });
  }
}
