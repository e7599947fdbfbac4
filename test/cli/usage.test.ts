import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCliEnv, type CliEnv } from './cli-env.js';

let cli: CliEnv;
const KEY_A = randomUUID();
const KEY_B = randomUUID();
const T0 = new Date('2026-03-01T12:00:00.000Z');

beforeAll(async () => {
  cli = await openCliEnv();
  const rows = Array.from({ length: 6 }, (_, i) => ({
    requestId: `req-cli-${i}`,
    createdAt: new Date(T0.getTime() + i * 60_000),
    apiKeyId: i % 2 === 0 ? KEY_A : KEY_B,
    provider: i < 4 ? 'openai' : 'gemini',
    requestedModel: i < 4 ? 'gpt-4o' : 'gemini-2.5-flash',
    responseModel: i < 4 ? 'gpt-4o-2024-08-06' : 'gemini-2.5-flash',
    endpoint: '/v1/chat/completions',
    stream: i === 1,
    status: 200,
    inputTokens: 1000 + i,
    outputTokens: 50 + i,
    costInputUsd: '0.000123456789012345',
    costOutputUsd: `0.00000000000000000${i + 1}`,
    costTotalUsd: `0.00012345678901234${5 + i}`,
    priceSource: 'builtin',
    costSource: 'computed',
    latencyMs: 200 + i,
    ttftMs: i === 1 ? 40 : null,
  }));
  await cli.database.database.prisma.usageRecord.createMany({ data: rows });
});
afterAll(async () => cli?.dispose());

describe('tollgate usage', () => {
  it('show prints one request with its exact costs', async () => {
    const shown = await cli.run('usage', 'show', 'req-cli-1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/request\s+req-cli-1\n/);
    expect(shown.stdout).toMatch(/provider\s+openai \/v1\/chat\/completions \(stream\)/);
    expect(shown.stdout).toMatch(/model\s+gpt-4o \(answered by gpt-4o-2024-08-06\)/);
    expect(shown.stdout).toContain('input 1001, cached input -, cache write -, output 51, reasoning -');
    expect(shown.stdout).toContain('$0.000123456789012346 (input $0.000123456789012345, output $0.000000000000000002, cached $0, other $0)');
    expect(shown.stdout).toMatch(/latency\s+201 ms, first token 40 ms/);
    const json = JSON.parse((await cli.run('usage', 'show', 'req-cli-1', '--json')).stdout);
    expect(json).toMatchObject({ requestId: 'req-cli-1', costTotalUsd: '0.000123456789012346', apiKeyId: KEY_B, createdAt: '2026-03-01T12:01:00.000Z' });
  });

  it('show of an unknown request exits 1; without an id exits 2', async () => {
    const missing = await cli.run('usage', 'show', 'req-nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No usage row with request id req-nope');
    expect((await cli.run('usage', 'show')).code).toBe(2);
  });

  it('recent lists newest first and filters by provider, model, key, since and limit', async () => {
    const all = await cli.run('usage', 'recent');
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^AT\s+REQUEST\s+PROVIDER\s+MODEL\s+STATUS\s+IN\s+OUT\s+COST\s+KEY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['req-cli-5', 'req-cli-4', 'req-cli-3', 'req-cli-2', 'req-cli-1', 'req-cli-0']);
    // Row 5 stores 0.000123456789012341 (…234 followed by "10"): printed exactly, no trailing zero.
    expect(lines[1]).toMatch(/\s\$0\.000123456789012341\s/);

    const ids = async (...args: string[]) =>
      (JSON.parse((await cli.run('usage', 'recent', ...args, '--json')).stdout) as { requestId: string }[]).map((r) => r.requestId);
    expect(await ids('--provider', 'gemini')).toEqual(['req-cli-5', 'req-cli-4']);
    expect(await ids('--model', 'gpt-4o-2024-08-06', '--limit', '2')).toEqual(['req-cli-3', 'req-cli-2']);
    expect(await ids('--key', KEY_A)).toEqual(['req-cli-4', 'req-cli-2', 'req-cli-0']);
    expect(await ids('--since', '2026-03-01T12:04:00Z')).toEqual(['req-cli-5', 'req-cli-4']);
    expect((await cli.run('usage', 'recent', '--provider', 'xai')).stdout).toBe('No usage rows match.\n');
  });

  it('recent refuses a bad --limit or --since with exit 2', async () => {
    for (const limit of ['0', 'ten', '1001', '2.5']) {
      const result = await cli.run('usage', 'recent', '--limit', limit);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--limit:');
    }
    const since = await cli.run('usage', 'recent', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since: not an ISO date');
  });

  it('help usage lists every option', async () => {
    const { code, stdout } = await cli.run('help', 'usage');
    expect(code).toBe(0);
    expect(stdout).toContain('tollgate usage show <request id> [--json]');
    expect(stdout).toContain('tollgate usage recent [--limit N] [--provider P] [--model M] [--key ID] [--since ISO] [--json]');
  });
});
