// Small helpers shared by the fault-injection tests (test/faults): bounded polling, ledger rows
// and budget status through the admin API, and plain requests through the gateway.
import { admin } from './admin.js';
import type { TestGateway } from './gateway.js';

/** Polls `probe` every `everyMs` until it returns something other than undefined; throws at the deadline. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** The ledger row of a request, read through GET /admin/usage/:requestId once it exists. */
export function ledgerRow(t: TestGateway, requestId: string, timeoutMs = 10_000): Promise<any> {
  return eventually(
    async () => {
      const response = await fetch(`${t.url}/admin/usage/${requestId}`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } });
      return response.status === 200 ? await response.json() : undefined;
    },
    `ledger row for ${requestId}`,
    timeoutMs,
  );
}

/** A budget's status once nothing is reserved any more (every admitted call settled). */
export function settledStatus(t: TestGateway, budgetId: string, timeoutMs = 10_000): Promise<any> {
  return eventually(
    async () => {
      const status = await admin(t, 'GET', `/budgets/${budgetId}/status`);
      return status.reservedUsd === '0' ? status : undefined;
    },
    `budget ${budgetId} settled`,
    timeoutMs,
  );
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  requestId: string;
}

/** POSTs a small OpenAI chat completion through the gateway with `key`; extra headers go along. */
export async function chat(t: TestGateway, key: string, headers: Record<string, string> = {}, body: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Say hello' }], ...body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, requestId: response.headers.get('x-request-id') ?? '' };
}

/** GET a health route; the status code only. */
export async function probe(t: TestGateway, path: '/healthz' | '/readyz'): Promise<number> {
  const response = await fetch(`${t.url}${path}`);
  await response.arrayBuffer();
  return response.status;
}

export interface BudgetedKey {
  id: string;
  secret: string;
  budgetId: string;
}

/**
 * A new key (admin API) with one key-level budget of its own. The period is `total` (it never
 * resets), so the spend a test charges can be compared with the counter whenever the test runs:
 * a daily one would start over if midnight fell between the charge and the comparison.
 */
export async function budgetedKey(t: TestGateway, name: string, limitUsd: string, failMode?: 'open' | 'closed'): Promise<BudgetedKey> {
  const key = await admin(t, 'POST', '/keys', { name });
  const budget = await admin(t, 'POST', '/budgets', { level: 'key', entityId: key.id, period: 'total', limitUsd, ...(failMode ? { failMode } : {}) });
  return { id: key.id, secret: key.secret, budgetId: budget.id };
}

/** A decimal column as text without insignificant zeros ("0.000120" → "0.00012"), comparable with status figures. */
export function plainUsd(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}
