import { nanoToUsd } from '../core/money.js';
import type { Denial, RuleRemaining } from '../budgets/types.js';
import type { GatewayError } from '../providers/types.js';

/** The 429 a denied client sees: which budget, its limit, what is spent and held, when it resets. */
export function denialError(denial: Denial, now: Date): { error: GatewayError; headers: Record<string, string> } {
  const { rule } = denial;
  const limit = nanoToUsd(denial.limitNano);
  const spent = nanoToUsd(denial.spentNano);
  const reserved = nanoToUsd(denial.reservedNano);
  const reset = denial.resetAt ? denial.resetAt.toISOString() : null;
  const scope = rule.modelScope ? ` for model ${rule.modelScope}` : rule.providerScope ? ` for provider ${rule.providerScope}` : '';
  const inherited = rule.inheritedFrom ? ` (default set on ${rule.inheritedFrom.level})` : '';
  const message =
    `Budget exceeded: the ${rule.period} ${rule.level} budget${scope}${inherited} of $${limit} has $${spent} spent ` +
    `and $${reserved} reserved${reset ? `; it resets at ${reset}` : '; it does not reset'}.`;
  const headers: Record<string, string> = {
    'x-tollgate-budget-level': rule.level,
    'x-tollgate-budget-period': rule.period,
    'x-tollgate-budget-limit-usd': limit,
    'x-tollgate-budget-spent-usd': spent,
    'x-tollgate-budget-reserved-usd': reserved,
  };
  if (denial.resetAt) {
    headers['x-tollgate-budget-reset'] = reset!;
    headers['retry-after'] = String(Math.max(1, Math.ceil((denial.resetAt.getTime() - now.getTime()) / 1000)));
  }
  return {
    error: {
      kind: 'budget_exceeded',
      status: 429,
      message,
      details: { budget: { id: rule.id, level: rule.level, period: rule.period, limit_usd: limit, spent_usd: spent, reserved_usd: reserved, resets_at: reset } },
    },
    headers,
  };
}

/** The tightest remaining amount among the hard budgets that admitted the call. */
export function remainingHeaders(remaining: readonly RuleRemaining[]): Record<string, string> {
  let tightest: RuleRemaining | undefined;
  for (const entry of remaining) {
    if (!entry.rule.hard) continue;
    if (!tightest || entry.remainingNano < tightest.remainingNano) tightest = entry;
  }
  if (!tightest) return {};
  const value = tightest.remainingNano < 0n ? 0n : tightest.remainingNano;
  return { 'x-tollgate-budget-remaining-usd': nanoToUsd(value), 'x-tollgate-budget-level': tightest.rule.level };
}
