// Turns one run's measurements into bench/RESULTS.md (rewritten by every run).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { median, percentile } from './load.mjs';
import { profileMarkdown } from './profile.mjs';

const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const f0 = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const mb = (bytes) => f0(bytes / 2 ** 20);
const sum = (list, pick) => list.reduce((a, x) => a + pick(x), 0);

function version(root, dir, pkg) {
  try {
    return JSON.parse(readFileSync(join(root, dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** Per configuration: the figures of the table. */
function figures(r) {
  const lat = r.fixed.flatMap((x) => x.latencies);
  return {
    rps: median(r.sat.map((x) => x.rps)),
    rpsRounds: r.sat.map((x) => x.rps),
    cpuUs: (sum(r.sat, (x) => x.proxyCpuMs) * 1000) / sum(r.sat, (x) => x.ok),
    simCpuUs: (sum(r.sat, (x) => x.simCpuMs) * 1000) / sum(r.sat, (x) => x.ok),
    storesCpuUs: (sum(r.sat, (x) => x.storesCpuMs) * 1000) / sum(r.sat, (x) => x.ok),
    loadgenCpuUs: (sum(r.sat, (x) => x.loadgenCpuMs) * 1000) / sum(r.sat, (x) => x.ok),
    otherCores: sum(r.sat, (x) => x.otherCores) / r.sat.length,
    rss: Math.max(...r.sat.map((x) => x.rssMax)),
    errors: sum(r.sat, (x) => x.errors + x.non2xx) + sum(r.fixed, (x) => x.errors) + r.ttfbFailed,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    samples: lat.length,
    ttfb50: percentile(r.ttfb, 50),
    ttfb99: percentile(r.ttfb, 99),
    maxLag: Math.max(...r.fixed.map((x) => x.maxLagMs)),
  };
}

export function writeResults(root, run) {
  const { settings: s, all, results, idleRss, ledger, profile, sub } = run;
  const F = Object.fromEntries(all.map((t) => [t.id, figures(results[t.id])]));
  const d = F.direct;
  for (const x of Object.values(F)) Object.assign(x, { add50: x.p50 - d.p50, add99: x.p99 - d.p99, ttfbOver: x.ttfb50 - d.ttfb50, ttfbOver99: x.ttfb99 - d.ttfb99 });
  const T = F.tollgate;
  const roundRatios = (other) => F.tollgate.rpsRounds.map((v, i) => v / F[other].rpsRounds[i]);
  const rs = sub.reserveSettle?.runs?.find((x) => x.inFlight === 1);
  const lg = sub.ledger;

  const targets = [
    ['Throughput ≥ 60 % of the thin proxy', `${f1((100 * T.rps) / F.thin.rps)} %`, T.rps / F.thin.rps >= 0.6],
    ['Added p50 within 0.5 ms of the thin proxy', `${f2(T.add50 - F.thin.add50)} ms`, T.add50 - F.thin.add50 <= 0.5],
    ['Added p99 within 2 ms of the thin proxy', `${f2(T.add99 - F.thin.add99)} ms`, T.add99 - F.thin.add99 <= 2],
    ['Streaming TTFB overhead within 0.5 ms of the thin proxy (p50)', `${f2(T.ttfbOver - F.thin.ttfbOver)} ms`, T.ttfbOver - F.thin.ttfbOver <= 0.5],
    ['RSS under load ≤ 200 MB', `${f0(T.rss)} MB`, T.rss <= 200],
    ['Reserve p99 < 1 ms (1 in flight)', rs ? `${f0(rs.reserve.p99)} µs` : 'not run', rs ? rs.reserve.p99 < 1000 : undefined],
    ['Settle p99 < 1 ms (1 in flight)', rs ? `${f0(rs.settle.p99)} µs` : 'not run', rs ? rs.settle.p99 < 1000 : undefined],
    ['Ledger ≥ 10,000 rows/s', lg?.rowsPerSecond ? `${f0(lg.rowsPerSecond)} rows/s` : 'not run', lg?.rowsPerSecond ? lg.rowsPerSecond >= 10_000 : undefined],
  ];
  const verdict = (ok) => (ok === undefined ? '—' : ok ? 'met' : '**missed**');

  const table = all.map((t) => {
    const x = F[t.id];
    const isDirect = t.id === 'direct';
    return `| ${t.label} | ${f0(x.rps)} | ${isDirect ? '—' : f0(x.cpuUs)} | ${f0(x.simCpuUs)} | ${f0(x.storesCpuUs)} | ${f0(x.loadgenCpuUs)} | ${f2(x.otherCores)} | ${isDirect ? '—' : `${f0(idleRss[t.id])} / ${f0(x.rss)}`} | ${f2(x.p50)} / ${f2(x.p99)} | ${isDirect ? '—' : `${f2(x.add50)} / ${f2(x.add99)}`} | ${f2(x.ttfb50)} / ${f2(x.ttfb99)} | ${isDirect ? '—' : `${f2(x.ttfbOver)} / ${f2(x.ttfbOver99)}`} | ${x.errors} |`;
  });
  const perRound = all.map((t) => `| ${t.label} | ${F[t.id].rpsRounds.map(f0).join(' | ')} |`);
  const fixedRounds = all.map((t) => `| ${t.label} | ${results[t.id].fixed.map((x) => `${f2(percentile(x.latencies, 50))} / ${f2(percentile(x.latencies, 99))} (lag ${f0(x.maxLagMs)})`).join(' | ')} |`);
  const notesPath = join(root, 'bench', 'NOTES.md');
  const notes = existsSync(notesPath) ? readFileSync(notesPath, 'utf8').trim() : '_No bench/NOTES.md._';

  const md = `# Tollgate benchmark results

Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString()}; every run rewrites this file.
The whole run took ${f0(run.wallSeconds)} s.

## Machine

- CPUs: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'} (shared by the load generator, the servers under test, the simulator, PostgreSQL and Redis)
- Memory: ${f0(totalmem() / 2 ** 20)} MB; kernel ${release()}
- Load average (1 min) when the run started: ${f2(run.load[0])}, when it ended: ${f2(run.load[1])} (other users' tests run on this machine too; see "other processes" below)
- Node ${process.version}
- fastify ${version(root, '.', 'fastify')}, undici ${version(root, '.', 'undici')} (Tollgate's and the thin proxy's, root lockfile)
- @portkey-ai/gateway ${version(root, 'bench', '@portkey-ai/gateway')}, hono ${version(root, 'bench', 'hono')}, @hono/node-server ${version(root, 'bench', '@hono/node-server')} (pinned, see below); autocannon ${version(root, 'bench', 'autocannon')}

## What ran

Each server in its own process, all on 127.0.0.1; the upstream is the project's simulator (\`node bin/tollgate.mjs simulate\`, own process, no delay).

1. **direct**: the client calls the simulator.
2. **thin proxy**: \`node bench/servers/thin-proxy.mjs <port> <simulator>\`: Fastify + an undici Pool (256 connections, as Tollgate), bodies streamed through, nothing else.
3. **Tollgate**: \`node bin/tollgate.mjs start\` with gateway.config.yaml and DATABASE_URL (a fresh \`tollgate_bench_*\` database), REDIS_URL (own key prefix), TOLLGATE_*_BASE_URL at the simulator. The key belongs to a team and an organization, each level with a budget (org monthly, team weekly, key daily), so every request authenticates, estimates with tiktoken, reserves in Redis against 3 counters, forwards, prices the usage, settles and appends the usage event, and the ledger writer in the same process writes the row to PostgreSQL.
4. **Portkey**: \`node --import ./servers/loopback.mjs node_modules/@portkey-ai/gateway/build/start-server.js --port=<port> --headless\` (in bench/; the preload binds its listener to 127.0.0.1), requests with \`x-portkey-provider: openai\` and \`x-portkey-custom-host: <simulator>/v1\`.

Request: \`POST chat/completions\`, model gpt-4o-mini, a system and a user message (~120 prompt tokens), max_tokens 256; the streamed variant adds \`stream: true, stream_options.include_usage\`.

Per round (${s.rounds} rounds, the configuration order rotated each round, after a ${s.warmSeconds} s warm-up of each):
- **saturation**: autocannon, ${s.connections} connections, ${s.seconds} s per configuration; throughput = 2xx/s, median of the rounds. CPU per request = the server process's utime+stime (/proc/<pid>/stat) over the runs / requests served; RSS = highest VmRSS sampled every 200 ms during them. Redis + PostgreSQL CPU: every redis-server and postgres process over the same runs (shared servers: anything else using them meanwhile is counted too). Load generator CPU: the runner's own process.cpuUsage() (autocannon runs in it). Other processes: the machine's busy time in /proc/stat minus all of the above, in cores (out of ${cpus().length}), averaged over the runs: the noise the measurements suffered (other users of this machine).
- **fixed load**: open loop at ${s.rate} req/s for ${s.seconds} s (${s.rate * s.seconds} requests) per configuration; latency from the client handing the request to its pool to the last body byte, pooled over the rounds (${F.direct.samples} samples each). Added latency = configuration − direct. Largest scheduler lag seen: ${f1(Math.max(...Object.values(F).map((x) => x.maxLag)))} ms.
- **streaming TTFB**: ${s.ttfbPerRound} streamed requests per configuration per round, one at a time, interleaved request by request; TTFB = first body byte. Overhead = configuration − direct.
- Tollgate's ledger writer is waited for after each Tollgate saturation run, so its backlog never runs during another configuration's measurement.

## Results

| configuration | throughput req/s | server CPU µs/req | simulator CPU µs/req | Redis + PostgreSQL CPU µs/req | load generator CPU µs/req | other processes (cores busy) | RSS idle / under load MB | latency at ${s.rate}/s p50 / p99 ms | added p50 / p99 ms | stream TTFB p50 / p99 ms | TTFB overhead p50 / p99 ms | errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${table.join('\n')}

Throughput per round (req/s):

| configuration | ${Array.from({ length: s.rounds }, (_, i) => `round ${i + 1}`).join(' | ')} |
|---|${'---:|'.repeat(s.rounds)}
${perRound.join('\n')}

Latency at ${s.rate} req/s per round, p50 / p99 ms (in brackets: the load generator's largest lag behind its schedule in that run, ms; a stalled generator also delays reading answers):

| configuration | ${Array.from({ length: s.rounds }, (_, i) => `round ${i + 1}`).join(' | ')} |
|---|${'---:|'.repeat(s.rounds)}
${fixedRounds.join('\n')}

### Ratios (this run)

- Throughput Tollgate / thin proxy: **${f2(T.rps / F.thin.rps)}** (per round: ${roundRatios('thin').map(f2).join(', ')})
- Throughput Tollgate / Portkey: **${f2(T.rps / F.portkey.rps)}** (per round: ${roundRatios('portkey').map(f2).join(', ')})
- CPU per request Tollgate / thin proxy: **${f2(T.cpuUs / F.thin.cpuUs)}**; Tollgate / Portkey: **${f2(T.cpuUs / F.portkey.cpuUs)}**
- Added p50 Tollgate − thin: ${f2(T.add50 - F.thin.add50)} ms; added p99 Tollgate − thin: ${f2(T.add99 - F.thin.add99)} ms; TTFB overhead Tollgate − thin: ${f2(T.ttfbOver - F.thin.ttfbOver)} ms (p50)

Ledger check: ${f0(ledger.rows)} usage rows in PostgreSQL for at least ${f0(ledger.expected)} successful Tollgate requests (autocannon does not count the requests still in flight when a run ends)${ledger.rows >= ledger.expected ? ': all recorded' : ': **rows missing** when the wait ended'}. Key budget after the run: ${String(JSON.stringify(ledger.keyBudgetStatus ?? null)).slice(0, 400)}.

### Reserve + settle (Redis, \`${sub.reserveSettle?.command ?? 'not run'}\`)

${sub.reserveSettle?.runs ? `Baseline PING p50 ${sub.reserveSettle.ping?.p50} µs, p99 ${sub.reserveSettle.ping?.p99} µs.\n\n| in flight | req/s | reserve p50 / p99 µs | settle p50 / p99 µs | reserve+settle p50 / p99 µs |\n|---:|---:|---:|---:|---:|\n${sub.reserveSettle.runs.map((x) => `| ${x.inFlight} | ${f0(x.rps)} | ${x.reserve.p50} / ${x.reserve.p99} | ${x.settle.p50} / ${x.settle.p99} | ${x.pair.p50} / ${x.pair.p99} |`).join('\n')}` : `Not available: ${sub.reserveSettle?.error ?? 'skipped'}`}

### Ledger writer (\`${lg?.command ?? 'not run'}\`)

${lg?.rowsPerSecond ? `Backlog of ${f0(lg.rows)} events drained at **${f0(lg.rowsPerSecond)} rows/s** (${lg.seconds} s, write errors ${lg.writeErrors}${lg.queueErrors === undefined ? '' : `, queue read errors ${lg.queueErrors}, stale entries claimed ${lg.claimed}`}); live at 5,000 events/s: mean ${f0(lg.liveMean)} rows/s, max lag ${f0(lg.liveMaxLagMs)} ms; check ${JSON.stringify(lg.check)}.` : `Not available: ${lg?.error ?? 'skipped'}`}

## Targets

| target | this run | verdict |
|---|---:|---|
${targets.map(([name, value, ok]) => `| ${name} | ${value} | ${verdict(ok)} |`).join('\n')}

## Profile: Tollgate at saturation

${profile?.summary ? `One extra Tollgate process (same database, Redis prefix and key) with bench/servers/profile-hook.mjs: the V8 CPU profiler (500 µs sampling) runs for exactly one ${s.profileSeconds} s saturation run (${s.connections} connections, after a ${s.warmSeconds} s warm-up): ${f0(profile.rps)} req/s (profiling slows it). Memory at the end of the run: rss ${mb(profile.memory?.rss)} MB, V8 heap total ${mb(profile.memory?.heapTotal)} MB (used ${mb(profile.memory?.heapUsed)}), external ${mb(profile.memory?.external)} MB (array buffers ${mb(profile.memory?.arrayBuffers)}); heap spaces: ${Object.entries(profile.memory?.spaces ?? {}).filter(([, v]) => v >= 2 ** 20).map(([k, v]) => `${k} ${mb(v)}`).join(', ')} MB. After a forced full GC: rss ${mb(profile.memory?.afterGc?.rss)} MB, heap used ${mb(profile.memory?.afterGc?.heapUsed)} MB. The profile is kept in ${profile.file} (not committed; open it in Chrome DevTools). Summarised by bench/lib/profile.mjs:\n\n${profileMarkdown(profile.summary, profile.requests)}` : `Not available: ${profile?.error ?? 'skipped (BENCH_SKIP_PROFILE)'}`}

## Portkey: the pinned versions

\`@portkey-ai/gateway\` 1.15.2 declares \`hono ^4.9.7\` and \`@hono/node-server ^1.3.3\`. Installed fresh on 2026-11-22 those resolved to hono 4.13.19 and @hono/node-server 1.19.19: a non-streamed request answered 200, a streamed one HTTP 500 \`{"status":"failure","message":"Something went wrong"}\` (Portkey-AI/gateway #1389; Portkey logged \`TypeError: immutable\` from undici's \`Headers.append\`, called by its \`updateHeaders\`). Portkey's own package-lock.json (repository at v1.15.2) locks **hono 4.9.7** and **@hono/node-server 1.13.5**; bench/package.json pins exactly those (dependencies plus \`overrides\`), and with them streaming works. @hono/node-server 1.13.5 prints "Failed to find Response internal state key" at start on this Node (it then skips its shortcut that writes a Response's internal body directly, and reads every body through its web ReadableStream); that is what Portkey's lockfile gives, so it is what is compared.

## Findings and what remains

${notes}
`;
  const file = join(root, 'bench', 'RESULTS.md');
  writeFileSync(file, md);
  return file;
}
