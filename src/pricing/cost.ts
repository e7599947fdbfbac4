/**
 * The one pure cost function: canonical Usage × compiled price → exact breakdown in atto-USD.
 *
 * It knows no provider: the usage mappers already normalised semantics (core/usage.ts), so
 * here cached reads and cache writes are parts of inputTokens, reasoning is part of
 * outputTokens, audio/image counts are parts of their totals, and tool-use prompt tokens are
 * extra input. Each token is billed exactly once, at the most specific rate that applies.
 */
import { ATTO_PER_USD, usdToAtto } from '../core/money.js';
import type { Usage } from '../core/usage.js';
import { baseUnitOf } from './units.js';
import type { CompiledPrice, RateVector, ServiceTierName } from './types.js';

export interface CostOptions {
  /** The service tier the request asked for (OpenAI's request `service_tier`). */
  serviceTier?: string;
}

/**
 * The usage, plus the service tier the provider says it actually used, when it says one
 * (OpenAI answers `service_tier` with the tier that ran: a request for "flex" or "priority"
 * may come back "default"). That reported tier wins over the requested one in CostOptions;
 * without it (estimates, providers that report none) the requested tier prices the call.
 */
export type PricedUsage = Usage & { serviceTier?: string };

export type CostFlag =
  | 'missing-input'
  | 'missing-output'
  | 'missing-item-count'
  | 'invalid-count'
  | 'clamped-input-subsets'
  | 'clamped-output-subsets'
  | 'service-tier-unpriced'
  | 'tier-and-service-tier-combined'
  | 'provider-cost-rejected';

export interface CostBreakdown {
  /** Uncached, non-audio, non-image prompt tokens, plus tool-use prompt tokens. */
  input: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  /** Output tokens that are neither reasoning nor audio nor image. */
  output: bigint;
  reasoning: bigint;
  /** Audio input and audio output tokens. */
  audio: bigint;
  /** Image input and image output tokens. */
  image: bigint;
  /** Per image / second / character / request / audio file charges. */
  items: bigint;
  /** What the request costs: the provider's figure when it sent one, else computedTotal. */
  total: bigint;
  /** The sum of the parts above, always kept (compared against the provider's figure). */
  computedTotal: bigint;
  costSource: 'provider' | 'computed';
  /** The long-context threshold crossed (e.g. 200000), or undefined. */
  tierApplied?: number;
  serviceTierApplied?: ServiceTierName;
  /** The usage lacked a count the price bills (input, output, or its item count). */
  incomplete: boolean;
  /** A subset count exceeded its total and was cut down so no part went negative. */
  clamped: boolean;
  flags: readonly CostFlag[];
  priceId: string;
}

/** Names that mean "the standard tier": no special rates, nothing to flag. */
const STANDARD_TIER_NAMES: ReadonlySet<string> = new Set(['', 'default', 'auto', 'standard', 'on_demand']);

function serviceTierName(name: string): ServiceTierName | 'standard' | undefined {
  const lower = name.trim().toLowerCase();
  if (STANDARD_TIER_NAMES.has(lower)) return 'standard';
  if (lower === 'flex' || lower === 'priority') return lower;
  if (lower === 'batch' || lower === 'batches') return 'batch';
  return undefined;
}

/** A token count we can bill: a non-negative safe integer. Anything else is unknown. */
function tokens(value: number | undefined, flags: CostFlag[]): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  flags.push('invalid-count');
  return undefined;
}

/** An item quantity: finite and non-negative; seconds may be fractional. */
function quantity(value: number | undefined, flags: CostFlag[]): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value >= 0) return value;
  flags.push('invalid-count');
  return undefined;
}

/** Takes each subset, in order, out of what is left of the total; reports any cut. */
function carve(total: number, parts: number[]): { parts: number[]; rest: number; cut: boolean } {
  let rest = total;
  let cut = false;
  const out = parts.map((part) => {
    const taken = part <= rest ? part : rest;
    if (taken !== part) cut = true;
    rest -= taken;
    return taken;
  });
  return { parts: out, rest, cut };
}

function selectTier(price: CompiledPrice, promptTokens: number): number {
  let index = -1;
  const thresholds = price.thresholds;
  for (let i = 0; i < thresholds.length; i++) if (promptTokens > thresholds[i]!) index = i;
  return index;
}

function selectService(price: CompiledPrice, requested: string | undefined, flags: CostFlag[]): number {
  if (requested === undefined) return 0;
  const name = serviceTierName(requested);
  if (name === 'standard') return 0;
  const index = name === undefined ? -1 : price.serviceTiers.indexOf(name);
  if (index < 0) flags.push('service-tier-unpriced');
  return index + 1;
}

const big = (n: number): bigint => BigInt(n);

/** A fractional amount × 1e18, exact for up to 18 decimals, else rounded up (5e-324 → 1). */
function scaled1e18(amount: number): bigint {
  try {
    return usdToAtto(amount);
  } catch {
    return usdToAtto(amount.toFixed(18)) + 1n;
  }
}

/** Whole units × rate, or fractional units (seconds) × rate rounded UP to the atto. */
function itemCost(rate: bigint | undefined, amount: number | undefined): bigint {
  if (rate === undefined || amount === undefined || amount === 0) return 0n;
  if (Number.isInteger(amount)) return rate * BigInt(amount);
  return (rate * scaled1e18(amount) + ATTO_PER_USD - 1n) / ATTO_PER_USD;
}

export function computeCost(usage: PricedUsage, price: CompiledPrice, options?: CostOptions): CostBreakdown {
  const flags: CostFlag[] = [];
  const inputTokens = tokens(usage.inputTokens, flags);
  const outputTokens = tokens(usage.outputTokens, flags);
  const toolUse = tokens(usage.toolUseInputTokens, flags) ?? 0;
  const inParts = [usage.cachedInputTokens, usage.cacheWriteTokens, usage.audioInputTokens, usage.imageInputTokens].map(
    (v) => tokens(v, flags) ?? 0,
  );
  const outParts = [usage.reasoningTokens, usage.audioOutputTokens, usage.imageOutputTokens].map(
    (v) => tokens(v, flags) ?? 0,
  );
  // An unknown total is at least the parts we were told about: the unknown remainder
  // counts as 0 (and the result says incomplete), the known parts are still billed.
  const input = carve(inputTokens ?? inParts.reduce((a, b) => a + b, 0), inParts);
  const output = carve(outputTokens ?? outParts.reduce((a, b) => a + b, 0), outParts);
  if (input.cut) flags.push('clamped-input-subsets');
  if (output.cut) flags.push('clamped-output-subsets');

  const tierIndex = selectTier(price, input.parts.reduce((a, b) => a + b, input.rest) + toolUse);
  const serviceIndex = selectService(price, usage.serviceTier ?? options?.serviceTier, flags);
  const variant = price.variants[serviceIndex]![tierIndex + 1]!;
  if (variant.combinedAssumed) flags.push('tier-and-service-tier-combined');
  const r: RateVector = variant.rates;

  const [cached, written, audioIn, imageIn] = input.parts as [number, number, number, number];
  const [reasoningN, audioOut, imageOut] = output.parts as [number, number, number];
  const costInput = big(input.rest + toolUse) * r.input;
  const costCached = big(cached) * r.cachedInput;
  const costWrite = big(written) * r.cacheWrite;
  const costOutput = big(output.rest) * r.output;
  const costReasoning = big(reasoningN) * r.reasoning;
  const costAudio = big(audioIn) * r.audioInput + big(audioOut) * r.audioOutput;
  const costImage = big(imageIn) * r.imageInput + big(imageOut) * r.imageOutput;

  const items = price.items;
  const images = quantity(usage.images, flags);
  const seconds = quantity(usage.audioSeconds, flags);
  const characters = quantity(usage.characters, flags);
  const costItems =
    itemCost(items.image, images) +
    itemCost(items.second, seconds) +
    itemCost(items.character, characters) +
    itemCost(items.request, 1) +
    itemCost(items.audio_file, 1);

  if (price.tokenPriced) {
    if (inputTokens === undefined) flags.push('missing-input');
    if (outputTokens === undefined && price.billsOutput) flags.push('missing-output');
  } else if (missingItemCount(price, images, seconds, characters)) {
    flags.push('missing-item-count');
  }

  const computedTotal =
    costInput + costCached + costWrite + costOutput + costReasoning + costAudio + costImage + costItems;
  let total = computedTotal;
  let costSource: CostBreakdown['costSource'] = 'computed';
  if (usage.providerCostAttoUsd !== undefined) {
    if (usage.providerCostAttoUsd >= 0n) {
      total = usage.providerCostAttoUsd;
      costSource = 'provider';
    } else {
      flags.push('provider-cost-rejected');
    }
  }

  return {
    input: costInput,
    cachedInput: costCached,
    cacheWrite: costWrite,
    output: costOutput,
    reasoning: costReasoning,
    audio: costAudio,
    image: costImage,
    items: costItems,
    total,
    computedTotal,
    costSource,
    tierApplied: tierIndex < 0 ? undefined : price.thresholds[tierIndex],
    serviceTierApplied: serviceIndex === 0 ? undefined : price.serviceTiers[serviceIndex - 1],
    incomplete: flags.some((f) => f === 'missing-input' || f === 'missing-output' || f === 'missing-item-count'),
    clamped: input.cut || output.cut,
    flags,
    priceId: price.id,
  };
}

/** For an item-priced model (whisper, tts, dall-e), the count its unit bills must be known. */
function missingItemCount(
  price: CompiledPrice,
  images: number | undefined,
  seconds: number | undefined,
  characters: number | undefined,
): boolean {
  switch (baseUnitOf(price.unit)) {
    case 'image':
      return images === undefined;
    case 'second':
      return seconds === undefined;
    case 'character':
      return characters === undefined;
    default:
      return false;
  }
}
