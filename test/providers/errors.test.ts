import { describe, expect, it } from 'vitest';
import { geminiAdapter } from '../../src/providers/gemini/index.js';
import { openaiAdapter } from '../../src/providers/openai/index.js';
import type { GatewayError, GatewayErrorKind } from '../../src/providers/types.js';
import { xaiAdapter } from '../../src/providers/xai/index.js';

const KINDS: [GatewayErrorKind, number, string, string | null, string][] = [
  // kind, HTTP status, OpenAI type, OpenAI code, google.rpc status
  ['unauthorized', 401, 'invalid_request_error', 'invalid_api_key', 'UNAUTHENTICATED'],
  ['forbidden', 403, 'invalid_request_error', 'insufficient_permissions', 'PERMISSION_DENIED'],
  ['budget_exceeded', 429, 'insufficient_quota', 'insufficient_quota', 'RESOURCE_EXHAUSTED'],
  ['invalid_request', 400, 'invalid_request_error', null, 'INVALID_ARGUMENT'],
  ['not_found', 404, 'not_found_error', 'not_found', 'NOT_FOUND'],
  ['payload_too_large', 413, 'invalid_request_error', 'payload_too_large', 'INVALID_ARGUMENT'],
  ['unsupported_media_type', 415, 'invalid_request_error', 'unsupported_media_type', 'INVALID_ARGUMENT'],
  ['upstream_unavailable', 502, 'server_error', 'upstream_unavailable', 'UNAVAILABLE'],
  ['upstream_timeout', 504, 'server_error', 'upstream_timeout', 'DEADLINE_EXCEEDED'],
  ['service_unavailable', 503, 'server_error', 'service_unavailable', 'UNAVAILABLE'],
  ['internal', 500, 'server_error', 'internal_error', 'INTERNAL'],
];

describe('OpenAI-shaped errors (OpenAI and xAI)', () => {
  it.each(KINDS)('%s', (kind, status, type, code) => {
    const error: GatewayError = { kind, status, message: `m-${kind}` };
    const expected = { error: { message: `m-${kind}`, type, param: null, code } };
    expect(openaiAdapter.errorBody(error)).toStrictEqual(expected);
    expect(xaiAdapter.errorBody(error)).toStrictEqual(expected);
  });

  it('a budget denial names the budget beside the four standard keys, which details cannot overwrite', () => {
    const error: GatewayError = {
      kind: 'budget_exceeded',
      status: 429,
      message: 'Budget exceeded for team acme: spend $12.34 >= limit $10.00',
      details: { budget: 'team:acme', limit_usd: '10.00', resets_at: '2026-09-01T00:00:00Z', type: 'nope', code: 'nope', skipped: undefined },
    };
    expect(openaiAdapter.errorBody(error)).toStrictEqual({
      error: {
        message: 'Budget exceeded for team acme: spend $12.34 >= limit $10.00',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
        budget: 'team:acme',
        limit_usd: '10.00',
        resets_at: '2026-09-01T00:00:00Z',
      },
    });
  });
});

describe('Gemini errors (google.rpc.Status)', () => {
  it.each(KINDS)('%s', (kind, status, _type, _code, rpc) => {
    expect(geminiAdapter.errorBody({ kind, status, message: 'm' })).toStrictEqual({ error: { code: status, message: 'm', status: rpc } });
  });

  it('details travel as one ErrorInfo with string metadata', () => {
    const body = geminiAdapter.errorBody({
      kind: 'budget_exceeded',
      status: 429,
      message: 'Budget exceeded',
      details: { budget: 'key:k1', limitNano: 10_000_000_000n, remaining: 0, window: { period: 'month' } },
    });
    expect(body).toStrictEqual({
      error: {
        code: 429,
        message: 'Budget exceeded',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'BUDGET_EXCEEDED',
            domain: 'tollgate',
            metadata: { budget: 'key:k1', limitNano: '10000000000', remaining: '0', window: '{"period":"month"}' },
          },
        ],
      },
    });
    expect(() => JSON.stringify(body)).not.toThrow();
  });
});
