import type { IncomingHttpHeaders } from 'node:http';
import type { Plan, Scenario } from './types.js';

/**
 * Scenario resolution. Tests in the same process call `setScenario()`; anything that only
 * controls the model name (an SDK behind the gateway, the demo, a benchmark) uses magic
 * model names; raw HTTP callers may also send `x-sim-*` headers.
 *
 * Magic tokens may appear anywhere in a model name, so a gateway that must price the model
 * can be sent "gpt-4o-mini+sim-slow" and still find "gpt-4o-mini" in its catalog:
 *   sim-error-<status>   error in the provider's shape with that HTTP status (400…599)
 *   sim-error-quota      429 "quota / credits exhausted" (vs sim-error-429 = rate limit)
 *   sim-slow             SLOW_CHUNK_DELAY_MS between chunks; non-streams wait as long
 *   sim-reset-midstream  a few chunks (or half the JSON), then the socket is destroyed
 *   sim-no-usage         no usage block anywhere
 *   sim-hang             never answers; closes only when the client does
 */

export const SLOW_CHUNK_DELAY_MS = 50;

const MAGIC = /sim-(error-(\d{3}|quota)|slow|reset-midstream|no-usage|hang)/g;

/** Parses magic tokens; model names carry the "sim-" prefix, the x-sim-scenario header may omit it. */
function parseTokens(text: string, withPrefix: boolean): Scenario | undefined {
  const source = withPrefix ? text : text.replace(/(^|[\s,+])(?=[a-z])/g, '$1sim-');
  if (!source.includes('sim-')) return undefined;
  let found: Scenario | undefined;
  for (const m of source.matchAll(MAGIC)) {
    found ??= {};
    const [, token, status] = m;
    if (status !== undefined) {
      const code = status === 'quota' ? 'quota' : Number(status);
      if (code === 'quota' || (code >= 400 && code <= 599)) found.error = code;
    } else if (token === 'slow') found.slow = true;
    else if (token === 'reset-midstream') found.resetMidstream = true;
    else if (token === 'no-usage') found.noUsage = true;
    else if (token === 'hang') found.hang = true;
  }
  return found;
}

export function scenarioFromModel(model: string | undefined): Scenario | undefined {
  // Fast path: almost every benchmark request has no magic token.
  if (model === undefined || !model.includes('sim-')) return undefined;
  return parseTokens(model, true);
}

function headerInt(headers: IncomingHttpHeaders, name: string): number | undefined {
  const raw = headers[name];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A JSON object of string values (`{"keep-alive":"timeout=9"}`); anything else is ignored. */
function headerObject(headers: IncomingHttpHeaders, name: string): Record<string, string> | undefined {
  const raw = headers[name];
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed);
  if (entries.some(([, value]) => typeof value !== 'string')) return undefined;
  return Object.fromEntries(entries.map(([key, value]) => [key.toLowerCase(), value as string]));
}

/**
 * x-sim-chunk-delay-ms, x-sim-first-byte-delay-ms, x-sim-output-tokens, x-sim-scenario ("error-503,slow"),
 * x-sim-response-headers (a JSON object of extra response headers), x-sim-hold-gate (a gate's name).
 */
export function scenarioFromHeaders(headers: IncomingHttpHeaders): Scenario | undefined {
  const chunk = headerInt(headers, 'x-sim-chunk-delay-ms');
  const first = headerInt(headers, 'x-sim-first-byte-delay-ms');
  const output = headerInt(headers, 'x-sim-output-tokens');
  const extra = headerObject(headers, 'x-sim-response-headers');
  const gate = headers['x-sim-hold-gate'];
  const named = headers['x-sim-scenario'];
  if (chunk === undefined && first === undefined && output === undefined && extra === undefined && typeof gate !== 'string' && typeof named !== 'string') return undefined;
  const s: Scenario = typeof named === 'string' ? (parseTokens(named, false) ?? {}) : {};
  if (chunk !== undefined) s.chunkDelayMs = chunk;
  if (first !== undefined) s.firstByteDelayMs = first;
  if (output !== undefined) s.outputTokens = Math.floor(output);
  if (extra !== undefined) s.responseHeaders = extra;
  if (typeof gate === 'string' && gate !== '') s.holdGate = gate;
  return s;
}

/** Holds the `setScenario()` state, including its optional path filter and use count. */
export class ScenarioSlot {
  private current: Scenario | null = null;
  private remaining = Infinity;

  set(scenario: Scenario | null): void {
    this.current = scenario ? { ...scenario } : null;
    this.remaining = scenario?.times ?? Infinity;
  }

  /** The scenario for a request on `path`, consuming one use when it has a count. */
  take(path: string): Scenario | undefined {
    const s = this.current;
    if (s === null) return undefined;
    if (s.pathIncludes !== undefined && !path.includes(s.pathIncludes)) return undefined;
    if (--this.remaining <= 0) this.current = null;
    return s;
  }
}

export interface PlanDefaults {
  chunkDelayMs: number;
  firstByteDelayMs: number;
}

/** Later layers override earlier ones field by field. */
export function resolvePlan(defaults: PlanDefaults, ...layers: (Scenario | undefined)[]): Plan {
  const plan: Plan = {
    hang: false,
    reset: false,
    noUsage: false,
    slow: false,
    chunkDelayMs: defaults.chunkDelayMs,
    firstByteDelayMs: defaults.firstByteDelayMs,
  };
  for (const s of layers) {
    if (s === undefined) continue;
    if (s.error !== undefined) plan.error = s.error;
    if (s.hang !== undefined) plan.hang = s.hang;
    if (s.resetMidstream !== undefined) plan.reset = s.resetMidstream;
    if (s.noUsage !== undefined) plan.noUsage = s.noUsage;
    if (s.slow !== undefined) plan.slow = s.slow;
    if (s.chunkDelayMs !== undefined) plan.chunkDelayMs = s.chunkDelayMs;
    if (s.firstByteDelayMs !== undefined) plan.firstByteDelayMs = s.firstByteDelayMs;
    if (s.cachedTokens !== undefined) plan.cachedTokens = s.cachedTokens;
    if (s.outputTokens !== undefined) plan.outputTokens = s.outputTokens;
    if (s.responseHeaders !== undefined) plan.responseHeaders = s.responseHeaders;
    if (s.holdGate !== undefined) plan.holdGate = s.holdGate;
  }
  if (plan.slow) plan.chunkDelayMs = Math.max(plan.chunkDelayMs, SLOW_CHUNK_DELAY_MS);
  return plan;
}
