/**
 * Reading sync sources: provider APIs, price lists and pricing pages, from a URL or a file.
 * Every failure becomes a SourceUnavailable naming the source, so a run can warn, carry on
 * with what the other sources gave, and end with its own exit code (see exit-codes.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export class SourceUnavailable extends Error {
  override name = 'SourceUnavailable';
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

export interface HttpOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The URL without its query, for messages: a query may carry a key (Gemini's `?key=`). */
function shown(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** A response body as text; a network error, timeout or non-2xx status is a SourceUnavailable. */
export async function fetchText(url: string, options: HttpOptions, source = shown(url)): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new SourceUnavailable(source, `unreachable (${reason})`);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new SourceUnavailable(source, `HTTP ${response.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`);
  return text;
}

export async function fetchJson(url: string, options: HttpOptions, source = shown(url)): Promise<unknown> {
  const text = await fetchText(url, options, source);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SourceUnavailable(source, 'the answer is not JSON');
  }
}

export const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/** A source given as "file or URL": fetched when it is an http(s) URL, else read relative to cwd. */
export async function readLocation(location: string, cwd: string, timeoutMs: number): Promise<string> {
  if (isUrl(location)) return fetchText(location, { timeoutMs }, shown(location));
  try {
    return await readFile(resolve(cwd, location), 'utf8');
  } catch (error) {
    throw new SourceUnavailable(location, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
