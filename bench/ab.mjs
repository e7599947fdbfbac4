// A/B comparison of two Tollgate builds (or two sets of Node flags) on this machine, outside
// `npm run bench`. Both gateways run at once against one simulator, with the same database,
// Redis prefix and key; saturation runs alternate A, B, B, A, ... so machine noise falls on
// both alike. Per run: throughput, CPU µs per request of the gateway (/proc/<pid>/stat), and
// the highest RSS. Run from the repository root (bench/node_modules installed):
//
//   node bench/ab.mjs --a=<tree> --b=<tree> [--a-node="--flag"] [--b-node="--flag"]
//        [--prompt=fixed|unique|conversation] [--rounds=6] [--seconds=6] [--connections=32]
//        [--a-env=K=V,K=V] [--b-env=K=V] [--profile-b=<file.cpuprofile>]
//
// A tree is a checkout with node_modules (a symlink will do). --prompt: `fixed` is the
// benchmark's own body; `unique` adds a different user message (about 60 tokens) to every
// request; `conversation` replays 64 chat conversations turn by turn (a 1,400-character
// system prompt, the history, then a new question), as chat clients send them.
// --profile-b: B runs with bench/servers/profile-hook.mjs and its last run is profiled
// (summarise with `node bench/lib/profile.mjs <file>`; profiling slows that run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { createBenchStorage, createBudgetedKey, dropBenchStorage } from './lib/fixture.mjs';
import { cpuMs, killAllNow, rssMb, sampleRss, stop, stopAll } from './lib/procs.mjs';
import { CHAT_BODY, startSimulator, startTollgate, tollgateEnv } from './lib/servers.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => /^--([^=]+)=(.*)$/.exec(a)?.slice(1, 3) ?? [a, 'true']));
const rounds = Number(args.rounds ?? 6);
const seconds = Number(args.seconds ?? 6);
const connections = Number(args.connections ?? 32);
const prompt = args.prompt ?? 'fixed';
const sides = ['a', 'b'].map((id) => ({
  id,
  tree: resolve(args[id] ?? '.'),
  nodeArgs: (args[`${id}-node`] ?? '').split(' ').filter(Boolean),
  env: Object.fromEntries((args[`${id}-env`] ?? '').split(',').filter(Boolean).map((kv) => kv.split('='))),
}));
const profileFile = args['profile-b'] ? resolve(args['profile-b']) : undefined;
if (profileFile) sides[1].nodeArgs.push('--expose-gc', '--import', './bench/servers/profile-hook.mjs');

const WORDS = 'budget ledger token stream reserve settle latency cache provider model gateway request answer cost limit window period counter team project user key price usage error retry shard row batch'.split(' ');
let seed = 1;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const sentence = (n) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
const SYSTEM = `You are the support assistant of an engineering team. ${sentence(200)}.`;

/** A body factory per prompt mode; each call is the next request's body. */
function bodies() {
  if (prompt === 'fixed') return () => CHAT_BODY;
  const base = JSON.parse(CHAT_BODY);
  if (prompt === 'unique') {
    let n = 0;
    return () => {
      const messages = [...base.messages, { role: 'user', content: `Question ${n++}: ${sentence(40)}?` }];
      return JSON.stringify({ ...base, messages });
    };
  }
  // conversation: 64 conversations, each request advances one of them by a turn (answer + question);
  // after 20 turns a conversation starts over with new messages.
  const conversations = Array.from({ length: 64 }, () => []);
  let next = 0;
  return () => {
    const history = conversations[next++ % conversations.length];
    if (history.length >= 40) history.length = 0;
    if (history.length > 0) history.push({ role: 'assistant', content: `Answer: ${sentence(60)}.` });
    history.push({ role: 'user', content: `Question: ${sentence(30)}?` });
    return JSON.stringify({ ...base, messages: [{ role: 'system', content: SYSTEM }, ...history] });
  };
}

async function run(side, key) {
  const pid = side.gw.proc.pid;
  const body = bodies();
  const cpu0 = cpuMs(pid);
  const rss = sampleRss(pid);
  const r = await autocannon({
    url: `${side.gw.origin}/openai/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
    connections,
    duration: seconds,
    timeout: 10,
  });
  const cpu = cpuMs(pid) - cpu0;
  return { rps: r['2xx'] / r.duration, ok: r['2xx'], bad: r.non2xx + r.errors + r.timeouts, cpuUs: (cpu * 1000) / Math.max(1, r['2xx']), rss: rss() };
}

const logDir = mkdtempSync(join(tmpdir(), 'tollgate-ab-'));
let storage;
process.once('SIGINT', () => {
  killAllNow();
  dropBenchStorage(storage).finally(() => process.exit(130));
});
try {
  storage = await createBenchStorage();
  const sim = await startSimulator({ cwd: sides[0].tree, env: {}, logDir });
  const env = tollgateEnv(storage, sim);
  for (const side of sides) {
    // One after the other: both migrate the same database at start.
    const sideEnv = { ...env, ...side.env, ...(profileFile && side.id === 'b' ? { BENCH_CPUPROFILE: profileFile } : {}) };
    side.gw = await startTollgate({ cwd: side.tree, env: {}, logDir }, sideEnv, { name: `tollgate-${side.id}`, nodeArgs: side.nodeArgs });
  }
  const { secret } = await createBudgetedKey(sides[0].gw.origin, env.TOLLGATE_ADMIN_TOKEN);
  for (const side of sides) side.idleRss = rssMb(side.gw.proc.pid);
  console.log(`prompt=${prompt} rounds=${rounds} seconds=${seconds} connections=${connections}; logs in ${logDir}`);
  for (const side of sides) console.log(`  ${side.id}: ${side.tree} ${side.nodeArgs.join(' ')} ${JSON.stringify(side.env)} (idle RSS ${side.idleRss.toFixed(0)} MB)`);
  for (const side of sides) await run({ ...side }, secret); // warm-up
  const results = { a: [], b: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const profiling = profileFile && side.id === 'b' && round === rounds - 1;
      if (profiling) side.gw.proc.child.kill('SIGUSR2');
      const r = await run(side, secret);
      if (profiling) {
        side.gw.proc.child.kill('SIGUSR2');
        await new Promise((res) => setTimeout(res, 3000)); // the hook writes the profile
      }
      results[side.id].push(r);
      console.log(`round ${round + 1} ${side.id}: ${r.rps.toFixed(0).padStart(5)} req/s  cpu ${r.cpuUs.toFixed(0).padStart(4)} µs/req  rss ${r.rss.toFixed(0)} MB  non-2xx/errors ${r.bad}`);
    }
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const summary = (id, f) => med(results[id].map(f));
  const line = (label, f, digits = 0) => {
    const a = summary('a', f);
    const b = summary('b', f);
    console.log(`${label.padEnd(18)} A ${a.toFixed(digits).padStart(6)}  B ${b.toFixed(digits).padStart(6)}  B/A ${(b / a).toFixed(3)}`);
  };
  console.log('medians over the rounds:');
  line('throughput req/s', (r) => r.rps);
  line('CPU µs/req', (r) => r.cpuUs);
  line('max RSS MB', (r) => r.rss);
  // Per round, B against the A run next to it: the ratio is less exposed to slow drifts.
  const ratios = results.b.map((r, i) => r.cpuUs / results.a[i].cpuUs);
  console.log(`CPU B/A per round: ${ratios.map((x) => x.toFixed(3)).join(' ')}; median ${med(ratios).toFixed(3)}`);
} finally {
  await stopAll();
  await dropBenchStorage(storage);
}
