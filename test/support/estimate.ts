import { attoToNanoCeil } from '../../src/core/money.js';
import { estimateUsage } from '../../src/estimate/estimate.js';
import { computeCost } from '../../src/pricing/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import type { TestGateway } from './gateway.js';

/**
 * What the gateway reserves for an OpenAI chat body, in nano-USD: the same estimator and the
 * gateway's own catalog, so a budget of n × this affords exactly n concurrent requests.
 */
export function reservedNano(t: TestGateway, body: { model: string }): bigint {
  const route = openaiAdapter.matchRoute('POST', '/chat/completions');
  const facts = openaiAdapter.requestFacts(route, body);
  const usage = estimateUsage(facts, 4096, true).usage;
  return attoToNanoCeil(computeCost(usage, t.gateway.catalog.lookup('openai', body.model).price).total);
}
