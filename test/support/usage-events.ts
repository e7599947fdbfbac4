// Realistic usage events for ledger tests and benchmarks: varied optional fields, exact
// decimal costs built with attoToUsd (as the gateway does), unique request ids per run.
import { randomUUID } from 'node:crypto';
import { attoToUsd } from '../../src/core/money.js';
import type { UsageEvent } from '../../src/ledger/event.js';

export interface EventOptions {
  /** Prefix of every requestId (default: a fresh random one). */
  prefix?: string;
  createdAt?: Date;
  organizationId?: string;
  apiKeyId?: string;
  userId?: string;
  teamId?: string;
  projectId?: string;
  provider?: string;
  requestedModel?: string;
}

/** Event number `i`: deterministic except for the prefix. */
export function makeEvent(i: number, opts: EventOptions = {}): UsageEvent {
  const prefix = opts.prefix ?? randomUUID().slice(0, 8);
  const input = 100 + (i % 997);
  const output = 20 + (i % 331);
  // $2.50 / 1M input, $10 / 1M output, in atto-USD per token.
  const inAtto = BigInt(input) * 2_500_000_000_000n;
  const outAtto = BigInt(output) * 10_000_000_000_000n + BigInt(i % 7); // odd attos: exactness
  const event: UsageEvent = {
    requestId: `${prefix}-${i}`,
    createdAt: opts.createdAt ?? new Date(),
    apiKeyId: opts.apiKeyId ?? `key-${i % 5}`,
    userId: opts.userId,
    teamId: opts.teamId,
    projectId: opts.projectId,
    organizationId: opts.organizationId ?? 'org-bench',
    provider: opts.provider ?? (i % 3 === 0 ? 'gemini' : 'openai'),
    requestedModel: opts.requestedModel ?? (i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini'),
    responseModel: i % 4 === 0 ? undefined : 'gpt-4o-2024-08-06',
    endpoint: '/v1/chat/completions',
    stream: i % 2 === 1,
    status: 200,
    inputTokens: input,
    cachedInputTokens: i % 5 === 0 ? 64 : undefined,
    outputTokens: output,
    reasoningTokens: i % 6 === 0 ? 12 : undefined,
    otherTokens: i % 10 === 0 ? { audioInputTokens: 5, totalTokens: input + output } : undefined,
    costInputUsd: attoToUsd(inAtto),
    costOutputUsd: attoToUsd(outAtto),
    costCachedUsd: '0',
    costOtherUsd: '0',
    costTotalUsd: attoToUsd(inAtto + outAtto),
    computedCostUsd: i % 8 === 0 ? attoToUsd(inAtto + outAtto) : undefined,
    priceId: 'price-1',
    priceSource: 'builtin',
    costSource: 'computed',
    latencyMs: 100 + (i % 900),
    ttftMs: i % 2 === 1 ? 40 : undefined,
    errorCode: i % 50 === 0 ? 'client_abort' : undefined,
  };
  return event;
}

export function makeEvents(count: number, opts: EventOptions = {}): UsageEvent[] {
  const prefix = opts.prefix ?? randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, i) => makeEvent(i, { ...opts, prefix }));
}
