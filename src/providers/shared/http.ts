/** Path, header and URL helpers shared by the adapters. */

export type HeaderBag = Record<string, string | string[] | undefined>;

/** Percent-escapes of characters that are equivalent to their literal (RFC 3986 §6.2.2.2) plus ':'. */
const HARMLESS_ESCAPE = /%(2[dDeE]|3[0-9aA]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * One canonical spelling of a request path, used both to choose a route and as the path sent
 * upstream, so that what is priced is exactly what the provider serves. Without it
 * `/chat/completions/`, `//chat/completions` or `/chat/completion%73` would fall through to
 * the free "other" route while the provider still answered them.
 * Drops query and fragment, decodes escapes of unreserved characters and ':', collapses
 * repeated slashes, drops a trailing slash and resolves "." and ".." segments.
 */
export function normalizePath(path: string): string {
  let end = path.length;
  const q = path.indexOf('?');
  if (q !== -1) end = q;
  const h = path.indexOf('#');
  if (h !== -1 && h < end) end = h;
  let text = end === path.length ? path : path.slice(0, end);
  if (text.includes('%')) text = text.replace(HARMLESS_ESCAPE, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  if (!text.includes('//') && !text.includes('/.') && !text.endsWith('/') && text.startsWith('/')) return text;
  const out: string[] = [];
  for (const segment of text.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** A header's value, whatever the case of its name; the first one when repeated. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** `${base}${path}?${query}`, tolerating a trailing slash on the configured base URL. */
export function joinUrl(baseUrl: string, path: string, query: URLSearchParams): string {
  const base = baseUrl.endsWith('/') ? baseUrl.replace(/\/+$/, '') : baseUrl;
  const search = query.toString();
  return search ? `${base}${path}?${search}` : `${base}${path}`;
}
