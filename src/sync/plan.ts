/**
 * The sync planner: for every model a source priced, what the database holds now and what
 * to do about it. Pure (rows in, decisions out), so `--dry-run`, `--validate-only` and the
 * real run share one plan and differ only in whether apply.ts writes it.
 *
 * Rules, in order:
 *   - a manual row in force (or scheduled: not yet ended) wins: the model is skipped, reported;
 *   - a built-in never replaces a discovered price in force (it is newer information; only a
 *     new discovery or `pricing set` replaces it);
 *   - same content as the row in force → unchanged (any source); a model priced only by its built-in
 *     gets its first database row (the built-ins → database migration), 0 % change;
 *   - anything else is an update, compared with the price in force (row, else built-in).
 */
import type { Price, Rates, ServiceTierRates } from '../pricing/index.js';
import { diffPrices, samePrice, type PriceDiff } from './diff.js';
import { keyOf, type DiscoveredPrice } from './types.js';

export interface Target {
  price: Price;
  /** "built-in list price of 2026-07-24", "litellm ./catalog.json", ... */
  origin: string;
  discovered?: DiscoveredPrice;
}

export type Decision =
  | { kind: 'add' | 'update'; target: Target; current?: Price; currentIsRow: boolean; diff: PriceDiff; note?: string }
  | { kind: 'unchanged'; target: Target; current: Price }
  | { kind: 'manual'; target: Target; manual: Price }
  | { kind: 'kept-discovered'; target: Target; current: Price };

const from = (p: Price): number => Date.parse(p.effectiveFrom);
const until = (p: Price): number => (p.effectiveTo === undefined ? Number.POSITIVE_INFINITY : Date.parse(p.effectiveTo));

/** The row in force at `at` among one model's rows: the latest that has started and not ended. */
export function rowInForce(rows: readonly Price[], at: number): Price | undefined {
  let best: Price | undefined;
  for (const row of rows) {
    if (from(row) <= at && at < until(row) && (!best || from(row) > from(best))) best = row;
  }
  return best;
}

export class ModelRows {
  private readonly byKey = new Map<string, Price[]>();
  constructor(rows: readonly Price[]) {
    for (const row of rows) {
      const key = keyOf(row.provider, row.model);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), row]);
    }
  }
  of(provider: string, model: string): readonly Price[] {
    return this.byKey.get(keyOf(provider, model)) ?? [];
  }
  keys(): string[] {
    return [...this.byKey.keys()];
  }
}

/**
 * A discovered price as a full Price: the source's figures replace what it names; what it
 * cannot express (long-context tiers, service tiers, item rates, kinds it does not list) is
 * kept from the price in force, because "not on this page" does not mean "no longer billed".
 */
export function mergeDiscovered(found: DiscoveredPrice, current: Price | undefined, id: string, effectiveFrom: string): Price {
  const sameUnit = current?.unit === 'per_1m_tokens';
  const rates: Rates = { ...(sameUnit ? current.rates : {}), ...found.rates };
  const tiers = found.tiers ?? (sameUnit ? current.tiers : undefined);
  const serviceTiers: ServiceTierRates = { ...(sameUnit ? current.serviceTiers : {}), ...found.serviceTiers };
  const price: Price = {
    id,
    provider: found.provider,
    model: found.model,
    effectiveFrom,
    source: 'discovered',
    currency: 'USD',
    billingModel: tiers && tiers.length > 0 ? 'tiered' : 'pay_per_use',
    unit: 'per_1m_tokens',
    rates,
    confidence: found.confidence,
    note: `discovered: ${found.origin} (confidence ${found.confidence.toFixed(2)})`,
  };
  if (tiers && tiers.length > 0) price.tiers = structuredClone([...tiers]);
  if (Object.keys(serviceTiers).length > 0) price.serviceTiers = structuredClone(serviceTiers);
  if (sameUnit && current.itemRates) price.itemRates = structuredClone([...current.itemRates]);
  return price;
}

export interface PlanInput {
  rows: ModelRows;
  targets: readonly Target[];
  builtinOf: (provider: string, model: string) => Price | undefined;
  now: Date;
  thresholdAtto: bigint;
}

/** What stands now for a model: its row in force, else its built-in. */
export function currentPrice(input: Pick<PlanInput, 'rows' | 'builtinOf'>, provider: string, model: string, at: number): { price?: Price; isRow: boolean } {
  const row = rowInForce(input.rows.of(provider, model), at);
  if (row) return { price: row, isRow: true };
  const builtin = input.builtinOf(provider, model);
  return builtin ? { price: builtin, isRow: false } : { isRow: false };
}

export function planPriceSync(input: PlanInput): Decision[] {
  const at = input.now.getTime();
  const decisions: Decision[] = [];
  for (const target of input.targets) {
    const { provider, model } = target.price;
    const manual = input.rows.of(provider, model).find((row) => row.source === 'manual' && until(row) > at);
    if (manual) {
      decisions.push({ kind: 'manual', target, manual });
      continue;
    }
    const { price: current, isRow } = currentPrice(input, provider, model, at);
    if (current && isRow && current.source === 'discovered' && target.price.source !== 'discovered') {
      decisions.push({ kind: 'kept-discovered', target, current });
      continue;
    }
    // Same rates as the row in force: no new version, whatever the source says (a source
    // confirming a price is not a change, and versions are for changes).
    if (current && isRow && samePrice(current, target.price)) {
      decisions.push({ kind: 'unchanged', target, current });
      continue;
    }
    let diff: PriceDiff;
    let note: string | undefined;
    try {
      diff = diffPrices(current, target.price, input.thresholdAtto);
    } catch (error) {
      // The row in force does not compile (someone stored a bad rate): replacing it is the fix.
      diff = { changes: [], exceeds: false, largest: null };
      note = `the price in force is invalid (${(error as Error).message})`;
    }
    decisions.push({ kind: isRow ? 'update' : 'add', target, ...(current && { current }), currentIsRow: isRow, diff, ...(note && { note }) });
  }
  return decisions.sort((a, b) => keyOf(a.target.price.provider, a.target.price.model).localeCompare(keyOf(b.target.price.provider, b.target.price.model)));
}
