import type { KeyContext } from '../auth/key-store.js';
import type { Usage } from '../core/usage.js';
import type { GatewayError, ProviderAdapter, RequestFacts, RouteMatch } from '../providers/types.js';

/** Everything known about a call before it is forwarded. */
export interface CallContext {
  requestId: string;
  /** performance.now() when the request arrived. */
  receivedAt: number;
  receivedAtDate: Date;
  key: KeyContext;
  adapter: ProviderAdapter;
  route: RouteMatch;
  facts: RequestFacts;
}

export interface Admission {
  /** Response headers to add (e.g. the tightest remaining budget). */
  headers: Record<string, string>;
  /** Whatever finish() needs from admit(): the reservation, the estimate, the rules. */
  state?: unknown;
}

export type AdmitResult =
  | { ok: true; admission: Admission }
  | { ok: false; error: GatewayError; headers?: Record<string, string> };

/** How a forwarded call ended. */
export interface CallOutcome {
  status: number;
  streamed: boolean;
  usage?: Usage;
  responseModel?: string;
  latencyMs: number;
  /** Time to the first body byte from upstream, for streams. */
  ttftMs?: number;
  /** Why the call did not complete normally: client_abort, upstream_reset, upstream_timeout ... */
  errorCode?: string;
}

/**
 * The seam between the proxy and the money: pricing, budgets and the ledger live behind it.
 * admit() runs before anything is sent upstream; finish() runs exactly once per admitted call.
 */
export interface Accounting {
  admit(call: CallContext): Promise<AdmitResult>;
  /**
   * Prices the outcome at once (pure, in memory) and returns the cost for the response header;
   * settling the reservation and recording the usage row happen in the background.
   */
  finish(call: CallContext, admission: Admission, outcome: CallOutcome): { costUsd?: string };
}
