import type { Reply, SimProvider } from './types.js';

/**
 * Error bodies in each provider's own shape (see shared/reference/wire/errors.md):
 * OpenAI {error:{message,type,param,code}}, Gemini google.rpc.Status, xAI {code, error}.
 * A gateway's error mapping is only tested honestly if the upstream errors look real.
 */

export interface ErrorContext {
  model?: string;
  method: string;
  path: string;
  /** Gemini streams: real errors come as plain JSON with Content-Type text/event-stream. */
  streaming?: boolean;
  /** Gemini's 404 names the API version. */
  apiVersion?: string;
}

export function errorReply(provider: SimProvider, status: number | 'quota', ctx: ErrorContext): Reply {
  if (provider === 'gemini') return geminiError(status, ctx);
  if (provider === 'xai') return xaiError(status, ctx);
  return openaiError(status, ctx);
}

function oai(status: number, message: string, type: string, code: string | null, param: string | null = null): Reply {
  return { kind: 'json', status, body: { error: { message, type, param, code } } };
}

export function openaiError(status: number | 'quota', ctx: ErrorContext): Reply {
  const model = ctx.model ?? 'unknown';
  switch (status) {
    case 'quota':
      return oai(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      );
    case 400:
      return oai(400, `Invalid request for model ${model} (simulated).`, 'invalid_request_error', null);
    case 401:
      return oai(401, 'Incorrect API key provided: sk-sim***. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key');
    case 403:
      return oai(403, 'You are not allowed to sample from this model (simulated).', 'invalid_request_error', null);
    case 404:
      return oai(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 429:
      return oai(
        429,
        `Rate limit reached for ${model} in organization org-sim on tokens per min (TPM): Limit 30000, Used 18928, Requested 11159. Please try again in 174ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'tokens',
        'rate_limit_exceeded',
      );
    case 500:
      return oai(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
    case 503:
      return oai(503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
    default:
      return oai(status, `Simulated upstream error ${status}.`, status >= 500 ? 'server_error' : 'invalid_request_error', null);
  }
}

/** OpenAI's answer to a path it does not serve. */
export function openaiUnknownRoute(ctx: ErrorContext): Reply {
  return oai(404, `Invalid URL (${ctx.method} ${ctx.path})`, 'invalid_request_error', null);
}

export function openaiMissingKey(): Reply {
  return oai(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    'invalid_request_error',
    null,
  );
}

export function openaiBadJson(): Reply {
  return oai(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', 'invalid_request_error', null);
}

const GRPC: Record<number, [string, string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  403: ['PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'],
  404: ['NOT_FOUND', ''],
  408: ['DEADLINE_EXCEEDED', 'Request timed out.'],
  429: ['RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

export function geminiStatus(code: number, status: string, message: string, details?: unknown[], streaming = false): Reply {
  const error: Record<string, unknown> = { code, message, status };
  if (details) error.details = details;
  return {
    kind: 'json',
    status: code,
    body: { error },
    ...(streaming ? { contentType: 'text/event-stream' } : {}),
  };
}

export function geminiError(status: number | 'quota', ctx: ErrorContext): Reply {
  const code = status === 'quota' ? 429 : status;
  const model = ctx.model ?? 'unknown';
  const [name, text] = GRPC[code] ?? [code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION', `Simulated upstream error ${code}.`];
  if (code === 404) {
    const message = `models/${model} is not found for API version ${ctx.apiVersion ?? 'v1beta'}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`;
    return geminiStatus(404, name, message, [{ '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: `[ORIGINAL ERROR] generic::not_found: ${message}` }], ctx.streaming);
  }
  if (code === 429) {
    const details = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model },
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      ...(status === 'quota' ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' }]),
    ];
    return geminiStatus(429, name, text, details, ctx.streaming);
  }
  return geminiStatus(code, name, text, undefined, ctx.streaming);
}

export function geminiBadKey(): Reply {
  return geminiStatus(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
  ]);
}

// xAI answers with tonic's gRPC code descriptions as `code` (observed: "Client specified an invalid argument").
const XAI_CODES: Record<number, string> = {
  400: 'Client specified an invalid argument',
  401: 'The request does not have valid authentication credentials',
  403: 'The caller does not have permission to execute the specified operation',
  404: 'Some requested entity was not found',
  408: 'Deadline expired before operation could complete',
  429: 'Some resource has been exhausted',
  500: 'Internal error',
  503: 'The service is currently unavailable',
  504: 'Deadline expired before operation could complete',
};

export function xaiBody(status: number, message: string): Reply {
  return { kind: 'json', status, body: { code: XAI_CODES[status] ?? 'Unknown error', error: message } };
}

export function xaiError(status: number | 'quota', ctx: ErrorContext): Reply {
  const model = ctx.model ?? 'unknown';
  switch (status) {
    case 'quota':
      return xaiBody(429, 'Your team 5f0c1c7e-0000-4000-8000-00000000c0de has either used all available credits or reached its monthly spending limit. To continue making API requests, please purchase more credits or raise your spending limit.');
    case 400:
      return xaiBody(400, 'Incorrect API key provided: xa***im. You can obtain an API key from https://console.x.ai.');
    case 404:
      return xaiBody(404, `The model ${model} does not exist or your team does not have access to it.`);
    case 429:
      return xaiBody(429, `Too many requests for model ${model}: rate limit exceeded. Please retry later.`);
    default:
      return xaiBody(status, `Simulated upstream error ${status}.`);
  }
}
