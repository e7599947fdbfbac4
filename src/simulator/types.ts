import type { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';

/** Which provider personality answered a request. */
export type SimProvider = 'openai' | 'xai' | 'gemini';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the simulator is a test double and should not be reachable from outside. */
  host?: string;
  /** Pause between SSE chunks (streams only). Default 0: benchmarks run at saturation. */
  chunkDelayMs?: number;
  /** Pause before the status line is written, for every response. Default 0. */
  firstByteDelayMs?: number;
  /**
   * Embedding width: one number for every model, or per model id (others fall back to 8).
   * Default 8 so recorded bodies stay small; a request's `dimensions` /
   * `outputDimensionality` always wins.
   */
  embeddingDimensions?: number | Record<string, number>;
  /** Keep at most this many requests in `requests` (default 1000; 0 disables recording). */
  maxRecordedRequests?: number;
  /**
   * When true, a request without any credential is refused the way the provider would
   * (OpenAI 401, Gemini 403, xAI 400). Default false, so a gateway started without provider
   * keys can still use the simulator as its upstream.
   */
  requireAuth?: boolean;
}

/** One request as the simulator received it. */
export interface RecordedRequest {
  /** Sequence number since start (never reused, survives `clearRequests`). */
  seq: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  method: string;
  /** Path as received, without the query string (e.g. "/xai/v1/chat/completions"). */
  path: string;
  /** Decoded query parameters (last value wins), e.g. { alt: 'sse', key: '...' }. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Raw body text ('' for none). */
  body: string;
  /** Personality the path selected; undefined for unknown paths. */
  provider?: SimProvider;
  /** Model named by the body or the path, if any. */
  model?: string;
  /**
   * Response body bytes the simulator has handed to the socket so far, updated while the
   * reply is written. Large replies are written only as fast as the reader takes them
   * (send.ts), so for a stream this shows how far a slow reader has let the upstream get.
   */
  responseBytes: number;
}

/** Emitted when the client went away before the response ended. */
export interface AbortInfo {
  seq: number;
  method: string;
  path: string;
  model?: string;
  /** True when the status line had already been sent (a stream cut short). */
  headersSent: boolean;
  /** Milliseconds from arrival to the close. */
  afterMs: number;
}

/**
 * Behaviour to provoke. The same knobs are reachable three ways, later ones overriding
 * earlier ones field by field: `setScenario()`, the `x-sim-*` request headers, and magic
 * model names (`sim-error-500`, `sim-slow`, ...; see scenario.ts).
 */
export interface Scenario {
  /** Answer with this HTTP status in the provider's own error shape; 'quota' = billing exhausted. */
  error?: number | 'quota';
  /** Never send a status line; the socket stays open until the client leaves. */
  hang?: boolean;
  /** Send part of the body (a few SSE events, or half the JSON) then destroy the socket. */
  resetMidstream?: boolean;
  /** Omit every usage block (JSON, SSE chunks, Gemini usageMetadata). */
  noUsage?: boolean;
  /** Use a noticeable per-chunk delay (SLOW_CHUNK_DELAY_MS unless chunkDelayMs is larger). */
  slow?: boolean;
  chunkDelayMs?: number;
  firstByteDelayMs?: number;
  /** Force this many cached prompt tokens (clamped to the prompt) instead of the default rule. */
  cachedTokens?: number;
  /**
   * Answer with exactly this many output tokens (one stream chunk each; the request's output
   * limit still caps it), e.g. a stream of many megabytes for backpressure tests.
   */
  outputTokens?: number;
  /**
   * Extra headers on the response, as they would come from a provider or a proxy in front of
   * it (e.g. hop-by-hop headers a gateway must not pass on). A `trailer` header makes a JSON
   * reply chunked: Node refuses a Trailer header on a Content-Length body.
   */
  responseHeaders?: Record<string, string>;
  /**
   * Hold the request before its first byte at this named gate until the test releases it
   * (`Simulator.closeGate`); a gate never closed, or released already, lets it through at once.
   */
  holdGate?: string;
  /** Only for requests whose path contains this string (e.g. "/xai/" or ":streamGenerateContent"). */
  pathIncludes?: string;
  /** Apply to this many matching requests, then clear itself. Default: until replaced. */
  times?: number;
}

/** The resolved behaviour for one request. */
export interface Plan {
  error?: number | 'quota';
  hang: boolean;
  reset: boolean;
  noUsage: boolean;
  slow: boolean;
  chunkDelayMs: number;
  firstByteDelayMs: number;
  cachedTokens?: number;
  outputTokens?: number;
  responseHeaders?: Record<string, string>;
  holdGate?: string;
}

/** What a provider handler decided to send; server.ts/send.ts do the writing. */
export type Reply =
  | {
      kind: 'json';
      status: number;
      body: unknown;
      /** Overrides the provider default (Gemini stream errors come as text/event-stream). */
      contentType?: string;
      headers?: Record<string, string>;
      /** How many chunks the same answer would have streamed; `sim-slow` waits that long. */
      genChunks?: number;
    }
  | {
      kind: 'sse';
      /** Fully framed events ("data: {...}\n\n"), written one per chunk. */
      events: string[];
      /** Overrides text/event-stream (Gemini's non-SSE stream is one JSON array). */
      contentType?: string;
      headers?: Record<string, string>;
    };

/** Everything a provider handler needs to know about one call. */
export interface Call {
  provider: SimProvider;
  /** "v1" or "v1beta" (Gemini serves both; the SDK's default is v1). */
  apiVersion: string;
  method: string;
  /** Path below the version root, without leading slash: "chat/completions", "models/x:countTokens". */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON body, or undefined for none. */
  body: Record<string, unknown> | undefined;
  model?: string;
  plan: Plan;
  embeddingDims(model: string): number;
}

import type { Gate } from './gates.js';

export interface Simulator {
  /** e.g. "http://127.0.0.1:41234" */
  readonly url: string;
  readonly port: number;
  /** SDK base URLs: openai `${url}/v1`, xai `${url}/xai/v1`, gemini `${url}/gemini` (SDK adds /v1beta). */
  readonly baseUrls: { openai: string; xai: string; gemini: string };
  /** The most recent requests, oldest first (at most `maxRecordedRequests`). */
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  /** Replace the process-wide scenario; null restores normal behaviour. */
  setScenario(scenario: Scenario | null): void;
  /** How many responses the client cut short by closing its connection. */
  readonly closedSockets: number;
  /**
   * Resolves with the next client abort not yet handed out by an earlier call (so an abort
   * that happened just before the call is not missed); rejects after `timeoutMs` (default 5000).
   */
  waitForAbort(timeoutMs?: number): Promise<AbortInfo>;
  /**
   * Closes the named gate: requests sent with `x-sim-hold-gate: <name>` wait before their first
   * byte until `release()` (see gates.ts); close() ends them with their connections.
   */
  closeGate(name: string): Gate;
  /** 'request' (RecordedRequest) and 'abort' (AbortInfo). */
  readonly events: EventEmitter;
  /** Stops listening and destroys open connections (hanging requests included). */
  close(): Promise<void>;
}
