import { attoToUsd } from '../core/money.js';
import type { Usage } from '../core/usage.js';
import { encodeUsageEvent, type UsageEvent } from '../ledger/event.js';
import type { CallContext, CallOutcome } from '../proxy/accounting.js';
import type { PricedOutcome } from './service.js';

/** One usage row for one call, as the flat fields the durable queue carries. */
export function buildUsageEvent(
  call: CallContext,
  requestedModel: string | undefined,
  outcome: CallOutcome,
  priced: PricedOutcome,
): Record<string, string> {
  const usage: Usage = priced.usage ?? {};
  const b = priced.breakdown;
  const other = otherTokens(usage);
  const event: UsageEvent = {
    requestId: call.requestId,
    createdAt: call.receivedAtDate,
    apiKeyId: call.key.keyId,
    userId: call.key.userId,
    teamId: call.key.teamId,
    projectId: call.key.projectId,
    organizationId: call.key.organizationId,
    provider: call.adapter.id,
    requestedModel,
    responseModel: outcome.responseModel,
    endpoint: call.route.kind,
    stream: outcome.streamed,
    status: outcome.status,
    inputTokens: usage.inputTokens,
    cachedInputTokens: usage.cachedInputTokens,
    cacheWriteTokens: usage.cacheWriteTokens,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.reasoningTokens,
    otherTokens: other,
    costInputUsd: attoToUsd(b ? b.input : 0n),
    costOutputUsd: attoToUsd(b ? b.output + b.reasoning : 0n),
    costCachedUsd: attoToUsd(b ? b.cachedInput + b.cacheWrite : 0n),
    costOtherUsd: attoToUsd(b ? b.audio + b.image + b.items : 0n),
    costTotalUsd: attoToUsd(priced.total),
    computedCostUsd: b && b.costSource === 'provider' ? attoToUsd(b.computedTotal) : undefined,
    priceId: priced.lookup?.priceId,
    priceSource: priced.lookup?.source ?? 'none',
    costSource: priced.costSource,
    latencyMs: Math.round(outcome.latencyMs),
    ttftMs: outcome.ttftMs === undefined ? undefined : Math.round(outcome.ttftMs),
    errorCode: outcome.errorCode,
  };
  return encodeUsageEvent(event);
}

/** Token kinds without a column of their own, kept only when reported. */
function otherTokens(usage: Usage): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const name of ['toolUseInputTokens', 'audioInputTokens', 'imageInputTokens', 'audioOutputTokens', 'imageOutputTokens'] as const) {
    const value = usage[name];
    if (value !== undefined && value > 0) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
