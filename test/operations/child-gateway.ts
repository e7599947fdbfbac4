// `node bin/tollgate.mjs start` as a real child process (signals and exit codes cannot be tested
// in-process), on a fresh test database, the shared Redis under a prefix of its own, and a
// simulator the test started as every provider's upstream.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Simulator } from '../../src/simulator/index.js';
import { deleteRedisKeys, gatewayTestEnv } from '../support/gateway-env.js';

const root = process.cwd();

export interface ChildGateway {
  child: ChildProcess;
  env: Record<string, string>;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves with the listening URL once "Tollgate is listening on <url>" is printed. */
  listening(timeoutMs?: number): Promise<string>;
  /** SIGKILL if still running, remove the data folder and the Redis keys under the prefix. */
  cleanup(): Promise<void>;
}

/** The environment of a gateway on `databaseUrl` whose providers are all `simulator`. */
export function childEnv(databaseUrl: string, simulator: Simulator, extra: Record<string, string> = {}): Record<string, string> {
  // Nothing from the parent's TOLLGATE_* or provider settings leaks in.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name, value]) => value !== undefined && !/^(DATABASE_URL|REDIS_URL|OPENAI_API_KEY|GEMINI_API_KEY|XAI_API_KEY|TOLLGATE_.*|PORT|HOST)$/.test(name)),
  ) as Record<string, string>;
  return { ...inherited, ...gatewayTestEnv({ databaseUrl, simulatorUrl: simulator.url, logLevel: 'warn' }), ...extra };
}

export function spawnGateway(env: Record<string, string>, args = ['start']): ChildGateway {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-op-'));
  const fullEnv: Record<string, string> = { TOLLGATE_DATA_DIR: dataDir, ...env };
  // cwd is the empty data folder: no gateway.config.yaml there, so only the environment counts.
  const child = spawn(process.execPath, [join(root, 'bin/tollgate.mjs'), ...args], { cwd: dataDir, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    env: fullEnv,
    output: () => out,
    exited,
    async listening(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = /Tollgate is listening on (http:\/\/\S+)/.exec(out);
        if (match) return match[1]!;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the gateway did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      await deleteRedisKeys(fullEnv.REDIS_URL, fullEnv.TOLLGATE_REDIS_KEY_PREFIX);
    },
  };
}
