/** Small readers for untrusted JSON: request and response bodies are never trusted to have a shape. */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object under `key`, or undefined when absent or not an object. */
export function recordAt(value: unknown, key: string): JsonObject | undefined {
  if (!isRecord(value)) return undefined;
  const inner = value[key];
  return isRecord(inner) ? inner : undefined;
}

/** A non-empty string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** JSON.parse that answers undefined instead of throwing: an upstream may send anything. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The first of several spellings present on an object. Google's REST surface accepts both
 * the proto field name and its JSON name (`generation_config` / `generationConfig`).
 */
export function firstOf(value: JsonObject | undefined, ...keys: string[]): unknown {
  if (!value) return undefined;
  for (const key of keys) if (value[key] !== undefined) return value[key];
  return undefined;
}
