/**
 * docs/providers.md shows the example provider's files and its registration line. The files
 * must be the ones the test suite runs (test/providers/example-provider/acme), and the
 * registration diff must start from the registry line as it is today.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs/providers.md'), 'utf8');

/** The fenced block right after the line naming `file` ("`src/providers/acme/index.ts`:"). */
function blockAfter(file: string): string {
  const at = page.indexOf(`\`${file}\`:`);
  expect(at, `docs/providers.md names ${file}`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(page.slice(at));
  return match![1]!;
}

/** The tested copy, with its imports written as they would be from src/providers/acme/. */
function testedCopy(name: string): string {
  const text = readFileSync(join(ROOT, 'test/providers/example-provider/acme', name), 'utf8');
  return text.replaceAll('../../../../src/providers/', '../').replaceAll('../../../../src/', '../../');
}

describe('the worked example in docs/providers.md', () => {
  it.each(['prices.ts', 'index.ts'])('shows src/providers/acme/%s exactly as the tested copy', (name) => {
    expect(blockAfter(`src/providers/acme/${name}`)).toBe(testedCopy(name));
  });

  it('registers with one changed line of src/providers/registry.ts as it is now', () => {
    const diff = /```diff\n-(.*)\n\+(.*)\n```/.exec(page);
    expect(diff).not.toBeNull();
    const [, before, after] = diff!;
    const registry = readFileSync(join(ROOT, 'src/providers/registry.ts'), 'utf8');
    expect(registry.split('\n')).toContain(before);
    expect(after).toBe(before!.replace('];', ', acmeAdapter];'));
  });
});
