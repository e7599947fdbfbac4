// The benchmark proper. Four configurations, interleaved: every round runs each of them in a
// rotated order (saturation, then fixed load, then streaming TTFB request by request), so
// machine noise falls on all alike. Then a profiled Tollgate saturation run, then the Redis
// reserve/settle and ledger micro-benchmarks, then RESULTS.md.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchStorage, createBudgetedKey, dropBenchStorage, waitForLedger } from './fixture.mjs';
import { createTtfbClient, fixedRate, saturate } from './load.mjs';
import { cpuDelta, cpuMs, cpuMsOf, killAllNow, machineCpuMs, pidsByName, rssMb, sampleRss, stop, stopAll } from './procs.mjs';
import { summarizeProfile } from './profile.mjs';
import { writeResults } from './report.mjs';
import { startPortkey, startSimulator, startThinProxy, startTollgate, targets, tollgateEnv } from './servers.mjs';
import { ledgerThroughput, reserveSettle } from './sub-benchmarks.mjs';

const int = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
export const SETTINGS = {
  rounds: int('BENCH_ROUNDS', 4),
  seconds: int('BENCH_SECONDS', 8),
  connections: int('BENCH_CONNECTIONS', 32),
  rate: int('BENCH_RATE', 300),
  ttfbPerRound: int('BENCH_TTFB_REQUESTS', 150),
  warmSeconds: 3,
  profileSeconds: 8,
};

const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

/** One measured saturation run: throughput, CPU per request of the proxy and the simulator, RSS. */
async function saturation(t, sim, seconds) {
  const pid = t.proc?.pid;
  // Redis and PostgreSQL are shared servers: their CPU counts whatever else uses them meanwhile.
  const stores = [...pidsByName('redis-server'), ...pidsByName('postgres')];
  const before = { proxy: pid ? cpuMs(pid) : 0, sim: cpuMs(sim.proc.pid), stores: cpuMsOf(stores), machine: machineCpuMs(), self: process.cpuUsage(), at: performance.now() };
  const rss = pid ? sampleRss(pid) : () => Number.NaN;
  const r = await saturate(t, { connections: SETTINGS.connections, seconds });
  const rssMax = rss();
  const self = process.cpuUsage(before.self);
  const m = {
    proxyCpuMs: pid ? cpuMs(pid) - before.proxy : 0,
    simCpuMs: cpuMs(sim.proc.pid) - before.sim,
    storesCpuMs: cpuDelta(before.stores, cpuMsOf(stores)),
    loadgenCpuMs: (self.user + self.system) / 1000,
  };
  // Everything else the machine did meanwhile (other users' work): the noise this run suffered.
  const otherMs = machineCpuMs() - before.machine - m.proxyCpuMs - m.simCpuMs - m.storesCpuMs - m.loadgenCpuMs;
  return { ...r, ...m, proxyCpuMs: pid ? m.proxyCpuMs : Number.NaN, otherCores: Math.max(0, otherMs) / (performance.now() - before.at), rssMax };
}

async function probe(t) {
  for (const body of [t.body, t.stream.body]) {
    const res = await fetch(t.origin + t.path, { method: 'POST', headers: t.headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${t.label}: probe answered ${res.status}: ${text.slice(0, 300)}`);
    if (body === t.stream.body && !text.includes('data: [DONE]')) throw new Error(`${t.label}: the stream did not end with [DONE]`);
    if (t.id === 'tollgate' && !res.headers.get('x-tollgate-budget-remaining-usd')) throw new Error('Tollgate: no budget header: budgets are not applied');
  }
}

export async function runBenchmark(root) {
  const started = Date.now();
  const loadStart = loadavg()[0];
  const logDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-logs-'));
  const ctx = { cwd: root, env: {}, logDir };
  let storage;
  let env;
  let failed = false;
  const onSignal = (signal) => {
    log(`${signal}: stopping every child and dropping the bench database`);
    killAllNow();
    dropBenchStorage(storage).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`logs in ${logDir}`);
    storage = await createBenchStorage();
    log(`database ${storage.name}, Redis prefix ${storage.redisPrefix}`);
    const sim = await startSimulator(ctx);
    const [thin, portkey] = await Promise.all([startThinProxy(ctx, sim), startPortkey(ctx)]);
    env = tollgateEnv(storage, sim);
    const tollgate = await startTollgate(ctx, env);
    const fixture = await createBudgetedKey(tollgate.origin, env.TOLLGATE_ADMIN_TOKEN);
    const all = targets({ sim, thin, tollgate, portkey, tollgateKey: fixture.secret });
    for (const t of all) await probe(t);
    log('all four configurations answer (JSON and SSE); Tollgate applies 3 budgets');

    const idleRss = Object.fromEntries(all.filter((t) => t.proc).map((t) => [t.id, rssMb(t.proc.pid)]));
    const results = Object.fromEntries(all.map((t) => [t.id, { sat: [], fixed: [], ttfb: [], ttfbFailed: 0 }]));
    let tollgateOk = 2;
    const drainLedger = async () => waitForLedger(storage.databaseUrl, tollgateOk, 30_000);

    for (const t of all) {
      const w = await saturate(t, { connections: SETTINGS.connections, seconds: SETTINGS.warmSeconds });
      if (t.id === 'tollgate') tollgateOk += w.ok;
      if (t.id === 'tollgate') await drainLedger();
    }
    const ttfb = createTtfbClient();
    for (let round = 0; round < SETTINGS.rounds; round++) {
      const order = rotate(all, round);
      log(`round ${round + 1}/${SETTINGS.rounds}: ${order.map((t) => t.id).join(', ')}`);
      for (const t of order) {
        const r = await saturation(t, sim, SETTINGS.seconds);
        results[t.id].sat.push(r);
        log(`  saturation ${t.id.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  cpu ${((r.proxyCpuMs * 1000) / r.ok).toFixed(0)} µs/req  redis+pg ${((r.storesCpuMs * 1000) / r.ok).toFixed(0)}  loadgen ${((r.loadgenCpuMs * 1000) / r.ok).toFixed(0)}  others ${r.otherCores.toFixed(2)} cores  rss ${r.rssMax.toFixed(0)} MB  errors ${r.errors + r.non2xx}`);
        if (t.id === 'tollgate') {
          tollgateOk += r.ok;
          await drainLedger(); // the writer's backlog must not spill into the next configuration's run
        }
      }
      for (const t of order) {
        const r = await fixedRate(t, { rate: SETTINGS.rate, seconds: SETTINGS.seconds });
        results[t.id].fixed.push(r);
        if (t.id === 'tollgate') tollgateOk += r.latencies.length;
        log(`  fixed ${SETTINGS.rate}/s   ${t.id.padEnd(8)} ${r.latencies.length} ok, ${r.errors} errors, achieved ${r.achievedRate.toFixed(0)}/s`);
      }
      for (let i = 0; i < SETTINGS.ttfbPerRound; i++) {
        for (const t of order) {
          const r = await ttfb.once(t.stream).catch(() => ({ ok: false }));
          if (r.ok) results[t.id].ttfb.push(r.ttfb);
          else results[t.id].ttfbFailed++;
          if (r.ok && t.id === 'tollgate') tollgateOk++;
        }
      }
      log(`  streaming TTFB: ${SETTINGS.ttfbPerRound} requests per configuration, interleaved`);
    }
    await ttfb.close();

    const ledgerSeen = await waitForLedger(storage.databaseUrl, tollgateOk, 60_000);
    const spent = await fixture.api('GET', `/admin/budgets/${fixture.budgets[2].id}/status`).catch((e) => ({ error: e.message }));
    const ledger = { expected: tollgateOk, rows: ledgerSeen, keyBudgetStatus: spent };
    log(`ledger: ${ledgerSeen} rows for ${tollgateOk} successful Tollgate requests`);
    await Promise.all([stop(thin.proc), stop(portkey.proc), stop(tollgate.proc)]);

    let profile;
    if (!process.env.BENCH_SKIP_PROFILE) profile = await profileTollgate(ctx, env, all);
    await stop(sim.proc);

    let sub = {};
    if (!process.env.BENCH_SKIP_SUB) {
      log('reserve + settle micro-benchmark (bench/budgets-reserve-settle.ts)');
      sub.reserveSettle = await reserveSettle(ctx).catch((e) => ({ error: e.message }));
      log('ledger writer throughput (bench/ledger-throughput.ts)');
      sub.ledger = await ledgerThroughput(ctx).catch((e) => ({ error: e.message }));
    }
    const wallSeconds = (Date.now() - started) / 1000;
    const file = writeResults(root, { settings: SETTINGS, all, results, idleRss, ledger, profile, sub, wallSeconds, load: [loadStart, loadavg()[0]] });
    log(`wrote ${file} (${wallSeconds.toFixed(0)} s so far)`);
    return 0;
  } catch (error) {
    failed = true;
    console.error(`bench failed: ${error.stack ?? error}`);
    console.error(`child logs kept in ${logDir}`);
    return 1;
  } finally {
    await stopAll();
    const deleted = await dropBenchStorage(storage);
    if (storage) log(`dropped ${storage.name}; deleted ${deleted} Redis keys under ${storage.redisPrefix}`);
    if (env?.TOLLGATE_DATA_DIR) rmSync(env.TOLLGATE_DATA_DIR, { recursive: true, force: true });
    if (!failed) rmSync(logDir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * A second Tollgate (same database, prefix and key) with bench/servers/profile-hook.mjs: after
 * a warm-up, SIGUSR2 starts the CPU profiler, one saturation run, SIGUSR2 stops and writes it.
 */
async function profileTollgate(ctx, env, all) {
  const keep = join(ctx.cwd, 'bench', '.profiles');
  const file = join(keep, 'tollgate-saturation.cpuprofile');
  rmSync(keep, { recursive: true, force: true });
  mkdirSync(keep, { recursive: true });
  log(`profiling Tollgate: ${SETTINGS.profileSeconds} s saturation under the V8 CPU profiler`);
  const tg = await startTollgate(ctx, { ...env, BENCH_CPUPROFILE: file }, { name: 'tollgate-profile', nodeArgs: ['--expose-gc', '--import', './bench/servers/profile-hook.mjs'] });
  try {
    const t = { ...all.find((x) => x.id === 'tollgate'), origin: tg.origin };
    await saturate(t, { connections: SETTINGS.connections, seconds: SETTINGS.warmSeconds });
    tg.proc.child.kill('SIGUSR2');
    const r = await saturate(t, { connections: SETTINGS.connections, seconds: SETTINGS.profileSeconds });
    tg.proc.child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((res) => setTimeout(res, 100));
    if (!existsSync(file)) return { error: 'the profile was not written within 10 s' };
    const memory = JSON.parse(readFileSync(`${file}.memory.json`, 'utf8'));
    return { summary: summarizeProfile(file, 20), requests: r.ok, rps: r.rps, memory, file: 'bench/.profiles/tollgate-saturation.cpuprofile' };
  } finally {
    await stop(tg.proc);
  }
}
