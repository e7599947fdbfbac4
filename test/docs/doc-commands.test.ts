/**
 * The CLI walkthroughs in docs/budgets.md and docs/pricing.md run as written: every `sh` block
 * of a page, in order, in one bash process with `set -e` (so a later block sees the variables
 * an earlier one set), against a fresh database and a Redis prefix of its own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteRedisKeys } from '../support/gateway-env.js';

const ROOT = join(import.meta.dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function shellBlocks(page: string): string {
  const text = readFileSync(join(ROOT, page), 'utf8');
  return [...text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

let db: TestDatabase;
let dataDir: string;
const prefix = `tgdoc${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'tollgate-docs-'));
});
afterAll(async () => {
  await db?.drop();
  await deleteRedisKeys(REDIS_URL, prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

function run(page: string): { status: number | null; stdout: string; stderr: string; script: string } {
  const script = shellBlocks(page);
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL,
      TOLLGATE_REDIS_KEY_PREFIX: prefix,
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_KEY_SECRET: 'doc-commands-key-secret-0123456789abcdef',
      TOLLGATE_ADMIN_TOKEN: 'doc-commands-admin-token-0123456789',
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, script };
}

describe('commands in the docs run as written', () => {
  it('docs/budgets.md: hierarchy, budgets, inherited defaults, reconciliation', () => {
    const result = run('docs/budgets.md');
    expect(result.script).toContain('npx tollgate budgets set');
    expect(result.status, result.stderr).toBe(0);
    // npx may warn about the machine's npm settings; the CLI itself must not complain.
    expect(result.stderr.split('\n').filter((line) => line && !line.startsWith('npm warn'))).toEqual([]);
  }, 180_000);

  it('docs/pricing.md: a manual override, list, history, validate, then the migration with a backup and its rollback', () => {
    const before = new Set(readdirSync(ROOT));
    try {
      const result = run('docs/pricing.md');
      expect(result.script).toContain('npx tollgate pricing set');
      expect(result.script).toContain('pricing migrate --rollback');
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('gpt-4o');
    } finally {
      // The page writes its backup where it runs: remove what this run added, nothing else.
      for (const name of readdirSync(ROOT)) if (!before.has(name) && /^prices-backup-\d+\.json$/.test(name)) rmSync(join(ROOT, name));
    }
  }, 180_000);
});
