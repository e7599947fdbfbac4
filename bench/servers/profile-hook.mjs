// Preloaded into the profiled Tollgate (`node --import ./bench/servers/profile-hook.mjs ...`).
// The first SIGUSR2 starts the V8 CPU profiler, the second stops it and writes the profile to
// $BENCH_CPUPROFILE, with process.memoryUsage() and the V8 heap space sizes at that moment beside it (<file>.memory.json).
// With --expose-gc it also records memory after a full GC. Unlike --cpu-prof, the profile covers exactly the measured load, not start-up or shutdown.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';

const out = process.env.BENCH_CPUPROFILE;
const session = new Session();
session.connect();
let running = false;
let busy = Promise.resolve();

process.on('SIGUSR2', () => {
  busy = busy.then(async () => {
    if (!running) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      running = true;
      return;
    }
    const { profile } = await session.post('Profiler.stop');
    const memory = { ...process.memoryUsage(), spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size])) };
    // With --expose-gc: what is still referenced after a full collection (live data, not garbage).
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      memory.afterGc = { ...process.memoryUsage() };
    }
    running = false;
    writeFileSync(`${out}.memory.json`, JSON.stringify(memory));
    writeFileSync(out, JSON.stringify(profile));
  });
});
