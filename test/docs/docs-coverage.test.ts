/**
 * Documentation that cannot fall behind the code: every configuration field, every environment
 * variable the gateway reads and every CLI command, subcommand and option must be named in the
 * docs. The lists are read from the code (the config schema, the loader's overrides, the
 * sources, the CLI's own usage texts), so a new field or flag without docs fails here.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { envOverrides } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { configFieldPaths, documentedFieldPaths, usageLines } from './doc-parsing.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const operations = read('docs/operations.md');
const readme = read('README.md');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'generated') return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('configuration reference (docs/operations.md)', () => {
  const documented = documentedFieldPaths(operations);

  it('names every field of gateway.config.yaml', () => {
    const fields = configFieldPaths(configSchema);
    expect(fields.length).toBeGreaterThan(50);
    expect(fields.filter((field) => !documented.has(field))).toEqual([]);
  });

  it('names no field the schema does not have', () => {
    const fields = new Set(configFieldPaths(configSchema));
    expect([...documented].filter((field) => !fields.has(field))).toEqual([]);
  });

  it('names every environment variable the loader maps onto a field', () => {
    const names = envOverrides().map((o) => o.env);
    expect(names).toContain('OPENAI_API_KEY');
    expect(names.filter((name) => !operations.includes(`\`${name}\``))).toEqual([]);
  });

  it('names every other environment variable the code reads', () => {
    const pattern = /\b(?:process\.env|ctx\.env|env)\.([A-Z][A-Z0-9_]+)\b/g;
    const read = new Set<string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('bin')]) {
      for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(pattern)) read.add(match[1]!);
    }
    expect(read).toContain('TOLLGATE_CONFIG');
    expect([...read].filter((name) => !operations.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('CLI reference (README.md)', () => {
  const section = readme.slice(readme.indexOf('## CLI'), readme.indexOf('\n## ', readme.indexOf('## CLI') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));

  it('lists every command', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
    expect(COMMANDS.filter((c) => !rows.some((row) => row.includes(`\`${c.name}`))).map((c) => c.name)).toEqual([]);
  });

  it("names every subcommand and option of every command's usage text in that command's rows", () => {
    const missing: string[] = [];
    for (const command of COMMANDS) {
      for (const { head, options } of usageLines(command.usage)) {
        const mine = rows.filter((row) => new RegExp(`\`${head.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\`]`).test(row));
        if (mine.length === 0) missing.push(head);
        for (const option of options) if (!mine.some((row) => row.includes(option))) missing.push(`${head} ${option}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
