import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

function dir(yaml?: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  if (yaml !== undefined) writeFileSync(join(folder, 'gateway.config.yaml'), yaml);
  return folder;
}

describe('configuration', () => {
  it('no file and no environment: a working default', () => {
    const config = loadConfig({ env: {}, cwd: dir() });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.budgets.failMode).toBe('closed');
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('a wrong field fails fast naming the field and the file', () => {
    const folder = dir('server:\n  port: eighty\nbudgets:\n  failMode: sometimes\n');
    expect(() => loadConfig({ env: {}, cwd: folder })).toThrow(/gateway\.config\.yaml[\s\S]*server\.port[\s\S]*budgets\.failMode/);
  });

  it('an unknown field is refused, not ignored', () => {
    expect(() => loadConfig({ env: {}, cwd: dir('servr:\n  port: 1\n') })).toThrow(/servr/);
  });

  it('environment variables override the file', () => {
    const folder = dir('server:\n  port: 9000\n');
    const config = loadConfig({ env: { PORT: '7000', TOLLGATE_OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_API_KEY: 'sk-x' }, cwd: folder });
    expect(config.server.port).toBe(7000);
    expect(config.providers.openai).toMatchObject({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-x' });
  });

  it('TOLLGATE_CONFIG names another file; a missing one is an error', () => {
    const folder = dir();
    writeFileSync(join(folder, 'other.yaml'), 'logging:\n  level: debug\n');
    expect(loadConfig({ env: { TOLLGATE_CONFIG: 'other.yaml' }, cwd: folder }).logging.level).toBe('debug');
    expect(() => loadConfig({ env: { TOLLGATE_CONFIG: 'absent.yaml' }, cwd: folder })).toThrow(/absent\.yaml: config file not found/);
  });

  it('a bad environment value names the variable', () => {
    expect(() => loadConfig({ env: { PORT: 'http' }, cwd: dir() })).toThrow(/PORT/);
  });

  it('the sample gateway.config.yaml in the repository is valid', () => {
    expect(() => loadConfig({ env: {}, cwd: process.cwd() })).not.toThrow();
  });
});
