/**
 * Recommendations from the rollups, the price catalog and budget status:
 * - cheaper_model: a team's top spend on a model whose provider sells a cheaper model of the
 *   same kind; savings are the same tokens priced at both models' standard rates;
 * - budget_at_risk: budgets at 90 % or on pace to run out before they reset;
 * - low_cache_share: heavy input with few cached tokens on a model whose cached rate is lower.
 * Estimates use exact atto-USD arithmetic; they are estimates because the mix could change.
 */
import type { PrismaClient } from '../generated/prisma/client.js';
import { attoToUsd, usdToAtto } from '../core/money.js';
import { BUILTIN_PRICES, type CompiledPrice, type PriceCatalog, type RateVector } from '../pricing/index.js';
import { namesOf } from './names.js';
import { segments } from './range.js';
import type { present } from './budgets.js';

type BudgetView = ReturnType<typeof present>;
interface Tokens { input: bigint; cached: bigint; write: bigint; output: bigint; reasoning: bigint }

/** Model kinds that must not be swapped for one another (an embedding model is no chat model). */
const KINDS: Array<[string, RegExp]> = [
  ['embedding', /embed/i],
  ['audio', /tts|whisper|transcribe|audio|realtime|speech|live/i],
  ['image', /image|dall-e|imagen|veo|video/i],
  ['moderation', /moderation/i],
  ['search', /search|computer-use|deep-research/i],
];
const kindOf = (model: string) => KINDS.find(([, re]) => re.test(model))?.[0] ?? 'chat';

function tokenCost(t: Tokens, r: RateVector): bigint {
  const plainIn = t.input - t.cached - t.write;
  const plainOut = t.output - t.reasoning;
  return (plainIn > 0n ? plainIn : 0n) * r.input + t.cached * r.cachedInput + t.write * r.cacheWrite + (plainOut > 0n ? plainOut : 0n) * r.output + t.reasoning * r.reasoning;
}

const standard = (p: CompiledPrice): RateVector => p.variants[0]![0]!.rates;

async function modelsOf(prisma: PrismaClient): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const addModel = (provider: string, model: string) => (out.get(provider) ?? out.set(provider, new Set()).get(provider)!).add(model);
  for (const p of BUILTIN_PRICES) addModel(p.provider, p.model);
  for (const r of await prisma.modelPrice.findMany({ distinct: ['providerId', 'model'], select: { providerId: true, model: true } })) addModel(r.providerId, r.model);
  return out;
}

async function topSpend(prisma: PrismaClient, range: { from: Date; to: Date }) {
  const parts = segments(range, false, 'team').map((s) => `SELECT "teamId", provider, model, "inputTokens", "cachedInputTokens", "cacheWriteTokens", "outputTokens", "reasoningTokens", "costTotalUsd"
     FROM ${s.table} WHERE ${s.column} >= '${s.from.toISOString()}'::timestamp AND ${s.column} < '${s.to.toISOString()}'::timestamp`);
  if (parts.length === 0) return [];
  return prisma.$queryRawUnsafe<Array<Record<string, string | bigint>>>(
    `SELECT "teamId" AS team, provider, model, sum("inputTokens")::bigint AS input, sum("cachedInputTokens")::bigint AS cached,
            sum("cacheWriteTokens")::bigint AS write, sum("outputTokens")::bigint AS output, sum("reasoningTokens")::bigint AS reasoning,
            sum("costTotalUsd")::text AS cost
       FROM (${parts.join(' UNION ALL ')}) s WHERE model <> '' GROUP BY 1, 2, 3 ORDER BY sum("costTotalUsd") DESC LIMIT 30`,
  );
}

export async function recommendations(prisma: PrismaClient, catalog: PriceCatalog, budgets: BudgetView[], days: number, now = new Date()) {
  const range = { from: new Date(now.getTime() - days * 86_400_000), to: now };
  const [rows, models] = await Promise.all([topSpend(prisma, range), modelsOf(prisma)]);
  const teams = await namesOf(prisma, 'team', rows.map((r) => String(r.team)));
  const out: Array<Record<string, unknown> & { type: string; severity: string; savingsAtto?: bigint }> = [];

  const cacheTotals = new Map<string, { provider: string; model: string; t: Tokens; price: CompiledPrice }>();
  for (const row of rows) {
    const provider = String(row.provider);
    const model = String(row.model);
    const current = catalog.lookup(provider, model, now);
    if (current.source === 'fallback' || !current.price.tokenPriced) continue;
    const t: Tokens = { input: BigInt(row.input!), cached: BigInt(row.cached!), write: BigInt(row.write!), output: BigInt(row.output!), reasoning: BigInt(row.reasoning!) };
    const curCost = tokenCost(t, standard(current.price));
    const agg = cacheTotals.get(`${provider}\u0000${model}`);
    if (agg) for (const k of Object.keys(t) as Array<keyof Tokens>) agg.t[k] += t[k];
    else cacheTotals.set(`${provider}\u0000${model}`, { provider, model, t: { ...t }, price: current.price });
    if (curCost <= 0n) continue;
    let best: { model: string; cost: bigint } | undefined;
    for (const candidate of models.get(provider) ?? []) {
      if (candidate === current.resolvedModel || kindOf(candidate) !== kindOf(model)) continue;
      const alt = catalog.lookup(provider, candidate, now);
      if (alt.source === 'fallback' || !alt.price.tokenPriced || alt.price.billsOutput !== current.price.billsOutput) continue;
      const cost = tokenCost(t, standard(alt.price));
      // At least 30 % cheaper; of those, the dearest: the closest in capability.
      if (cost * 10n <= curCost * 7n && (!best || cost > best.cost)) best = { model: candidate, cost };
    }
    if (!best) continue;
    const team = String(row.team);
    const savings = curCost - best.cost;
    out.push({
      type: 'cheaper_model',
      severity: 'info',
      title: `${team ? (teams.get(team) ?? team) : 'Unassigned keys'}: try ${best.model} instead of ${model}`,
      detail: `Over the last ${days} days this spent $${attoToUsd(usdToAtto(String(row.cost)))} on ${provider} ${model}; the same tokens on ${best.model} would cost about $${attoToUsd(best.cost)} (list prices).`,
      teamId: team || null,
      provider,
      model,
      suggestedModel: best.model,
      spendUsd: attoToUsd(usdToAtto(String(row.cost))),
      estimatedSavingsUsd: attoToUsd(savings),
      savingsPercent: Number((savings * 10_000n) / curCost) / 100,
      savingsAtto: savings,
    });
  }

  for (const { provider, model, t, price } of cacheTotals.values()) {
    const r = standard(price);
    if (t.input < 100_000n || r.cachedInput >= r.input || t.cached * 10n >= t.input) continue;
    const reachable = t.input / 2n - t.cached; // if half the input were cache reads
    const savings = reachable * (r.input - r.cachedInput);
    out.push({
      type: 'low_cache_share',
      severity: 'info',
      title: `${provider} ${model}: few cached input tokens`,
      detail: `Only ${Number((t.cached * 10_000n) / t.input) / 100}% of ${t.input} input tokens were cache reads. Stable prompt prefixes (system prompt, tools, documents first) let the provider cache them; at 50% cached this would save about $${attoToUsd(savings)}.`,
      provider,
      model,
      cachedSharePercent: Number((t.cached * 10_000n) / t.input) / 100,
      estimatedSavingsUsd: attoToUsd(savings),
      savingsAtto: savings,
    });
  }

  for (const b of budgets) {
    const used = b.utilizationPercent ?? 0;
    if (used < 90 && !b.runsOutBeforeReset) continue;
    out.push({
      type: 'budget_at_risk',
      severity: used >= 100 ? 'critical' : 'warning',
      title: `${b.level} ${b.entityName ?? b.entityId}: ${used >= 100 ? 'budget exhausted' : b.runsOutBeforeReset ? 'runs out before it resets' : `${used}% used`}`,
      detail: `$${b.spentUsd} of $${b.limitUsd} spent in ${b.periodId}${b.projectedSpendUsd ? `, on pace for $${b.projectedSpendUsd}` : ''}${b.exhaustsAt ? `; runs out about ${b.exhaustsAt}` : ''}. Raise the limit, or move traffic to a cheaper model.`,
      budgetId: b.budgetId,
      level: b.level,
      entityId: b.entityId,
      utilizationPercent: b.utilizationPercent,
      exhaustsAt: b.exhaustsAt,
    });
  }

  const rank = { critical: 0, warning: 1, info: 2 } as Record<string, number>;
  out.sort((a, b) => {
    const d = (b.savingsAtto ?? 0n) - (a.savingsAtto ?? 0n);
    return rank[a.severity]! - rank[b.severity]! || (d > 0n ? 1 : d < 0n ? -1 : 0);
  });
  return { days, generatedAt: now.toISOString(), recommendations: out.map(({ savingsAtto: _s, ...rest }) => rest) };
}
