/**
 * Reading the ledger for the admin API and the CLI. Rows come back as `UsageView`: plain
 * JSON-safe values (decimal strings of USD, exact; the bigint id as a string), so a route
 * can send them as they are.
 */
import type { Prisma, PrismaClient, UsageRecord } from '../generated/prisma/client.js';

export interface UsageView {
  id: string;
  requestId: string;
  createdAt: Date;
  apiKeyId: string | null;
  userId: string | null;
  teamId: string | null;
  projectId: string | null;
  organizationId: string | null;
  provider: string;
  requestedModel: string | null;
  responseModel: string | null;
  endpoint: string;
  stream: boolean;
  status: number;
  inputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  otherTokens: Record<string, number> | null;
  costInputUsd: string;
  costOutputUsd: string;
  costCachedUsd: string;
  costOtherUsd: string;
  costTotalUsd: string;
  computedCostUsd: string | null;
  priceId: string | null;
  priceSource: string;
  costSource: string;
  latencyMs: number;
  ttftMs: number | null;
  errorCode: string | null;
}

export const MAX_RECENT = 1000;

export function toUsageView(r: UsageRecord): UsageView {
  return {
    ...r,
    id: r.id.toString(),
    otherTokens: (r.otherTokens ?? null) as Record<string, number> | null,
    // toFixed() without digits: every significant digit, never exponent notation.
    costInputUsd: r.costInputUsd.toFixed(),
    costOutputUsd: r.costOutputUsd.toFixed(),
    costCachedUsd: r.costCachedUsd.toFixed(),
    costOtherUsd: r.costOtherUsd.toFixed(),
    costTotalUsd: r.costTotalUsd.toFixed(),
    computedCostUsd: r.computedCostUsd?.toFixed() ?? null,
  };
}

export async function usageByRequestId(prisma: PrismaClient, requestId: string): Promise<UsageView | null> {
  const row = await prisma.usageRecord.findUnique({ where: { requestId } });
  return row ? toUsageView(row) : null;
}

export interface RecentUsageQuery {
  /** At most MAX_RECENT (default 50). */
  limit?: number;
  provider?: string;
  /** Matches the requested or the response model. */
  model?: string;
  keyId?: string;
  /** Rows created at or after this instant. */
  since?: Date;
  /** Rows created strictly before this instant (paging: pass the last row's createdAt). */
  before?: Date;
}

/** Newest first. Served by the (createdAt) index, or (apiKeyId, createdAt) with `keyId`. */
export async function recentUsage(prisma: PrismaClient, q: RecentUsageQuery = {}): Promise<UsageView[]> {
  const limit = Math.max(1, Math.min(MAX_RECENT, Math.floor(q.limit ?? 50)));
  const where: Prisma.UsageRecordWhereInput = {};
  if (q.provider !== undefined) where.provider = q.provider;
  if (q.keyId !== undefined) where.apiKeyId = q.keyId;
  if (q.model !== undefined) where.OR = [{ requestedModel: q.model }, { responseModel: q.model }];
  if (q.since !== undefined || q.before !== undefined) {
    where.createdAt = { ...(q.since && { gte: q.since }), ...(q.before && { lt: q.before }) };
  }
  const rows = await prisma.usageRecord.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return rows.map(toUsageView);
}
