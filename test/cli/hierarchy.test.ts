import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCliEnv, type CliEnv } from './cli-env.js';

let cli: CliEnv;
beforeAll(async () => {
  cli = await openCliEnv();
});
afterAll(async () => cli?.dispose());

const UUID = /^[0-9a-f-]{36}\n$/;

describe('tollgate org|project|team|user', () => {
  it('creates the hierarchy with --quiet ids and reads it back', async () => {
    const org = await cli.run('org', 'create', '--name', 'acme', '--quiet');
    expect(org).toMatchObject({ code: 0, stderr: '' });
    expect(org.stdout).toMatch(UUID);
    const orgId = org.stdout.trim();

    const project = await cli.run('project', 'create', '--org', orgId, '--name', 'search', '--quiet');
    expect(project.code).toBe(0);
    const projectId = project.stdout.trim();
    const team = await cli.run('team', 'create', '--org', orgId, '--project', projectId, '--name', 'ranking', '--quiet');
    expect(team.code).toBe(0);
    const teamId = team.stdout.trim();
    const user = await cli.run('user', 'create', '--org', orgId, '--team', teamId, '--name', 'ada', '--email', 'ada@example.com');
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/^Created user "ada" \(id [0-9a-f-]{36}\)\.\n$/);

    const orgs = await cli.run('org', 'list');
    expect(orgs.code).toBe(0);
    expect(orgs.stdout).toContain(orgId);
    expect(orgs.stdout).toContain('acme');

    const teams = JSON.parse((await cli.run('team', 'list', '--org', orgId, '--json')).stdout);
    expect(teams).toEqual([expect.objectContaining({ id: teamId, name: 'ranking', organizationId: orgId, projectId })]);
    const users = JSON.parse((await cli.run('user', 'list', '--org', orgId, '--json')).stdout);
    expect(users).toEqual([expect.objectContaining({ name: 'ada', email: 'ada@example.com', teamId })]);
    expect((await cli.run('project', 'list')).stdout).toContain('search');
    expect(JSON.parse((await cli.run('project', 'list', '--org', randomUUID(), '--json')).stdout)).toEqual([]);
    expect((await cli.run('user', 'list', '--org', randomUUID())).stdout).toMatch(/^No users in organization/);
  });

  it('a missing organization or a duplicate name exits 1 with a sentence', async () => {
    const missing = randomUUID();
    const noOrg = await cli.run('project', 'create', '--org', missing, '--name', 'x');
    expect(noOrg.code).toBe(1);
    expect(noOrg.stderr).toContain(`organization ${missing} does not exist`);

    const noProject = await cli.run('team', 'create', '--org', (await cli.run('org', 'create', '--name', 'other', '--quiet')).stdout.trim(), '--project', missing, '--name', 't');
    expect(noProject.code).toBe(1);
    expect(noProject.stderr).toContain(`project ${missing} does not exist`);

    const dup = await cli.run('org', 'create', '--name', 'acme');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('an organization named "acme" already exists');
  });

  it('wrong usage exits 2 naming the option', async () => {
    const noName = await cli.run('org', 'create');
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name is required');
    expect((await cli.run('project', 'create', '--name', 'p')).stderr).toContain('--org is required');
    const orgId = (await cli.run('org', 'create', '--name', 'mail-org', '--quiet')).stdout.trim();
    const badEmail = await cli.run('user', 'create', '--org', orgId, '--name', 'bob', '--email', 'not-an-email');
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain('--email (email)');
    // A project of another organization: the service refuses it, naming --project.
    const acme = (JSON.parse((await cli.run('org', 'list', '--json')).stdout) as { id: string; name: string }[]).find((o) => o.name === 'acme')!;
    const acmeProject = (JSON.parse((await cli.run('project', 'list', '--org', acme.id, '--json')).stdout) as { id: string }[])[0]!;
    const crossOrg = await cli.run('team', 'create', '--org', orgId, '--project', acmeProject.id, '--name', 'thief');
    expect(crossOrg.code).toBe(2);
    expect(crossOrg.stderr).toContain('--project (projectId): project belongs to another organization');
    expect((await cli.run('org', 'create', '--name', 'x', '--org', orgId)).code).toBe(2); // org takes no --org
    expect((await cli.run('team', 'frobnicate')).code).toBe(2);
    expect((await cli.run('user')).code).toBe(2);
  });

  it('help for each command lists its options', async () => {
    const expected: Record<string, string[]> = {
      org: ['create --name N [--quiet]', 'list [--json]'],
      project: ['create --org ID --name N [--quiet]', 'list [--org ID] [--json]'],
      team: ['create --org ID --name N [--project ID] [--quiet]', 'list [--org ID] [--json]'],
      user: ['create --org ID --name N [--team ID] [--email E] [--quiet]', 'list [--org ID] [--json]'],
    };
    for (const [command, lines] of Object.entries(expected)) {
      const { code, stdout } = await cli.run('help', command);
      expect(code).toBe(0);
      expect(stdout).toContain(`tollgate ${command}:`);
      for (const line of lines) expect(stdout).toContain(`tollgate ${command} ${line}`);
    }
  });
});
