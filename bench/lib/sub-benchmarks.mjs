// The existing focused benchmarks, run as child processes (tsx in-process, one PID to kill)
// and their printed figures parsed. Each one creates and removes its own database / Redis keys.
import { readFileSync } from 'node:fs';
import { startNode, stop } from './procs.mjs';
import { REDIS_URL } from './fixture.mjs';

async function runTs(ctx, name, args, timeoutMs) {
  const proc = startNode(name, ['--import', 'tsx', ...args], { ...ctx, env: { ...ctx.env, REDIS_URL } });
  const timer = setTimeout(() => void stop(proc, 5000), timeoutMs);
  const code = await proc.exit;
  clearTimeout(timer);
  const output = readFileSync(proc.logPath, 'utf8');
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${output.split('\n').slice(-15).join('\n')}`);
  return output;
}

const num = (s) => Number(String(s).replace(/,/g, ''));

/** bench/budgets-reserve-settle.ts: per-call p50/p99 of reserve and settle, 1 and 16 in flight. */
export async function reserveSettle(ctx, iterations = 20_000) {
  const output = await runTs({ ...ctx, env: { ...ctx.env, ITERATIONS: String(iterations) } }, 'reserve-settle', ['bench/budgets-reserve-settle.ts'], 180_000);
  const result = { command: `ITERATIONS=${iterations} node --import tsx bench/budgets-reserve-settle.ts`, runs: [] };
  const ping = /baseline PING.*p50 (\d+) µs\s+p99 (\d+) µs/.exec(output);
  if (ping) result.ping = { p50: num(ping[1]), p99: num(ping[2]) };
  let current;
  for (const line of output.split('\n')) {
    const head = /^(\d+) in flight: (\d+) requests in (\d+) ms \((\d+) req\/s\)/.exec(line);
    if (head) result.runs.push((current = { inFlight: num(head[1]), rps: num(head[4]) }));
    const row = /^\s+(reserve|settle|pair)\s+p50\s+(\d+) µs\s+p99\s+(\d+) µs/.exec(line);
    if (row && current) current[row[1]] = { p50: num(row[2]), p99: num(row[3]) };
  }
  if (result.runs.length === 0) throw new Error(`reserve-settle: no figures in its output:\n${output}`);
  return result;
}

/** bench/ledger-throughput.ts: backlog drain rate and live lag. */
export async function ledgerThroughput(ctx, events = 100_000, batchSize = 500, liveRate = 5000, liveSeconds = 10) {
  const args = [events, batchSize, liveRate, liveSeconds].map(String);
  const output = await runTs(ctx, 'ledger-throughput', ['bench/ledger-throughput.ts', ...args], 300_000);
  const backlog = /backlog: ([\d,]+) rows in ([\d.]+) s = ([\d,]+) rows\/s sustained \(batches=(\d+), writeErrors=(\d+)(?:, queueErrors=(\d+), claimed=(\d+))?\)/.exec(output);
  const live = /live: mean ([\d,]+) rows\/s, max lag ([\d,]+) ms/.exec(output);
  const check = /rows=(\d+) distinct=(\d+) appended=(\d+) queue=(\d+)/.exec(output);
  if (!backlog) throw new Error(`ledger-throughput: no figures in its output:\n${output}`);
  return {
    command: `node --import tsx bench/ledger-throughput.ts ${args.join(' ')}`,
    rows: num(backlog[1]),
    seconds: Number(backlog[2]),
    rowsPerSecond: num(backlog[3]),
    writeErrors: num(backlog[5]),
    // Read errors and stale entries taken back: both 0 unless reads fail (see NOTES.md).
    queueErrors: backlog[6] === undefined ? undefined : num(backlog[6]),
    claimed: backlog[7] === undefined ? undefined : num(backlog[7]),
    liveMean: live ? num(live[1]) : undefined,
    liveMaxLagMs: live ? num(live[2]) : undefined,
    check: check ? { rows: num(check[1]), distinct: num(check[2]), appended: num(check[3]), queue: num(check[4]) } : undefined,
  };
}
