import type { Usage } from '../core/usage.js';
import type { Price } from '../pricing/types.js';

/** What kind of call a request is; decides estimation, tapping and pricing. */
export type EndpointKind =
  | 'chat' // OpenAI/xAI POST chat/completions
  | 'responses' // OpenAI/xAI POST responses
  | 'embeddings' // OpenAI POST embeddings, Gemini :embedContent / :batchEmbedContents
  | 'generate' // Gemini :generateContent and :streamGenerateContent
  | 'count-tokens' // Gemini :countTokens (free)
  | 'models' // model listings (free)
  | 'other'; // anything else, passed through, not priced

/** The result of matching a request path against an adapter. */
export interface RouteMatch {
  kind: EndpointKind;
  /** The path below the provider's version root, e.g. "/chat/completions" or "/models/x:generateContent". */
  upstreamPath: string;
  /** Model named in the path (Gemini), before the body is read. */
  pathModel?: string;
  /** True when the path alone says the answer streams (Gemini :streamGenerateContent). */
  pathStreams: boolean;
  /** True when the call is billed by the provider and so needs a budget check. */
  billable: boolean;
}

/** What the proxy learned from the request body, for estimation and the ledger. */
export interface RequestFacts {
  model?: string;
  stream: boolean;
  /** Output allowance the client asked for (max_tokens, maxOutputTokens, ...), if any. */
  maxOutputTokens?: number;
  /** Reasoning budget in tokens when the client named one (thinkingBudget), or the effort word. */
  reasoningBudgetTokens?: number;
  reasoningEffort?: string;
  /** OpenAI service tier ("flex", "priority", ...) when named. */
  serviceTier?: string;
  /** All prompt text, concatenated, for the token estimate. */
  promptText: string;
}

/** Error kinds the gateway itself produces; each adapter shapes them its own way. */
export type GatewayErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'budget_exceeded'
  | 'invalid_request'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'service_unavailable'
  | 'internal';

export interface GatewayError {
  kind: GatewayErrorKind;
  status: number;
  message: string;
  /** Extra machine-readable facts (budget level, limit, reset time ...). */
  details?: Record<string, unknown>;
}

/** Watches a streamed response's bytes and reports the usage seen so far. */
export interface StreamTap {
  /**
   * Feeds one chunk as received from upstream. Returns the bytes to send to the client:
   * the same Buffer when nothing is rewritten (the common case, no copy).
   */
  push(chunk: Buffer): Buffer;
  /** Called once at the end; returns bytes still held back (if any) to flush to the client. */
  end(): Buffer;
  /** The last usage seen so far (cumulative for Gemini); undefined when none arrived. */
  usage(): Usage | undefined;
  /** Model reported by the response, when seen. */
  responseModel(): string | undefined;
}

export interface TapOptions {
  /** The gateway added `stream_options.include_usage`; remove the extra usage chunk. */
  stripInjectedUsage: boolean;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
}

/** One provider behind one small interface. `provider === ...` lives only below this folder. */
export interface ProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  /** URL prefixes served, longest first, e.g. ["/openai/v1", "/v1"]. */
  readonly routePrefixes: readonly string[];
  /** Provider base URL including its version root, e.g. "https://api.openai.com/v1". */
  readonly defaultBaseUrl: string;
  /** Environment variable holding the provider key, e.g. "OPENAI_API_KEY". */
  readonly apiKeyEnv: string;
  /**
   * The list prices this adapter ships with: the catalog's middle layer, below the database
   * rows and above the flagged fallback. An adapter built by spreading another must set its
   * own (an empty list is allowed: its models are then priced by the fallback, flagged).
   */
  readonly builtinPrices: readonly Price[];
  /**
   * Where the local simulator serves this provider's wire format, when it is not the first
   * route prefix (an OpenAI-compatible provider answers like "/openai/v1"). Used only when
   * the gateway serves a provider without a key from the simulator.
   */
  readonly simulatorPrefix?: string;

  matchRoute(method: string, upstreamPath: string): RouteMatch;
  /** The client's Tollgate key from where this provider's SDK puts its key. */
  extractClientKey(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | undefined;
  /** Reads what estimation needs from a parsed JSON body. */
  requestFacts(route: RouteMatch, body: unknown): RequestFacts;
  /**
   * Adjusts the body before forwarding (e.g. ask for stream usage). Returns the body to send
   * and whether the injected usage must be stripped from the client's stream.
   */
  prepareBody(route: RouteMatch, body: unknown, facts: RequestFacts): { body: unknown; stripInjectedUsage: boolean };
  /**
   * Builds the upstream URL and auth headers: the provider key is injected, the client's
   * key (header or `?key=`) is removed from what is forwarded.
   */
  buildUpstream(baseUrl: string, route: RouteMatch, query: URLSearchParams, providerKey: string | undefined): UpstreamRequest;
  /** Usage from a whole JSON response body; undefined when the body carries none. */
  usageFromJson(route: RouteMatch, body: unknown): Usage | undefined;
  responseModelFromJson(body: unknown): string | undefined;
  createStreamTap(route: RouteMatch, options: TapOptions): StreamTap;
  /** The error body and headers this provider's SDKs understand. */
  errorBody(error: GatewayError): unknown;
}
