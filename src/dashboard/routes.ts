/**
 * The web dashboard at /dashboard: static HTML/JS/CSS from ./static, behind a login form that
 * posts the admin token once and gets a signed session cookie back (see session.ts). The
 * page reads its data from /analytics/dashboard with that cookie.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminGuard } from '../admin/auth.js';
import { clearedCookie, readCookie, sessionCookie, type SessionKeys } from './session.js';

export interface DashboardDeps {
  adminToken: string;
  sessions: SessionKeys;
  sessionHours: number;
  refreshSeconds: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
// Everything the pages load comes from this origin; nothing inline, nothing framed.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/** src/dashboard/static beside this module, or found upwards (a dist/ build has no copy). */
function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    for (const candidate of [join(dir, 'static'), join(dir, 'src', 'dashboard', 'static')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return join(here, 'static');
    dir = parent;
  }
}

function loadAssets(refreshSeconds: number): Map<string, { body: string; type: string }> {
  const dir = staticDir();
  const assets = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name), 'utf8').replaceAll('__REFRESH_SECONDS__', String(refreshSeconds));
    assets.set(name, { body, type });
  }
  return assets;
}

function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function dashboardRoutes(deps: DashboardDeps) {
  const assets = loadAssets(deps.refreshSeconds);
  const guard = adminGuard(deps.adminToken);
  const page = (reply: FastifyReply, name: string) => {
    const asset = assets.get(name)!;
    return reply.header('content-type', asset.type).header('content-security-policy', CSP).header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer').header('cache-control', 'no-store').send(asset.body);
  };

  return async (app: FastifyInstance) => {
    app.get('/dashboard', async (request, reply) => {
      if (!deps.sessions.verify(readCookie(request))) return reply.redirect('/dashboard/login', 303);
      return page(reply, 'index.html');
    });
    app.get('/dashboard/login', async (_request, reply) => page(reply, 'login.html'));

    app.post('/dashboard/login', async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      let token = '';
      try {
        token = String(/json/.test(String(request.headers['content-type'])) ? (JSON.parse(raw) as { token?: unknown }).token ?? '' : new URLSearchParams(raw).get('token') ?? '');
      } catch {
        token = '';
      }
      // The admin API's own check: constant time, and slower for an address that keeps failing.
      request.headers['x-admin-token'] = token;
      delete request.headers.authorization;
      await guard(request, reply);
      if (reply.sent) return reply;
      const maxAge = deps.sessionHours * 3600;
      reply.header('set-cookie', sessionCookie(deps.sessions.sign(Date.now() + maxAge * 1000), maxAge, isSecure(request)));
      if (/json/.test(String(request.headers.accept))) return reply.send({ ok: true });
      return reply.redirect('/dashboard', 303);
    });

    app.post('/dashboard/logout', async (request, reply) => {
      reply.header('set-cookie', clearedCookie(isSecure(request)));
      return reply.redirect('/dashboard/login', 303);
    });

    app.get<{ Params: { file: string } }>('/dashboard/static/:file', async (request, reply) => {
      const asset = request.params.file.endsWith('.html') ? undefined : assets.get(request.params.file);
      if (!asset) return reply.code(404).send({ error: { message: 'not found', type: 'not_found' } });
      return reply.header('content-type', asset.type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(asset.body);
    });
  };
}
