import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

describe('the README start command on a fresh folder with nothing configured', () => {
  it('starts on embedded storage and the simulator, prints a demo key, serves the openai SDK, exits 0 on SIGTERM', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tollgate-start-'));
    cpSync(join(root, 'gateway.config.yaml'), join(folder, 'gateway.config.yaml'));
    // Nothing configured: no database, no Redis, no provider keys.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|REDIS_URL|OPENAI_API_KEY|GEMINI_API_KEY|XAI_API_KEY|TOLLGATE_.*)$/.test(name)),
    );
    const child = spawn(process.execPath, [join(root, 'bin/tollgate.mjs'), 'start'], { cwd: folder, env: { ...env, PORT: '0', LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Try it/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const url = out.match(/listening on (http:\/\/[\d.:]+)/)![1]!;
      const key = out.match(/demo key was created \(shown once\): (tg_\S+)/)![1]!;
      expect(out).toContain('embedded PostgreSQL');
      expect(out).toMatch(/openai: local simulator/);
      const client = new OpenAI({ baseURL: `${url}/openai/v1`, apiKey: key, maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
      expect(answer.choices[0]!.message.content).toBeTruthy();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
