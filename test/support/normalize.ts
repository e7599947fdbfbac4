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
