// The embedded default (PGlite, in-process budget store): the rollup job's locks and the
// analytics queries run there too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../src/admin/keys.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../../src/runtime/gateway.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { configFile, FAST_JOBS, waitFor } from './helpers.js';

let gateway: RunningGateway;
let simulator: Simulator;
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-embedded-'));

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
  const config = loadConfig({
    cwd: dataDir,
    env: {
      TOLLGATE_CONFIG: configFile(FAST_JOBS),
      TOLLGATE_DATA_DIR: dataDir,
      PORT: '0',
      TOLLGATE_OPENAI_BASE_URL: `${simulator.url}/openai/v1`,
      OPENAI_API_KEY: 'sk-upstream',
      TOLLGATE_ADMIN_TOKEN: 'embedded-admin-token-0123456789',
      LOG_LEVEL: 'silent',
    },
  });
  gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await simulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('analytics on the embedded database', () => {
  it('rolls up real traffic and answers the reports', async () => {
    expect(gateway.storage.kind).toBe('pglite');
    const { secret } = await createKey(gateway.storage.prisma, gateway.keyHashSecret, { name: 'embedded', team: 'embedded-team' });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${gateway.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `hi ${i}` }] }),
      });
      expect(response.status).toBe(200);
    }
    const get = async (path: string) => (await fetch(`${gateway.url}/analytics${path}`, { headers: { authorization: 'Bearer embedded-admin-token-0123456789' } })).json() as Promise<any>;
    const usage = await waitFor('the rollup', async () => {
      const report = await get('/usage?groupBy=team');
      return report.totals.requests === 5 && report;
    });
    expect(usage.groups[0].name).toBe('embedded-team');
    expect((await get('/realtime')).totals.requests).toBe(5);
    expect((await get('/dashboard?range=24h')).trend.series[0].points.some((p: any) => p.requests === 5)).toBe(true);
  });
});
