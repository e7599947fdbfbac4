/**
 * Validates price entries (built-in data, database rows, an admin's upload) and reports EVERY
 * problem, each naming the model and the field, so one run of `tollgate pricing validate`
 * shows the whole list instead of the first mistake. Hand-written rather than a zod schema
 * because most checks cross fields (unit × rates, tiers order, date order, duplicates) and
 * the messages must read like "gpt-4o: tiers[1].aboveInputTokens: tiers not ascending".
 */
import { ITEM_KINDS, RATE_KINDS, SERVICE_TIERS } from './types.js';
import type { ItemKind } from './types.js';
import { baseUnitOf, isBillingModel, isPricingUnit, isTokenUnit, rateProblem } from './units.js';
import type { BaseUnit, PricingUnit } from './units.js';

export interface ValidationIssue {
  /** The entry's model, or "#<index>" when it has none. */
  model: string;
  provider?: string;
  /** Position of the entry in the list that was validated. */
  index: number;
  /** Dotted path inside the entry: "rates.input", "tiers[1].aboveInputTokens", ... */
  field: string;
  problem: string;
}

const SOURCES: ReadonlySet<string> = new Set(['builtin', 'sync', 'manual', 'discovered', 'fallback']);
const RATE_KIND_SET: ReadonlySet<string> = new Set(RATE_KINDS);
const SERVICE_SET: ReadonlySet<string> = new Set(SERVICE_TIERS);
const ITEM_SET: ReadonlySet<string> = new Set(ITEM_KINDS);

/** Which base unit an item kind is counted in (an item's unit must measure that). */
const ITEM_BASE: Readonly<Record<ItemKind, BaseUnit>> = {
  image: 'image',
  second: 'second',
  character: 'character',
  request: 'request',
  audio_file: 'audio_file',
};

type Report = (field: string, problem: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkRates(value: unknown, field: string, unit: PricingUnit | undefined, report: Report): void {
  if (!isObject(value)) {
    report(field, 'must be an object of rates');
    return;
  }
  for (const [kind, rate] of Object.entries(value)) {
    if (!RATE_KIND_SET.has(kind)) {
      report(`${field}.${kind}`, `unknown rate kind (expected one of ${RATE_KINDS.join(', ')})`);
      continue;
    }
    if (unit === undefined) continue; // reported once at `unit`
    const problem = rateProblem(rate, unit);
    if (problem !== undefined) report(`${field}.${kind}`, problem);
  }
}

function checkServiceTiers(value: unknown, field: string, unit: PricingUnit | undefined, report: Report): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    report(field, 'must be an object keyed by service tier');
    return;
  }
  for (const [name, rates] of Object.entries(value)) {
    if (!SERVICE_SET.has(name)) {
      report(`${field}.${name}`, `unknown service tier (expected one of ${SERVICE_TIERS.join(', ')})`);
      continue;
    }
    checkRates(rates, `${field}.${name}`, unit, report);
  }
}

function checkTiers(value: unknown, unit: PricingUnit | undefined, report: Report): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    report('tiers', 'must be an array');
    return;
  }
  if (value.length > 0 && unit !== undefined && !isTokenUnit(unit)) {
    report('tiers', `long-context tiers need a token unit, not ${unit}`);
  }
  let previous = -1;
  value.forEach((tier: unknown, i) => {
    const field = `tiers[${i}]`;
    if (!isObject(tier)) {
      report(field, 'must be an object { aboveInputTokens, rates }');
      return;
    }
    const above = tier['aboveInputTokens'];
    if (typeof above !== 'number' || !Number.isSafeInteger(above) || above <= 0) {
      report(`${field}.aboveInputTokens`, 'must be a positive integer');
    } else {
      if (above <= previous) report(`${field}.aboveInputTokens`, `tiers not ascending (${above} after ${previous})`);
      previous = above;
    }
    checkRates(tier['rates'], `${field}.rates`, unit, report);
    checkServiceTiers(tier['serviceTiers'], `${field}.serviceTiers`, unit, report);
  });
}

function checkItems(value: unknown, report: Report): Set<BaseUnit> {
  const billed = new Set<BaseUnit>();
  if (value === undefined || value === null) return billed;
  if (!Array.isArray(value)) {
    report('itemRates', 'must be an array');
    return billed;
  }
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const field = `itemRates[${i}]`;
    if (!isObject(item)) return report(field, 'must be an object { kind, unit, rate }');
    const { kind, unit: itemUnit, rate } = item;
    if (typeof kind !== 'string' || !ITEM_SET.has(kind)) {
      return report(`${field}.kind`, `unknown item kind (expected one of ${ITEM_KINDS.join(', ')})`);
    }
    if (seen.has(kind)) report(`${field}.kind`, `duplicate item kind ${kind}`);
    seen.add(kind);
    if (!isPricingUnit(itemUnit)) return report(`${field}.unit`, `missing or unknown unit ${JSON.stringify(itemUnit)}`);
    const base = ITEM_BASE[kind as ItemKind];
    if (baseUnitOf(itemUnit) !== base) {
      return report(`${field}.unit`, `unit ${itemUnit} does not count ${kind} items`);
    }
    billed.add(base);
    const problem = rateProblem(rate, itemUnit);
    if (problem !== undefined) report(`${field}.rate`, problem);
  });
  return billed;
}

/** A date-time without Z or an offset would be read in the server's local time zone. */
const LOCAL_DATE_TIME = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function checkDates(entry: Record<string, unknown>, report: Report): number | undefined {
  const from = entry['effectiveFrom'];
  const to = entry['effectiveTo'];
  for (const [field, value] of [['effectiveFrom', from], ['effectiveTo', to]] as const) {
    if (typeof value === 'string' && LOCAL_DATE_TIME.test(value)) report(field, `date-time without a time zone: ${value}`);
  }
  const fromMs = typeof from === 'string' ? Date.parse(from) : Number.NaN;
  if (Number.isNaN(fromMs)) report('effectiveFrom', `missing or not an ISO date: ${JSON.stringify(from)}`);
  if (to !== undefined && to !== null) {
    const toMs = typeof to === 'string' ? Date.parse(to) : Number.NaN;
    if (Number.isNaN(toMs)) report('effectiveTo', `not an ISO date: ${JSON.stringify(to)}`);
    else if (!Number.isNaN(fromMs) && toMs <= fromMs) report('effectiveTo', `effectiveTo ${to} is not after effectiveFrom ${String(from)}`);
  }
  return Number.isNaN(fromMs) ? undefined : fromMs;
}

function checkEntry(entry: Record<string, unknown>, report: Report): void {
  for (const key of ['id', 'provider', 'model'] as const) {
    const v = entry[key];
    if (typeof v !== 'string' || v.trim() === '') report(key, 'missing or empty');
  }
  if (typeof entry['source'] !== 'string' || !SOURCES.has(entry['source'])) {
    report('source', `unknown source ${JSON.stringify(entry['source'])}`);
  }
  if (entry['currency'] !== 'USD') report('currency', `only USD is supported, got ${JSON.stringify(entry['currency'])}`);
  if (!isBillingModel(entry['billingModel'])) {
    report('billingModel', `missing or unknown billing model ${JSON.stringify(entry['billingModel'])}`);
  }
  const rawUnit = entry['unit'];
  const unit = isPricingUnit(rawUnit) ? rawUnit : undefined;
  if (rawUnit === undefined || rawUnit === null) report('unit', 'missing unit');
  else if (unit === undefined) report('unit', `unknown unit ${JSON.stringify(rawUnit)}`);

  const rates = entry['rates'];
  checkRates(rates, 'rates', unit, report);
  const billedItems = checkItems(entry['itemRates'], report);
  checkTiers(entry['tiers'], unit, report);
  checkServiceTiers(entry['serviceTiers'], 'serviceTiers', unit, report);
  const confidence = entry['confidence'];
  if (confidence !== undefined && confidence !== null && !(typeof confidence === 'number' && confidence >= 0 && confidence <= 1)) {
    report('confidence', 'must be a number between 0 and 1');
  }
  if (unit === undefined || !isObject(rates)) return;
  if (isTokenUnit(unit)) {
    if (rates['input'] === undefined) report('rates.input', `token unit ${unit} without an input rate`);
    if (rates['output'] === undefined && rates['imageOutput'] === undefined && rates['audioOutput'] === undefined) {
      report('rates.output', `token unit ${unit} without an output rate`);
    }
  } else {
    if (Object.keys(rates).length > 0) report('rates', `token rates given but unit ${unit} is not a token unit`);
    const base = baseUnitOf(unit);
    if (!billedItems.has(base)) report('itemRates', `unit ${unit} without an item rate counting ${base}`);
  }
}

/** Every problem in `entries`; an empty array means all of them can be compiled and used. */
export function validatePrices(entries: readonly unknown[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstSeen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const model = isObject(entry) && typeof entry['model'] === 'string' && entry['model'] ? entry['model'] : `#${index}`;
    const provider = isObject(entry) && typeof entry['provider'] === 'string' ? entry['provider'] : undefined;
    const report: Report = (field, problem) => issues.push({ model, provider, index, field, problem });
    if (!isObject(entry)) {
      report('(entry)', 'must be an object');
      return;
    }
    checkEntry(entry, report);
    const fromMs = checkDates(entry, report);
    if (fromMs !== undefined) {
      const key = `${provider ?? ''}\u0000${model}\u0000${fromMs}`;
      const first = firstSeen.get(key);
      if (first === undefined) firstSeen.set(key, index);
      else report('effectiveFrom', `duplicate model+effectiveFrom (same as entry #${first})`);
    }
  });
  return issues;
}

/** One line per issue, for logs and the CLI. */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues
    .map((i) => `${i.provider ? `${i.provider}/` : ''}${i.model} [#${i.index}] ${i.field}: ${i.problem}`)
    .join('\n');
}

export class PriceValidationError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`invalid prices:\n${formatIssues(issues)}`);
    this.name = 'PriceValidationError';
  }
}

/** Throws a PriceValidationError listing every issue, for data that must be right (built-ins). */
export function assertValidPrices(entries: readonly unknown[]): void {
  const issues = validatePrices(entries);
  if (issues.length > 0) throw new PriceValidationError(issues);
}
