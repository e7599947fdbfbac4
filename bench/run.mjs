#!/usr/bin/env node
// `npm run bench`: prepares dependencies, then runs the whole benchmark (bench/lib/bench.mjs)
// and rewrites bench/RESULTS.md. Loopback only; every phase bounded in time and requests.
// Knobs (environment): BENCH_ROUNDS (4), BENCH_SECONDS (8 per saturation / fixed-load run),
// BENCH_RATE (300 req/s), BENCH_CONNECTIONS (32), BENCH_SKIP_SUB=1 (skip the Redis and
// ledger micro-benchmarks), BENCH_SKIP_PROFILE=1.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepare } from './lib/setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reexecCode = await prepare(root);
if (reexecCode !== undefined) {
  process.exitCode = reexecCode;
} else {
  // Imported only now: its dependencies (autocannon, pg, ...) exist once prepare() has run.
  const { runBenchmark } = await import('./lib/bench.mjs');
  process.exitCode = await runBenchmark(root);
}
