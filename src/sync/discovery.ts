/**
 * Gathering discovered prices: structured sources named with --source (or in
 * sync.discovery.sources), then the AI extraction of pricing pages. A source that cannot be
 * read is a warning and the run goes on with the rest (exit 4 at the end); the AI call runs
 * only after its estimated cost was shown and confirmed, and never in a dry run (which shows
 * the estimate and spends nothing).
 */
import type { GatewayConfig } from '../config/schema.js';
import { attoToUsd, usdToAtto } from '../core/money.js';
import type { PriceCatalog } from '../pricing/index.js';
import { estimateAiCall } from './ai-estimate.js';
import { extractionRequest, runExtraction, type AiSettings, type ExtractionRequest } from './ai-extraction.js';
import type { Confirm } from './confirm.js';
import { readLocation, SourceUnavailable } from './http.js';
import { parseLiteLlmCatalog } from './litellm.js';
import { pageToText } from './page-text.js';
import { providersInScope } from './providers.js';
import type { DiscoveredPrice } from './types.js';
import { readLanguageModels, XAI_LANGUAGE_MODELS_PROVIDER } from './xai-language-models.js';

export type SourceSpec = { kind: 'litellm'; location: string } | { kind: 'xai-language-models' };

/** "litellm=<file or URL>" | "xai-language-models"; a RangeError explains anything else. */
export function parseSourceSpec(text: string): SourceSpec {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  const value = eq < 0 ? '' : text.slice(eq + 1);
  if (name === 'litellm' && value !== '') return { kind: 'litellm', location: value };
  if (name === 'xai-language-models' && eq < 0) return { kind: 'xai-language-models' };
  throw new RangeError(`unknown source "${text}" (expected litellm=<file or URL> or xai-language-models)`);
}

export interface AiPlan {
  settings: AiSettings;
  pages: { provider: string; location: string }[];
}

export interface DiscoveryInput {
  config: Readonly<GatewayConfig>;
  cwd: string;
  sources: readonly SourceSpec[];
  ai?: AiPlan;
  /** For the AI cost estimate: database rows + built-ins + fallback, as the gateway prices. */
  catalog: PriceCatalog;
  yes: boolean;
  /** Show what the AI extraction would cost, but do not make the (paid) call. */
  dryRun: boolean;
  confirm: Confirm;
  out: (text: string) => void;
  progress: (line: string) => void;
}

export interface DiscoveryResult {
  prices: DiscoveredPrice[];
  /** One line per source that could not be read or used. */
  unavailable: string[];
  /** The AI call's cost was not confirmed: the caller stops without changing anything. */
  refused: boolean;
}

async function readStructured(spec: SourceSpec, input: DiscoveryInput): Promise<DiscoveredPrice[]> {
  const timeoutMs = input.config.sync.timeoutMs;
  if (spec.kind === 'litellm') {
    const text = await readLocation(spec.location, input.cwd, timeoutMs);
    try {
      return parseLiteLlmCatalog(text, `litellm ${spec.location}`);
    } catch (error) {
      throw new SourceUnavailable(`litellm ${spec.location}`, (error as Error).message);
    }
  }
  const [access] = providersInScope(input.config, XAI_LANGUAGE_MODELS_PROVIDER);
  return readLanguageModels(access!, timeoutMs);
}

const label = (spec: SourceSpec): string => (spec.kind === 'litellm' ? `litellm ${spec.location}` : spec.kind);

export async function discover(input: DiscoveryInput): Promise<DiscoveryResult> {
  const result: DiscoveryResult = { prices: [], unavailable: [], refused: false };
  const unavailable = (error: unknown): void => {
    if (!(error instanceof SourceUnavailable)) throw error;
    input.progress(`warning: source unavailable: ${error.message}; continuing without it`);
    result.unavailable.push(error.message);
  };
  for (const [i, spec] of input.sources.entries()) {
    input.progress(`[source ${i + 1}/${input.sources.length}] ${label(spec)} ...`);
    try {
      const prices = await readStructured(spec, input);
      input.progress(`[source ${i + 1}/${input.sources.length}] ${label(spec)}: ${prices.length} token prices`);
      result.prices.push(...prices);
    } catch (error) {
      unavailable(error);
    }
  }
  if (input.ai) await discoverWithAi(input.ai, input, result, unavailable);
  return result;
}

async function discoverWithAi(ai: AiPlan, input: DiscoveryInput, result: DiscoveryResult, unavailable: (error: unknown) => void): Promise<void> {
  const { settings } = ai;
  const ready: { page: AiPlan['pages'][number]; request: ExtractionRequest }[] = [];
  for (const page of ai.pages) {
    input.progress(`[ai] reading the pricing page ${page.location} (${page.provider}) ...`);
    try {
      const text = pageToText(await readLocation(page.location, input.cwd, settings.timeoutMs));
      const request = extractionRequest(settings, page.provider, page.location, text);
      if (request.truncated) input.progress(`warning: ${page.location}: page text cut at ${settings.maxPageChars} characters (sync.discovery.ai.maxPageChars)`);
      ready.push({ page, request });
    } catch (error) {
      unavailable(error);
    }
  }
  if (ready.length === 0) return;
  let total = 0n;
  const lines = ready.map(({ page, request }) => {
    const e = estimateAiCall(input.catalog, settings.provider, settings.model, request.promptText, settings.maxOutputTokens);
    total += usdToAtto(e.usd);
    return `  ${page.location}: ${e.inputTokens} prompt tokens (${e.tokenCount}) + up to ${e.outputTokens} output tokens ≈ at most $${e.usd} (${e.priceSource} price)`;
  });
  input.out(`AI discovery through ${settings.gatewayUrl} with ${settings.provider}/${settings.model}; estimated cost:\n${lines.join('\n')}\n  total at most $${attoToUsd(total)}\n`);
  if (input.dryRun) {
    input.out('Dry run: the AI extraction was not run (nothing spent); its prices are not in the plan below.\n');
    return;
  }
  if (!input.yes && !(await input.confirm(`Spend up to $${attoToUsd(total)} on AI price extraction?`))) {
    result.refused = true;
    return;
  }
  for (const { page, request } of ready) {
    input.progress(`[ai] extracting prices from ${page.location} ...`);
    try {
      const prices = await runExtraction(settings, request, page.provider, page.location);
      input.progress(`[ai] ${page.location}: ${prices.length} prices read`);
      result.prices.push(...prices);
    } catch (error) {
      unavailable(error);
    }
  }
}
