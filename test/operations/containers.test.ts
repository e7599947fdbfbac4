// The container files, checked without a Docker engine: docker-compose.yml references only
// files that exist and services it defines, Prometheus scrapes the gateway where it listens,
// Grafana's provisioning points at that Prometheus and the mounted dashboard, and the Dockerfile
// runs only commands the repository's own scripts and tests use (plus named image housekeeping).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envOverrides } from '../../src/config/load.js';
import { startCommand } from '../../src/cli/server-commands.js';

const root = process.cwd();
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const compose = parse(read('docker-compose.yml'));
const services: Record<string, any> = compose.services;

/** `./x:/y:ro` → { source: './x', target: '/y' }; named volumes have no `./` or `/`. */
function mounts(service: any): Array<{ source: string; target: string; bind: boolean }> {
  return (service.volumes ?? []).map((v: string | { source: string; target: string }) => {
    const [source, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
    return { source: source!, target: target!, bind: source!.startsWith('.') || source!.startsWith('/') };
  });
}

describe('docker-compose.yml', () => {
  it('runs the gateway, PostgreSQL, Redis, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'grafana', 'postgres', 'prometheus', 'redis']);
  });

  it('every file it references exists, every named volume is declared, every dependency is a service', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) {
        const context = typeof service.build === 'string' ? service.build : (service.build.context ?? '.');
        const dockerfile = typeof service.build === 'string' ? 'Dockerfile' : (service.build.dockerfile ?? 'Dockerfile');
        expect(existsSync(join(root, context, dockerfile)), `${name}: ${dockerfile}`).toBe(true);
      }
      for (const { source, bind } of mounts(service)) {
        if (bind) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${source}`).toContain(source);
      }
      for (const file of [service.env_file ?? []].flat()) expect(existsSync(join(root, file)), `${name}: ${file}`).toBe(true);
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
  });

  it('the gateway is configured only through variables the config loader reads, and reaches postgres and redis by service name', () => {
    const env: Record<string, string> = services.gateway.environment;
    const known = new Set([...envOverrides().map((o) => o.env), 'DATABASE_URL', 'REDIS_URL']);
    for (const name of Object.keys(env)) expect(known.has(name), name).toBe(true);
    expect(new URL(env.DATABASE_URL!).hostname).toBe('postgres');
    expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
  });

  it('docker stop leaves the gateway its whole grace period and the ledger flush', () => {
    const graceMs = Number(services.gateway.environment.TOLLGATE_SHUTDOWN_GRACE_MS);
    const stop = /^(\d+)s$/.exec(services.gateway.stop_grace_period)!;
    expect(graceMs).toBeGreaterThan(0);
    expect(Number(stop[1]) * 1000).toBeGreaterThanOrEqual(graceMs + 10_000);
  });

  it('Prometheus scrapes the gateway service on the port it listens on, at /metrics', () => {
    const prometheusMount = mounts(services.prometheus).find((m) => m.source === './prometheus.yml')!;
    expect(services.prometheus.command).toContain(`--config.file=${prometheusMount.target}`);
    const config = parse(read('prometheus.yml'));
    const job = config.scrape_configs.find((j: any) => j.job_name === 'tollgate');
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    const containerPort = String(services.gateway.ports[0]).split(':').pop();
    expect(job.static_configs[0].targets).toEqual([`gateway:${containerPort}`]);
    expect(read('Dockerfile')).toMatch(new RegExp(`PORT=${containerPort}\\b`));
  });

  it('Grafana provisions that Prometheus and the mounted dashboard folder', () => {
    const grafana = mounts(services.grafana);
    const provisioning = grafana.find((m) => m.source === './grafana/provisioning')!;
    const dashboards = grafana.find((m) => m.source === './grafana/dashboards')!;
    expect(provisioning.target).toBe('/etc/grafana/provisioning');
    const datasources = parse(read('grafana/provisioning/datasources/prometheus.yml')).datasources;
    const providers = parse(read('grafana/provisioning/dashboards/tollgate.yml')).providers;
    expect(datasources[0]).toMatchObject({ type: 'prometheus', url: `http://prometheus:${String(services.prometheus.ports[0]).split(':').pop()}` });
    expect(providers[0].options.path).toBe(dashboards.target);
    // Every panel names the provisioned data source by its uid.
    const dashboard = JSON.parse(read('grafana/dashboards/tollgate.json'));
    const uids = new Set<string>();
    const walk = (panels: any[] = []) => panels.forEach((p) => (p.datasource && uids.add(p.datasource.uid), walk(p.panels)));
    walk(dashboard.panels);
    expect([...uids]).toEqual([datasources[0].uid]);
    expect(readdirSync(join(root, 'grafana/dashboards')).filter((f) => f.endsWith('.json'))).toEqual(['tollgate.json']);
  });
});

// ------------------------------------------------------------------------------- Dockerfile

interface Instruction {
  op: string;
  args: string;
}

function dockerfile(): Instruction[] {
  return read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/** The commands of a RUN or CMD line: exec form joined, shell form split on && and ;. */
function commands(args: string): string[] {
  if (args.startsWith('[')) return [(JSON.parse(args) as string[]).join(' ')];
  return args.split(/&&|;/).map((c) => c.trim().replace(/\s+/g, ' ')).filter(Boolean);
}

/** Everything the repository itself runs: npm scripts, CI, README, bin scripts, tests. */
function repositoryUsage(): string {
  const pkg = JSON.parse(read('package.json'));
  const scripts = Object.values(pkg.scripts as Record<string, string>);
  const files = ['.ci/run', 'README.md', ...readdirSync(join(root, 'bin')).map((f) => `bin/${f}`)];
  const tests: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.startsWith('test/operations/containers')) tests.push(path);
    }
  };
  walk('test');
  // npx X runs the same binary an npm script "X" does.
  return [...scripts, ...scripts.map((s) => `npx ${s}`), ...[...files, ...tests].map(read)].join('\n');
}

/** Run only inside the image, with why: these have no counterpart in a checkout. */
const IMAGE_HOUSEKEEPING: Record<string, string> = {
  'npm prune --omit=dev': 'the runtime stage keeps production dependencies only',
  'mkdir -p /data': 'the data folder (TOLLGATE_DATA_DIR) for the unprivileged user',
  'chown node:node /data': 'owned by the user the gateway runs as',
};

describe('Dockerfile', () => {
  const steps = dockerfile();

  it('is multi-stage, runs as a non-root user, and exposes the port it listens on', () => {
    expect(steps.filter((s) => s.op === 'FROM').length).toBeGreaterThanOrEqual(2);
    const lastFrom = steps.map((s) => s.op).lastIndexOf('FROM');
    const user = steps.slice(lastFrom).find((s) => s.op === 'USER');
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args);
    const port = /PORT=(\d+)/.exec(steps.find((s) => s.op === 'ENV' && /PORT=/.test(s.args))!.args)![1];
    expect(steps.find((s) => s.op === 'EXPOSE')!.args).toBe(port);
  });

  it('every RUN and CMD command is one the repository also runs (or named image housekeeping)', () => {
    const usage = repositoryUsage();
    const run = steps.filter((s) => s.op === 'RUN' || s.op === 'CMD').flatMap((s) => commands(s.args));
    expect(run).toEqual(expect.arrayContaining(['npm ci', 'npx prisma generate', 'node bin/tollgate.mjs start']));
    for (const command of run) {
      if (IMAGE_HOUSEKEEPING[command]) continue;
      expect(usage.includes(command), `"${command}" is not used by package.json scripts, .ci, README, bin or tests`).toBe(true);
    }
  });

  it('CMD starts the gateway through a real CLI command, with what it needs at run time', () => {
    const cmd = JSON.parse(steps.findLast((s) => s.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', 'bin/tollgate.mjs', startCommand.name]);
    // The runtime stage drops devDependencies: what bin/tollgate.mjs loads must be a dependency.
    const deps = Object.keys(JSON.parse(read('package.json')).dependencies);
    expect(deps).toEqual(expect.arrayContaining(['tsx', 'prisma', '@prisma/client', 'prom-client']));
    expect(read('bin/tollgate.mjs')).toContain("from 'tsx/esm/api'");
  });

  it("runs on the base image's Node: the `node` package (the npm scripts' Node on a checkout) is a devDependency of the same major, so the image carries no second Node", () => {
    const pkg = JSON.parse(read('package.json'));
    // As a dependency, `npm prune --omit=dev` would keep its ~190 MB binary in the runtime stage.
    expect(Object.keys(pkg.dependencies)).not.toContain('node');
    const major = /^(\d+)\./.exec(pkg.devDependencies.node)?.[1];
    expect(major, 'devDependencies.node').toBeDefined();
    const images = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(/\s+/)[0]!);
    for (const image of images) expect(image, 'FROM').toMatch(new RegExp(`^node:${major}[-.]`));
    // The lock file agrees (npm ci installs from it): the package is marked dev there too.
    const lock = JSON.parse(read('package-lock.json'));
    expect(lock.packages[''].dependencies?.node).toBeUndefined();
    expect(lock.packages['node_modules/node'].dev).toBe(true);
  });

  it('every COPY source exists in the build context, and node_modules is not sent', () => {
    for (const step of steps.filter((s) => s.op === 'COPY' && !s.args.includes('--from='))) {
      const parts = step.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) expect(existsSync(join(root, source)), source).toBe(true);
    }
    expect(read('.dockerignore').split('\n')).toContain('node_modules');
  });
});
