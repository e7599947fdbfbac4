/** The pricing module's public surface: units, price shapes, validation, cost, catalog. */
export * from './units.js';
export * from './types.js';
export { compilePrice } from './compile.js';
export { computeCost } from './cost.js';
export type { CostBreakdown, CostFlag, CostOptions, PricedUsage } from './cost.js';
export { validatePrices, assertValidPrices, formatIssues, PriceValidationError } from './validate.js';
export type { ValidationIssue } from './validate.js';
export { priceFromRow, priceToRow } from './rows.js';
export type { ModelPriceRow, ModelPriceRowOut, StoredPriceSource } from './rows.js';
export { PriceCatalog, BUILTIN_PRICES, builtinPricesOf } from './catalog.js';
export type { CatalogOptions, LookupResult, LookupSource, ModelAliases, FallbackConfig, Resolution } from './catalog.js';
export { modelCandidates, stripDateSuffix } from './resolve.js';
export { builtinPrice, BUILTIN_EFFECTIVE_FROM } from './builtin.js';
