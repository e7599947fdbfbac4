/**
 * The in-memory price catalog the hot path asks for every request. Three layers:
 *   database rows (given as Price[] by whoever loads them) → built-ins → a universal fallback.
 * Everything is compiled once when a layer is installed; `lookup` is a Map hit in the common
 * case, and the string work needed to resolve other spellings of a model id (aliases,
 * `models/` prefixes, date suffixes) is done once per id and cached (bounded, because model
 * ids come from clients).
 */
import { adapters } from '../providers/registry.js';
import { compilePrice } from './compile.js';
import { fallbackPrices } from './fallback.js';
import type { FallbackConfig } from './fallback.js';
import { modelCandidates } from './resolve.js';
import type { Resolution } from './resolve.js';
import type { CompiledPrice, Price } from './types.js';
import { assertValidPrices, validatePrices } from './validate.js';
import type { ValidationIssue } from './validate.js';

export type { FallbackConfig } from './fallback.js';
export type { Resolution } from './resolve.js';

export type LookupSource = 'database' | 'builtin' | 'fallback';

export interface LookupResult {
  price: CompiledPrice;
  source: LookupSource;
  priceId: string;
  /** The model id whose price was used (the requested id when resolution is 'fallback'). */
  resolvedModel: string;
  resolution: Resolution;
}

/** The `Model.aliases` column: other names under which a provider serves `name`. */
export interface ModelAliases {
  provider: string;
  name: string;
  aliases: readonly string[];
}

export interface CatalogOptions {
  databaseRows?: readonly Price[];
  /** Defaults to the built-in tables of every registered adapter (BUILTIN_PRICES). */
  builtins?: readonly Price[];
  aliases?: readonly ModelAliases[];
  fallback?: FallbackConfig;
  /** Most distinct non-exact model ids whose resolution is remembered. */
  resolutionCacheSize?: number;
}

/** Every built-in price the gateway ships with: each registered adapter's own table. */
export const BUILTIN_PRICES: readonly Price[] = builtinPricesOf(adapters);

/** The built-in layer for a set of adapters (the gateway's, when it is given its own list). */
export function builtinPricesOf(list: readonly { builtinPrices: readonly Price[] }[]): readonly Price[] {
  return Object.freeze(list.flatMap((adapter) => adapter.builtinPrices));
}

/** Versions of one model's price, newest effectiveFrom first. */
type Layer = ReadonlyMap<string, readonly CompiledPrice[]>;

interface Candidate {
  key: string;
  model: string;
  resolution: Resolution;
}

const keyOf = (provider: string, model: string): string => `${provider}\u0000${model}`;

function buildLayer(prices: readonly Price[]): Layer {
  const layer = new Map<string, CompiledPrice[]>();
  for (const price of prices) {
    const key = keyOf(price.provider, price.model);
    const versions = layer.get(key);
    if (versions) versions.push(compilePrice(price));
    else layer.set(key, [compilePrice(price)]);
  }
  for (const versions of layer.values()) versions.sort((a, b) => b.effectiveFromMs - a.effectiveFromMs);
  return layer;
}

function inForce(versions: readonly CompiledPrice[] | undefined, at: number): CompiledPrice | undefined {
  if (versions === undefined) return undefined;
  for (const price of versions) {
    if (price.effectiveFromMs <= at && at < price.effectiveToMs) return price;
  }
  return undefined;
}

export class PriceCatalog {
  private database: Layer = new Map();
  private readonly builtin: Layer;
  private aliases: ReadonlyMap<string, string> = new Map();
  private fallbacks: ReadonlyMap<string, CompiledPrice> = new Map();
  private defaultFallback!: CompiledPrice;
  private readonly builtinPrices: readonly Price[];
  private readonly fallbackConfig: FallbackConfig | undefined;
  private readonly resolved = new Map<string, readonly Candidate[]>();
  private readonly cacheSize: number;

  constructor(options: CatalogOptions = {}) {
    const builtins = options.builtins ?? BUILTIN_PRICES;
    assertValidPrices(builtins); // shipped data must be right: fail at boot, not per request
    this.builtin = buildLayer(builtins);
    this.builtinPrices = builtins;
    this.fallbackConfig = options.fallback;
    this.rebuildFallbacks([]);
    this.cacheSize = Math.max(0, options.resolutionCacheSize ?? 10_000);
    if (options.aliases) this.replaceAliases(options.aliases);
    if (options.databaseRows) this.replaceDatabaseRows(options.databaseRows);
  }

  /**
   * Swaps the database layer in one assignment (a price change notice calls this with the
   * freshly loaded rows). Invalid rows are left out and returned, so one bad row cannot hide
   * every other price change; the caller logs them.
   */
  replaceDatabaseRows(rows: readonly Price[]): ValidationIssue[] {
    const issues = validatePrices(rows);
    const bad = new Set(issues.map((issue) => issue.index));
    const valid = rows.filter((_, index) => !bad.has(index));
    this.database = buildLayer(valid);
    // A database price dearer than every built-in (a manual or synced row) raises the
    // fallback too: an unknown model must never cost less than a known one.
    this.rebuildFallbacks(valid);
    this.resolved.clear();
    return issues;
  }

  private rebuildFallbacks(databaseRows: readonly Price[]): void {
    const fallback = fallbackPrices([...this.builtinPrices, ...databaseRows], this.fallbackConfig);
    assertValidPrices([...fallback.perProvider.values(), fallback.default]);
    this.fallbacks = new Map([...fallback.perProvider].map(([p, price]) => [p, compilePrice(price)]));
    this.defaultFallback = compilePrice(fallback.default);
  }

  replaceAliases(list: readonly ModelAliases[]): void {
    const next = new Map<string, string>();
    for (const { provider, name, aliases } of list) {
      for (const alias of aliases) if (alias !== name) next.set(keyOf(provider, alias), name);
    }
    this.aliases = next;
    this.resolved.clear();
  }

  lookup(provider: string, model: string, at?: Date): LookupResult {
    const when = at?.getTime();
    const t = when === undefined || Number.isNaN(when) ? Date.now() : when;
    const key = keyOf(provider, model);
    const exact = this.find(key, t);
    if (exact) return result(exact.price, exact.source, model, 'exact');

    let candidates = this.resolved.get(key);
    if (candidates === undefined) {
      candidates = this.candidatesFor(provider, model);
      this.remember(key, candidates);
    }
    for (const candidate of candidates) {
      const hit = this.find(candidate.key, t);
      if (hit) return result(hit.price, hit.source, candidate.model, candidate.resolution);
    }
    const fallback = this.fallbacks.get(provider) ?? this.defaultFallback;
    return result(fallback, 'fallback', model, 'fallback');
  }

  /** Number of distinct (provider, model) keys in each layer, for /admin and metrics. */
  sizes(): { database: number; builtin: number; resolutionCache: number } {
    return { database: this.database.size, builtin: this.builtin.size, resolutionCache: this.resolved.size };
  }

  private find(key: string, at: number): { price: CompiledPrice; source: LookupSource } | undefined {
    const fromDb = inForce(this.database.get(key), at);
    if (fromDb) return { price: fromDb, source: 'database' };
    const fromBuiltin = inForce(this.builtin.get(key), at);
    return fromBuiltin ? { price: fromBuiltin, source: 'builtin' } : undefined;
  }

  /** Other spellings of `model` that some layer has a price for, in resolution order. */
  private candidatesFor(provider: string, model: string): Candidate[] {
    const known = (m: string): boolean => {
      const k = keyOf(provider, m);
      return this.database.has(k) || this.builtin.has(k);
    };
    const aliasOf = (m: string): string | undefined => this.aliases.get(keyOf(provider, m));
    return modelCandidates(model, aliasOf)
      .filter((c) => c.model !== model && known(c.model))
      .map((c) => ({ key: keyOf(provider, c.model), model: c.model, resolution: c.resolution }));
  }

  /** Remembers a resolution; evicts the oldest entry when full (ids are client-chosen). */
  private remember(key: string, candidates: readonly Candidate[]): void {
    if (this.cacheSize === 0) return;
    if (this.resolved.size >= this.cacheSize) {
      const oldest = this.resolved.keys().next();
      if (!oldest.done) this.resolved.delete(oldest.value);
    }
    this.resolved.set(key, candidates);
  }
}

function result(price: CompiledPrice, source: LookupSource, resolvedModel: string, resolution: Resolution): LookupResult {
  return { price, source, priceId: price.id, resolvedModel, resolution };
}
