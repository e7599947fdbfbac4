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

describe('tollgate keys create --org / --project / --user', () => {
  const ids = {} as Record<'acme' | 'globex' | 'search' | 'ranking' | 'acmeAda' | 'globexAda', string>;
  const quietId = async (...argv: string[]) => {
    const result = await run(...argv, '--quiet');
    expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout.trim();
  };
  /** The stored row of the key whose secret `create --quiet` printed. */
  const keyRow = (secret: string) => database.database.prisma.apiKey.findFirstOrThrow({ where: { prefix: secret.slice(0, 11) } });

  beforeAll(async () => {
    // Two organizations, each with a user named "ada"; acme's sits in a team of a project.
    ids.acme = await quietId('org', 'create', '--name', 'acme');
    ids.globex = await quietId('org', 'create', '--name', 'globex');
    ids.search = await quietId('project', 'create', '--org', ids.acme, '--name', 'search');
    ids.ranking = await quietId('team', 'create', '--org', ids.acme, '--project', ids.search, '--name', 'ranking');
    ids.acmeAda = await quietId('user', 'create', '--org', ids.acme, '--team', ids.ranking, '--name', 'ada');
    ids.globexAda = await quietId('user', 'create', '--org', ids.globex, '--name', 'ada');
  });

  it('--user <id> binds the key to that user alone (team, project and organization are read from the user)', async () => {
    const secret = await quietId('keys', 'create', '--name', 'ada-key', '--user', ids.acmeAda);
    expect(await keyRow(secret)).toMatchObject({ userId: ids.acmeAda, teamId: null, projectId: null, organizationId: null });
  });

  it('names are looked up inside the organization given; --org and --project take names or ids', async () => {
    const secret = await quietId('keys', 'create', '--name', 'globex-ada', '--org', 'globex', '--user', 'ada');
    expect(await keyRow(secret)).toMatchObject({ userId: ids.globexAda, organizationId: ids.globex, projectId: null, teamId: null });
    const byProject = await quietId('keys', 'create', '--name', 'search-ada', '--project', ids.search, '--user', 'ada');
    // The project implies acme, so "ada" is acme's ada, not globex's.
    expect(await keyRow(byProject)).toMatchObject({ projectId: ids.search, userId: ids.acmeAda, organizationId: null });
  });

  it('--team next to --user is found in (or created in) the user\'s organization, never another one', async () => {
    const existing = await quietId('keys', 'create', '--name', 'team-ada', '--user', ids.acmeAda, '--team', 'ranking');
    expect(await keyRow(existing)).toMatchObject({ teamId: ids.ranking, userId: ids.acmeAda, organizationId: ids.acme });
    const created = await quietId('keys', 'create', '--name', 'new-team-ada', '--user', ids.globexAda, '--team', 'skunkworks');
    const team = await database.database.prisma.team.findFirstOrThrow({ where: { name: 'skunkworks' } });
    expect(team.organizationId).toBe(ids.globex);
    expect(await keyRow(created)).toMatchObject({ teamId: team.id, userId: ids.globexAda, organizationId: ids.globex });
  });

  it('without --quiet the owners are named next to the secret', async () => {
    const { code, stdout } = await run('keys', 'create', '--name', 'shown', '--org', 'acme', '--project', 'search', '--user', 'ada');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Created key "shown" \(id [0-9a-f-]{36}, prefix tg_\S{8}, organization acme, project search, user ada\)\.\n/);
  });

  it('an unknown, ambiguous or out-of-organization owner exits 1 naming it, and creates no key', async () => {
    const before = await database.database.prisma.apiKey.count();
    const cases: [string[], string][] = [
      [['--user', 'nobody'], 'user "nobody" does not exist'],
      [['--user', 'ada'], 'user "ada" exists in several organizations'],
      [['--org', 'globex', '--project', 'search'], `project "search" does not exist in organization ${ids.globex}`],
      [['--project', 'search', '--user', ids.globexAda], `user "${ids.globexAda}" does not exist in organization ${ids.acme}`],
      [['--org', 'initech'], 'organization "initech" does not exist'],
    ];
    for (const [options, message] of cases) {
      const result = await run('keys', 'create', '--name', 'refused', ...options);
      expect(result.code, options.join(' ')).toBe(1);
      expect(result.stderr).toContain(message);
    }
    expect(await database.database.prisma.apiKey.count()).toBe(before);
  });

  it('help keys shows the new options', async () => {
    const { stdout } = await run('help', 'keys');
    for (const option of ['--org <org>', '--project <project>', '--team <team>', '--user <user>']) expect(stdout).toContain(option);
  });
});
