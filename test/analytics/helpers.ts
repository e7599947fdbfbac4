// Shared by the alert, analytics and dashboard tests: a config file for a test gateway, real
// traffic through it, and waiting for the ledger and the rollup to catch up.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestGateway } from '../support/gateway.js';

/** Writes a gateway.config.yaml for TOLLGATE_CONFIG (environment variables still win). */
export function configFile(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tollgate-cfg-')), 'gateway.config.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** Fast rollups and retries, so tests wait for milliseconds, not minutes. */
export const FAST_JOBS = `
analytics:
  rollupSeconds: 1
alerts:
  retryBaseMs: 50
  retryMaxMs: 400
  sweepSeconds: 1
  velocity:
    checkSeconds: 3600
`;

export async function chat(t: TestGateway, key: string, model: string, n: number, extra: Record<string, string> = {}): Promise<number[]> {
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
        body: JSON.stringify({ model, max_tokens: 50, messages: [{ role: 'user', content: `Say hello number ${i}` }] }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }),
  );
  return statuses;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET /analytics/<path> with the admin token. */
export async function analytics<T = any>(t: TestGateway, path: string): Promise<T> {
  const response = await fetch(`${t.url}/analytics${path}`, { headers: { authorization: `Bearer ${t.gateway.adminToken}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /analytics${path} → ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Waits until the rollups hold every ledger row. */
export async function rolledUp(t: TestGateway): Promise<void> {
  const prisma = t.gateway.storage.prisma;
  await waitFor('the rollup to catch up', async () => {
    const [row] = await prisma.$queryRawUnsafe<Array<{ ok: boolean }>>(
      `SELECT (SELECT coalesce(max(id), 0) FROM "UsageRecord") <= coalesce((SELECT "lastId" FROM "RollupWatermark" WHERE name = 'usage'), 0) AS ok`,
    );
    return row?.ok;
  });
}
