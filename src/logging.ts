import pino, { type Logger } from 'pino';

/**
 * Every place a secret could sit in a log object. Fastify's own request logging is turned
 * off (server.ts) so URLs with `?key=` are never logged raw; we log one sanitized line per
 * request instead.
 */
const REDACT_PATHS = [
  'headers.authorization',
  'headers["x-goog-api-key"]',
  'headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers["x-goog-api-key"]',
  'apiKey',
  'secret',
  'providerKey',
  'adminToken',
  'keyHashSecret',
  '*.apiKey',
  '*.secret',
  '*.adminToken',
  '*.keyHashSecret',
  '*.*.apiKey',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A URL fit for logs: the `key` query parameter (Gemini's legacy auth) masked. */
export function sanitizeUrl(url: string): string {
  return url.replace(/([?&]key=)[^&#]*/gi, '$1[redacted]');
}
