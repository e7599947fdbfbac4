/**
 * Per-call identifiers and clocks that legitimately differ between two calls of the same
 * request (the simulator, like the real providers, mints a new id and timestamp each time).
 * Everything else in two bodies must be equal.
 */
const PER_CALL = new Set(['id', 'created', 'created_at', 'completed_at', 'responseId', 'item_id', 'turnToken', 'obfuscation']);

export function withoutPerCallFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPerCallFields);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = PER_CALL.has(key) ? '<per-call>' : withoutPerCallFields(inner);
    }
    return out;
  }
  return value;
}

/** The same for an SSE body: each data line's JSON normalised, framing kept exactly. */
export function normalizeSse(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') return line;
      try {
        return `data: ${JSON.stringify(withoutPerCallFields(JSON.parse(line.slice(6))))}`;
      } catch {
        return line;
      }
    })
    .join('\n');
}

const PER_CALL_VALUE = new RegExp(`("(?:${[...PER_CALL].join('|')})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|-?\\d+(?:\\.\\d+)?)`, 'g');

/**
 * For comparing raw bytes: replaces only the VALUE of each per-call field where it appears in
 * the JSON text (`"id":"chatcmpl-…"`, `"created":1770000000`) and keeps every other byte as it
 * was: whitespace, key order, line ends, event framing. Unlike normalizeSse, nothing is parsed
 * and re-serialised, so a byte the gateway added or dropped anywhere else still shows.
 * (A quoted key inside a JSON string is escaped, `\"id\"`, so it is never taken for a field.)
 */
export function maskPerCallValues(text: string): string {
  return text.replace(PER_CALL_VALUE, (_match, key: string) => `${key}"<per-call>"`);
}
