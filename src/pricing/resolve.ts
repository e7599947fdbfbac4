/**
 * Other spellings of a model id, in the order the catalog tries them: a known alias, the
 * family of a `-latest` id, the id without Gemini's `models/` resource prefix, and the family
 * of a dated snapshot (`gpt-4o-2024-08-06` → `gpt-4o`). Pure string work, no catalog access:
 * the catalog filters the list down to ids it actually prices and caches the result.
 */
export type Resolution = 'exact' | 'alias' | 'dated' | 'prefix' | 'latest' | 'fallback';

export interface ModelCandidate {
  model: string;
  resolution: Resolution;
}

/**
 * Snapshot suffixes, longest first so `-2024-08-06` is not read as `-08-06`:
 * `-2024-08-06`, `-20240806`, Gemini's `-09-2025`, `-04-16`, and xAI/OpenAI's `-0709`.
 */
const DATE_SUFFIXES: readonly RegExp[] = [
  /-\d{4}-\d{2}-\d{2}$/,
  /-\d{8}$/,
  /-\d{2}-\d{4}$/,
  /-\d{2}-\d{2}$/,
  /-\d{4}$/,
];

const MODELS_PREFIX = 'models/';
const LATEST_SUFFIX = '-latest';

/** The family of a dated snapshot id, or undefined when the id carries no date suffix. */
export function stripDateSuffix(model: string): string | undefined {
  for (const pattern of DATE_SUFFIXES) {
    const match = pattern.exec(model);
    if (match && match.index > 0) return model.slice(0, match.index);
  }
  return undefined;
}

export function modelCandidates(model: string, aliasOf: (model: string) => string | undefined): ModelCandidate[] {
  const out: ModelCandidate[] = [];
  const seen = new Set<string>([model]);
  const add = (candidate: string | undefined, resolution: Resolution): void => {
    if (candidate === undefined || candidate === '' || seen.has(candidate)) return;
    seen.add(candidate);
    out.push({ model: candidate, resolution });
  };
  const spell = (id: string, viaPrefix: boolean): void => {
    if (viaPrefix) add(id, 'prefix');
    add(aliasOf(id), 'alias');
    if (id.endsWith(LATEST_SUFFIX)) {
      const family = id.slice(0, -LATEST_SUFFIX.length);
      add(family, 'latest');
      add(aliasOf(family), 'latest');
    }
    const family = stripDateSuffix(id);
    if (family !== undefined) {
      add(family, 'dated');
      add(aliasOf(family), 'dated');
    }
  };
  spell(model, false);
  if (model.startsWith(MODELS_PREFIX)) spell(model.slice(MODELS_PREFIX.length), true);
  return out;
}
