/**
 * Other spellings of a model id, in the order the catalog tries them: a known alias, the
 * family of a `-latest` id, the family of a dated snapshot (`gpt-4o-2024-08-06` → `gpt-4o`),
 * then the same steps on the id without Gemini's `models/` resource prefix, and on the base
 * of an OpenAI fine-tune (`ft:gpt-4o-mini-2024-07-18:acme::abc123` → `ft:gpt-4o-mini-2024-07-18`).
 * Pure string work, no catalog access: the catalog filters the list down to ids it actually
 * prices and caches the result.
 */
export type Resolution = 'exact' | 'alias' | 'dated' | 'prefix' | 'latest' | 'fine-tune' | 'fallback';

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
const FINE_TUNE_PREFIX = 'ft:';

/** `ft:<base>:<org>:<name>:<id>` → `ft:<base>`, the id OpenAI prices a fine-tune's inference by. */
function fineTuneBase(model: string): string | undefined {
  if (!model.startsWith(FINE_TUNE_PREFIX)) return undefined;
  const end = model.indexOf(':', FINE_TUNE_PREFIX.length);
  return end > FINE_TUNE_PREFIX.length ? model.slice(0, end) : undefined;
}

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
  const spell = (id: string, via?: Resolution): void => {
    if (via) add(id, via);
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
  spell(model);
  if (model.startsWith(MODELS_PREFIX)) spell(model.slice(MODELS_PREFIX.length), 'prefix');
  const base = fineTuneBase(model);
  if (base !== undefined) spell(base, 'fine-tune');
  return out;
}
