/**
 * Acme's list prices (a fictional provider: the worked example of docs/providers.md).
 * USD per 1M tokens unless a unit says otherwise; strings, so no rate ever passes through a float.
 */
import { builtinPrice } from '../../../../src/pricing/builtin.js';
import type { Price } from '../../../../src/pricing/types.js';

export const builtinPrices: readonly Price[] = Object.freeze([
  builtinPrice('acme', 'acme-chat-1', { rates: { input: '0.5', cachedInput: '0.125', output: '1.5' } }),
  builtinPrice('acme', 'acme-embed-1', { rates: { input: '0.02', output: '0' } }),
]);
