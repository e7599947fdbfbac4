// The floor for any Node proxy: Fastify + an undici keep-alive pool, the same two libraries (and
// versions: they resolve from the root node_modules) that Tollgate uses, and nothing else. No
// auth, no body parsing, no accounting; bodies stream through in both directions.
//
//   node bench/servers/thin-proxy.mjs <port> <upstream origin>
import Fastify from 'fastify';
import { Pool } from 'undici';

const [port, upstream] = [Number(process.argv[2]), process.argv[3]];
if (!port || !upstream) {
  console.error('usage: thin-proxy.mjs <port> <upstream origin>');
  process.exit(2);
}

// Same pool settings as Tollgate's UpstreamPools (src/proxy/upstream.ts) with the default config.
const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function forwardable(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.all('/*', async (request, reply) => {
  const upstreamRes = await pool.request({
    path: request.url,
    method: request.method,
    headers: forwardable(request.headers),
    body: request.body?.length ? request.body : undefined,
  });
  reply.code(upstreamRes.statusCode).headers(forwardable(upstreamRes.headers));
  return reply.send(upstreamRes.body);
});

const shutdown = async () => {
  await app.close();
  await pool.close();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

await app.listen({ host: '127.0.0.1', port });
console.log(`thin proxy on http://127.0.0.1:${port} -> ${upstream}`);
