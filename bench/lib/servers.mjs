// The four configurations, each server in its own process, and the request each one receives.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNode, waitForHttp } from './procs.mjs';
import { REDIS_URL } from './fixture.mjs';

/** A small but realistic chat call: system + user message, about 120 prompt tokens. */
const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant for an engineering team. Answer in plain English, cite the relevant module when you can, and keep every answer under five sentences.' },
  {
    role: 'user',
    content:
      'Our gateway reserves an estimate in Redis before each call and settles the actual cost afterwards. ' +
      'Explain in two sentences why the reservation must be released even when the upstream call fails, and what happens to the ledger row in that case.',
  },
];
export const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 256 });
export const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 256, stream: true, stream_options: { include_usage: true } });

const JSON_HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream' };

export async function startSimulator(ctx) {
  const port = await freePort();
  const proc = startNode('simulator', ['bin/tollgate.mjs', 'simulate', '--host', '127.0.0.1', '--port', String(port)], ctx);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/healthz`, proc);
  return { proc, origin, port };
}

export async function startThinProxy(ctx, sim) {
  const port = await freePort();
  const proc = startNode('thin-proxy', ['bench/servers/thin-proxy.mjs', String(port), sim.origin], ctx);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/healthz`, proc);
  return { proc, origin };
}

export async function startPortkey(ctx) {
  const port = await freePort();
  const proc = startNode(
    'portkey',
    ['--import', './servers/loopback.mjs', 'node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'],
    { ...ctx, cwd: join(ctx.cwd, 'bench') },
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, proc);
  return { proc, origin };
}

/** The gateway's environment: the bench database and Redis prefix, the simulator as upstream. */
export function tollgateEnv(storage, sim) {
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: storage.databaseUrl,
    REDIS_URL,
    TOLLGATE_REDIS_KEY_PREFIX: storage.redisPrefix,
    TOLLGATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tollgate-bench-')),
    TOLLGATE_KEY_SECRET: randomBytes(24).toString('hex'),
    TOLLGATE_ADMIN_TOKEN: `admin-${randomBytes(16).toString('hex')}`,
    TOLLGATE_OPENAI_BASE_URL: `${sim.origin}/v1`,
    TOLLGATE_GEMINI_BASE_URL: `${sim.origin}/gemini/v1beta`,
    TOLLGATE_XAI_BASE_URL: `${sim.origin}/xai/v1`,
    TOLLGATE_SIMULATE_WHEN_NO_KEY: 'false',
    TOLLGATE_SHUTDOWN_GRACE_MS: '3000',
    OPENAI_API_KEY: 'sk-bench-upstream',
    GEMINI_API_KEY: 'bench-upstream',
    XAI_API_KEY: 'xai-bench-upstream',
  };
}

/** The real CLI (`tollgate start`) with gateway.config.yaml and environment overrides. */
export async function startTollgate(ctx, env, { name = 'tollgate', nodeArgs = [] } = {}) {
  const port = await freePort();
  const proc = startNode(name, [...nodeArgs, 'bin/tollgate.mjs', 'start'], { ...ctx, env: { ...env, PORT: String(port) } });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/readyz`, proc, 120_000);
  return { proc, origin };
}

/** What each configuration is sent: the same body, its own path and headers. */
export function targets({ sim, thin, tollgate, portkey, tollgateKey }) {
  const portkeyHeaders = { ...JSON_HEADERS, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${sim.origin}/v1` };
  const list = [
    { id: 'direct', label: 'direct to simulator', proc: null, origin: sim.origin, path: '/v1/chat/completions', headers: JSON_HEADERS },
    { id: 'thin', label: 'thin Fastify+undici proxy', proc: thin.proc, origin: thin.origin, path: '/v1/chat/completions', headers: JSON_HEADERS },
    {
      id: 'tollgate',
      label: 'Tollgate (everything on)',
      proc: tollgate.proc,
      origin: tollgate.origin,
      path: '/openai/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tollgateKey}` },
    },
    { id: 'portkey', label: 'Portkey gateway', proc: portkey.proc, origin: portkey.origin, path: '/v1/chat/completions', headers: portkeyHeaders },
  ];
  return list.map((t) => ({ ...t, body: CHAT_BODY, stream: { ...t, body: STREAM_BODY } }));
}
