/** The upstream simulator: a local HTTP server replaying OpenAI, xAI and Gemini APIs. */
export { startSimulator } from './server.js';
export { runSimulatorCli, parseSimulatorArgs } from './cli.js';
export { SLOW_CHUNK_DELAY_MS } from './scenario.js';
export { countTokens, cachedTokensFor } from './text.js';
export { xaiCostTicks } from './xai.js';
export type { AbortInfo, Plan, RecordedRequest, Scenario, Simulator, SimulatorOptions, SimProvider } from './types.js';
export type { Gate } from './gates.js';
