import type { GatewayError, GatewayErrorKind } from '../types.js';

/**
 * `error.type` / `error.code` per gateway error, as the OpenAI SDKs and their users read them
 * (the SDKs pick the exception class from the HTTP status; scripts branch on type and code).
 * A Record over every kind: a new kind does not compile until it has a shape here.
 */
const SHAPES: Record<GatewayErrorKind, { type: string; code: string | null }> = {
  unauthorized: { type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { type: 'invalid_request_error', code: 'insufficient_permissions' },
  // What OpenAI itself answers when an account's quota is spent (errors.md).
  budget_exceeded: { type: 'insufficient_quota', code: 'insufficient_quota' },
  invalid_request: { type: 'invalid_request_error', code: null },
  not_found: { type: 'not_found_error', code: 'not_found' },
  payload_too_large: { type: 'invalid_request_error', code: 'payload_too_large' },
  unsupported_media_type: { type: 'invalid_request_error', code: 'unsupported_media_type' },
  upstream_unavailable: { type: 'server_error', code: 'upstream_unavailable' },
  upstream_timeout: { type: 'server_error', code: 'upstream_timeout' },
  service_unavailable: { type: 'server_error', code: 'service_unavailable' },
  internal: { type: 'server_error', code: 'internal_error' },
};

const RESERVED = new Set(['message', 'type', 'param', 'code']);

/**
 * `{error:{message,type,param,code}}` (all four keys, as the OpenAPI `Error` schema requires),
 * with the gateway's details (budget, limit, resets_at ...) added beside them under their own
 * names; a detail can never overwrite one of the four.
 */
export function openAiErrorBody(error: GatewayError): { error: Record<string, unknown> } {
  const { type, code } = SHAPES[error.kind];
  const body: Record<string, unknown> = { message: error.message, type, param: null, code };
  for (const [name, value] of Object.entries(error.details ?? {})) {
    if (!RESERVED.has(name) && value !== undefined) body[name] = value;
  }
  return { error: body };
}
