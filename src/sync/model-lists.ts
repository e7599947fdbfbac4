/**
 * Reading each provider's model list. The per-provider differences (OpenAI/xAI: one list in
 * `data`; Gemini: `models` pages linked by pageToken/nextPageToken, names as `models/<id>`)
 * sit in a small table keyed by adapter id. It lives here, not as a method on the provider
 * adapters, on purpose: src/providers is the request path's code and the sync tool must not
 * grow it; a provider with no reader of its own is read as an OpenAI-style list.
 */
import { SourceUnavailable } from './http.js';
import { providerGet, type ProviderAccess } from './providers.js';

export interface ListedModel {
  name: string;
  displayName?: string;
  /** Only when the list carries them; undefined leaves the stored aliases alone. */
  aliases?: string[];
  mode?: string;
  contextWindow?: number;
  maxOutput?: number;
}

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  /** Called after each page, for progress lines on long (paginated) lists. */
  onPage?: (page: number, modelsSoFar: number) => void;
}

type Reader = (access: ProviderAccess, options: ListOptions) => Promise<ListedModel[]>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

/** `GET /models` → `{ data: [{ id, ... }] }`, unpaginated. xAI's newer lists add aliases and context_length. */
const openAiStyle: Reader = async (access, options) => {
  const body = await providerGet(access, '/models', {}, options.timeoutMs);
  if (!isRecord(body) || !Array.isArray(body.data)) throw new SourceUnavailable(`${access.adapter.id} /models`, 'unexpected answer (no "data" list)');
  const out: ListedModel[] = [];
  for (const item of body.data) {
    const name = isRecord(item) ? str(item.id) : undefined;
    if (!name || !isRecord(item)) continue;
    const listed: ListedModel = { name };
    if (Array.isArray(item.aliases)) listed.aliases = strings(item.aliases);
    const contextWindow = int(item.context_length);
    if (contextWindow !== undefined) listed.contextWindow = contextWindow;
    out.push(listed);
  }
  options.onPage?.(1, out.length);
  return out;
};

function geminiMode(methods: string[]): string | undefined {
  if (methods.includes('generateContent')) return 'chat';
  if (methods.includes('embedContent')) return 'embedding';
  return undefined;
}

const MAX_PAGES = 1000;

/** `GET /models?pageSize=&pageToken=` until a page comes without `nextPageToken`. */
const geminiPaged: Reader = async (access, options) => {
  const out: ListedModel[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const query: Record<string, string> = { pageSize: String(options.pageSize), ...(token ? { pageToken: token } : {}) };
    const body = await providerGet(access, '/models', query, options.timeoutMs);
    if (!isRecord(body)) throw new SourceUnavailable(`${access.adapter.id} /models`, 'unexpected answer (not an object)');
    for (const item of Array.isArray(body.models) ? body.models : []) {
      if (!isRecord(item)) continue;
      const name = str(item.name)?.replace(/^models\//, '');
      if (!name) continue;
      const listed: ListedModel = { name };
      const displayName = str(item.displayName);
      if (displayName !== undefined) listed.displayName = displayName;
      const contextWindow = int(item.inputTokenLimit);
      if (contextWindow !== undefined) listed.contextWindow = contextWindow;
      const maxOutput = int(item.outputTokenLimit);
      if (maxOutput !== undefined) listed.maxOutput = maxOutput;
      const mode = geminiMode(strings(item.supportedGenerationMethods));
      if (mode !== undefined) listed.mode = mode;
      out.push(listed);
    }
    options.onPage?.(page, out.length);
    token = str(body.nextPageToken);
    if (!token) return out;
    // A server repeating a token would keep us here forever.
    if (seen.has(token)) throw new SourceUnavailable(`${access.adapter.id} /models`, `page token repeated on page ${page}`);
    seen.add(token);
  }
  throw new SourceUnavailable(`${access.adapter.id} /models`, `more than ${MAX_PAGES} pages`);
};

/**
 * The providers whose list is not OpenAI's `{ data: [...] }`. Every other adapter is read the
 * OpenAI way, the de-facto format of OpenAI-compatible APIs, so a newly registered compatible
 * provider is synced without a line here; a list of another shape is reported as unavailable.
 */
export const MODEL_LIST_READERS: Readonly<Record<string, Reader>> = {
  gemini: geminiPaged,
};

export async function listModels(access: ProviderAccess, options: ListOptions): Promise<ListedModel[]> {
  const reader = MODEL_LIST_READERS[access.adapter.id] ?? openAiStyle;
  const models = await reader(access, options);
  // The same id twice (a provider listing a model under two owners) would count as an update.
  const unique = new Map<string, ListedModel>();
  for (const model of models) if (!unique.has(model.name)) unique.set(model.name, model);
  return [...unique.values()];
}
