/** Readers for docs-coverage.test.ts: what the code defines and what the docs name. */
import type { z } from 'zod';

type AnySchema = z.ZodType & { _zod: { def: Record<string, any> } };

/**
 * Every leaf field of the config schema as a dotted path; a record's key is written `<id>`
 * (as the docs do for `providers.<id>.baseUrl`). Wrappers (default, prefault, optional) are
 * looked through.
 */
export function configFieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as AnySchema)._zod.def;
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return configFieldPaths(def.innerType, prefix);
    case 'pipe':
      return configFieldPaths(def.in, prefix);
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, inner]) =>
        configFieldPaths(inner, prefix ? `${prefix}.${key}` : key),
      );
    case 'record': {
      // A map of plain values (`pages: {openai: <file>}`) is one field; a map of objects
      // (`providers.<id>`) has fields of its own.
      const inner = configFieldPaths(def.valueType, `${prefix}.<id>`);
      return inner.length === 1 && inner[0] === `${prefix}.<id>` ? [prefix] : inner;
    }
    default:
      return [prefix];
  }
}

/**
 * The field paths the first column of the reference table (the one headed "| field |") names. A cell may list several, with
 * later ones written relative to the first one's parent: "`alerts.velocity.enabled`,
 * `.checkSeconds`" names alerts.velocity.enabled and alerts.velocity.checkSeconds.
 */
export function documentedFieldPaths(markdown: string): Set<string> {
  const paths = new Set<string>();
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('| field |')) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    if (!inTable || !line.startsWith('| `')) continue;
    const cell = line.split(' | ')[0]!;
    let parent = '';
    for (const [, name] of cell.matchAll(/`([^`]+)`/g)) {
      const full = name!.startsWith('.') ? `${parent}${name}` : name!;
      if (!name!.startsWith('.')) parent = full.slice(0, full.lastIndexOf('.'));
      paths.add(full);
    }
  }
  return paths;
}

/**
 * The invocations a command's usage text shows ("  tollgate keys create --name <name> [...]"):
 * the command words before the first argument or option, and every `--option` on the line or
 * on the indented lines that continue it (those starting with "[" or "--").
 */
export function usageLines(usage: string): Array<{ head: string; options: string[] }> {
  const lines: string[] = [];
  let continuing = false; // the synopsis block ends at the first blank line; descriptions follow
  for (const line of usage.split('\n')) {
    const text = line.trim();
    if (text.startsWith('tollgate ')) {
      lines.push(text);
      continuing = true;
    } else if (continuing && /^(\[|--)/.test(text)) lines[lines.length - 1] += ` ${text}`;
    else continuing = false;
  }
  return lines.map((line) => {
    const words = line.trim().split(/\s+/).slice(1);
    const headWords: string[] = [];
    for (const word of words) {
      if (!/^[a-z][a-z-]*$/.test(word)) break;
      headWords.push(word);
    }
    const options = [...new Set([...line.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
    return { head: headWords.join(' '), options };
  });
}
