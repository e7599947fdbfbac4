import type { GatewayError, GatewayErrorKind } from '../types.js';

/**
 * google.rpc.Code names per gateway error (the `status` of a google.rpc.Status body). A Record
 * over every kind: a new kind does not compile until it has a status here.
 */
const STATUS: Record<GatewayErrorKind, string> = {
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  budget_exceeded: 'RESOURCE_EXHAUSTED', // what Gemini itself answers for spent quota
  invalid_request: 'INVALID_ARGUMENT',
  not_found: 'NOT_FOUND',
  payload_too_large: 'INVALID_ARGUMENT', // Google answers oversized requests with 400 INVALID_ARGUMENT
  unsupported_media_type: 'INVALID_ARGUMENT',
  upstream_unavailable: 'UNAVAILABLE',
  upstream_timeout: 'DEADLINE_EXCEEDED',
  service_unavailable: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

/** ErrorInfo.metadata is map<string, string>: other values are rendered as text. */
function metadataValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * `{error:{code,message,status,details?}}`, the envelope js-genai turns into ApiError. The
 * gateway's details (budget, limit, reset time ...) travel as one google.rpc.ErrorInfo whose
 * reason names the kind (e.g. BUDGET_EXCEEDED), the standard place for machine-readable facts.
 */
export function geminiErrorBody(error: GatewayError): { error: Record<string, unknown> } {
  const body: Record<string, unknown> = { code: error.status, message: error.message, status: STATUS[error.kind] };
  const entries = Object.entries(error.details ?? {}).filter(([, value]) => value !== undefined);
  if (entries.length > 0) {
    const metadata: Record<string, string> = {};
    for (const [name, value] of entries) metadata[name] = metadataValue(value);
    body.details = [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.kind.toUpperCase(), domain: 'tollgate', metadata },
    ];
  }
  return { error: body };
}
