import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, openSyncEnv, snapshot, type SyncEnv } from './helpers.js';

let env: SyncEnv;
beforeAll(async () => {
  env = await openSyncEnv();
});
afterAll(async () => env?.dispose());

describe('tollgate models sync', () => {
  it('a dry run reports the new models and changes nothing', async () => {
    const before = await snapshot(env.cli);
    const run = await env.cli.run('models', 'sync', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^openai: 11 listed, 11 changes$/m);
    expect(run.stdout).toContain('  + gpt-4o  new');
    expect(run.stdout).toContain('Dry run: nothing was changed.');
    expect(await snapshot(env.cli)).toEqual(before);
  });

  it('reads every provider, Gemini page by page, into the Model table', async () => {
    env.writeConfig({ sync: { pageSize: 2 } });
    env.sim.clearRequests();
    const run = await env.cli.run('models', 'sync');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/\[2\/3\] gemini: page 4, 7 models so far/);
    const pages = env.sim.requests.filter((r) => r.path === '/gemini/v1beta/models');
    expect(pages.map((r) => r.query.pageSize)).toEqual(['2', '2', '2', '2']);
    expect(pages[0]!.query.pageToken).toBeUndefined();
    expect(pages.slice(1).every((r) => typeof r.query.pageToken === 'string')).toBe(true);
    expect(pages[0]!.headers['x-goog-api-key']).toBe('gemini-sync-test');

    const prisma = env.cli.database.database.prisma;
    const gemini = await prisma.model.findMany({ where: { providerId: 'gemini' }, orderBy: { name: 'asc' } });
    expect(gemini).toHaveLength(7);
    expect(gemini.find((m) => m.name === 'gemini-2.5-flash')).toMatchObject({ displayName: 'Gemini 2.5 Flash', contextWindow: 1048576, maxOutput: 65536, mode: 'chat', retiredAt: null });
    expect(gemini.find((m) => m.name === 'gemini-embedding-001')).toMatchObject({ mode: 'embedding' });
    expect(await prisma.model.count({ where: { providerId: 'openai' } })).toBe(11);
    expect(await prisma.model.count({ where: { providerId: 'xai' } })).toBe(7);
    expect((await prisma.provider.findMany({ orderBy: { id: 'asc' } })).map((p) => p.id)).toEqual(['gemini', 'openai', 'xai']);

    const again = await env.cli.run('models', 'sync');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new, 0 updated, 0 restored, 0 retired.');
  });

  it('retires a model no longer listed (never deletes it), restores one listed again, updates changed facts', async () => {
    const prisma = env.cli.database.database.prisma;
    await prisma.model.create({ data: { providerId: 'openai', name: 'gpt-3.5-turbo-legacy' } });
    await prisma.model.update({ where: { providerId_name: { providerId: 'openai', name: 'o3' } }, data: { retiredAt: new Date('2026-01-01T00:00:00Z') } });
    await prisma.model.update({ where: { providerId_name: { providerId: 'gemini', name: 'gemini-2.5-pro' } }, data: { contextWindow: 1000 } });

    const run = await env.cli.run('models', 'sync');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  - gpt-3.5-turbo-legacy  retired');
    expect(run.stdout).toContain('  ^ o3  restored');
    expect(run.stdout).toContain('  ~ gemini-2.5-pro  updated: contextWindow 1000 → 1048576');
    expect(run.stdout).toContain('0 new, 1 updated, 1 restored, 1 retired.');
    const legacy = await prisma.model.findUnique({ where: { providerId_name: { providerId: 'openai', name: 'gpt-3.5-turbo-legacy' } } });
    expect(legacy?.retiredAt).toBeInstanceOf(Date);
    expect((await prisma.model.findUnique({ where: { providerId_name: { providerId: 'openai', name: 'o3' } } }))?.retiredAt).toBeNull();

    const listed = await env.cli.run('models', 'list', '--provider', 'openai');
    expect(listed.stdout).not.toContain('gpt-3.5-turbo-legacy');
    expect((await env.cli.run('models', 'list', '--provider', 'openai', '--retired')).stdout).toContain('gpt-3.5-turbo-legacy');
  });

  it('an unreachable provider is a warning and exit 4; its models are not retired, the others still sync', async () => {
    const prisma = env.cli.database.database.prisma;
    const before = await prisma.model.findMany({ where: { providerId: 'xai' }, orderBy: { id: 'asc' } });
    await prisma.model.create({ data: { providerId: 'openai', name: 'gpt-next-unlisted' } });
    const saved = env.cli.env.TOLLGATE_XAI_BASE_URL!;
    env.cli.env.TOLLGATE_XAI_BASE_URL = `http://127.0.0.1:${await closedPort()}/xai/v1`;
    try {
      const run = await env.cli.run('models', 'sync');
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(/warning: xai \/models: unreachable \(ECONNREFUSED\); xai models left unchanged/);
      expect(run.stdout).toMatch(/^xai: UNAVAILABLE/m);
      expect(run.stdout).toContain('  - gpt-next-unlisted  retired');
    } finally {
      env.cli.env.TOLLGATE_XAI_BASE_URL = saved;
    }
    expect(await prisma.model.findMany({ where: { providerId: 'xai' }, orderBy: { id: 'asc' } })).toEqual(before);
  });

  it('usage errors exit 2; --json is machine-readable', async () => {
    expect((await env.cli.run('models', 'sync', '--provider', 'nope')).code).toBe(2);
    expect((await env.cli.run('models', 'frobnicate')).code).toBe(2);
    const json = await env.cli.run('models', 'sync', '--provider', 'gemini', '--dry-run', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ provider: 'gemini', listed: 7, changes: [] }]);
  });
});
