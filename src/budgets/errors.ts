/**
 * Raised when the budget store cannot answer (Redis down, timing out, loading, read-only
 * after a failover). Typed so the caller can apply the budget's or the gateway's fail mode
 * (open: let the request through unmetered; closed: refuse it) instead of guessing from a
 * driver message. Any other error (a script bug, bad input) is not this and is rethrown as is.
 */
export class BudgetStoreUnavailableError extends Error {
  readonly code = 'TG_BUDGET_STORE_UNAVAILABLE';

  constructor(operation: string, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
    super(`budget store unavailable during ${operation}${detail ? `: ${detail}` : ''}`, { cause });
    this.name = 'BudgetStoreUnavailableError';
  }
}
