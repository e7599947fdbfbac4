/**
 * A pricing page as plain text for the extraction prompt: scripts, styles and markup are
 * dropped (they cost tokens and carry no prices, or worse, stray "$" figures), table rows
 * become lines with tab-separated cells, so the model (and the simulator) sees one model per
 * line. Plain-text or Markdown pages pass through unchanged apart from whitespace.
 */

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', dollar: '$' };
const INLINE = new Set(['a', 'b', 'i', 'em', 'strong', 'span', 'code', 'sup', 'sub', 'small', 'u', 'abbr']);

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function pageToText(page: string): string {
  if (!/<[a-z!/][^>]*>/i.test(page)) return tidy(page);
  const text = page
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<![^>]*>/g, '')
    .replace(/<(script|style|noscript|svg|head)\b[\s\S]*?<\/\1\s*>/gi, (m, tag: string) => (tag.toLowerCase() === 'head' ? titleOf(m) : ''))
    .replace(/<\/(td|th)\s*>/gi, '\t')
    .replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_m, tag: string) => {
      const name = tag.toLowerCase();
      if (name === 'td' || name === 'th') return '';
      return INLINE.has(name) ? '' : '\n';
    });
  return tidy(decode(text));
}

/** The <title> of a dropped <head>, which often names the provider. */
function titleOf(head: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(head);
  return title ? `\n${title[1]}\n` : '';
}

function tidy(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/[ \u00a0]+/g, ' ').replace(/ ?\t ?/g, '\t').replace(/\t+$/, '').trim())
    .filter((line) => line !== '')
    .join('\n');
}
