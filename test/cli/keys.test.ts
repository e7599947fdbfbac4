import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let env: Record<string, string>;
const cwd = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, TOLLGATE_KEY_SECRET: randomBytes(24).toString('hex'), TOLLGATE_ADMIN_TOKEN: 'admin-token-for-cli-tests', TOLLGATE_DATA_DIR: cwd };
});
afterAll(async () => database?.drop());

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { env, cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('tollgate keys', () => {
  it('create --quiet prints only the secret, and it is stored hashed', async () => {
    const { code, stdout } = await run('keys', 'create', '--name', 'ci', '--team', 'platform', '--quiet');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^tg_[A-Za-z0-9_-]{43}\n$/);
    const rows = await database.database.prisma.apiKey.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(stdout.trim());
    expect(rows[0]!.prefix).toBe(stdout.slice(0, 11));
    expect(await database.database.prisma.team.count({ where: { name: 'platform' } })).toBe(1);
  });

  it('create without --quiet shows the secret once with its id; list never shows secrets', async () => {
    const created = await run('keys', 'create', '--name', 'second');
    const secret = created.stdout.match(/tg_[A-Za-z0-9_-]{43}/)![0];
    const listed = await run('keys', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('second');
    expect(listed.stdout).toContain('platform');
    expect(listed.stdout).not.toContain(secret);
  });

  it('revoke by prefix marks it revoked; a second revoke finds nothing and exits 1', async () => {
    const { stdout } = await run('keys', 'create', '--name', 'doomed', '--quiet');
    const prefix = stdout.slice(0, 11);
    expect((await run('keys', 'revoke', prefix)).code).toBe(0);
    expect((await run('keys', 'list', '--json')).stdout).toMatch(/"status": "revoked"/);
    expect((await run('keys', 'revoke', prefix)).code).toBe(1);
  });

  it('wrong usage exits 2 with the command help', async () => {
    const missing = await run('keys', 'create');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name is required');
    expect((await run('keys', 'frobnicate')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
  });

  it('every command has help', async () => {
    for (const command of ['start', 'migrate', 'keys', 'simulate']) {
      const { code, stdout } = await run('help', command);
      expect(code).toBe(0);
      expect(stdout).toContain(`tollgate ${command}:`);
    }
  });
});
