// Child processes for the benchmark: each server under test in its own process, its output in a
// log file (never an unread pipe), every child killed at the end whatever happened.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const children = new Set();

/** Starts `args` with the current Node binary; stdout and stderr go to `<logDir>/<name>.log`. */
export function startNode(name, args, { cwd, env, logDir }) {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const proc = { name, child, pid: child.pid, logPath, exited: false, code: null };
  proc.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      proc.exited = true;
      proc.code = code ?? signal;
      children.delete(proc);
      resolve(proc.code);
    });
    child.once('error', () => resolve(null));
  });
  children.add(proc);
  return proc;
}

export function logTail(proc, lines = 20) {
  try {
    return readFileSync(proc.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. */
export async function stop(proc, graceMs = 10_000) {
  if (!proc || proc.exited) return proc?.code;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exit;
  clearTimeout(timer);
  return proc.code;
}

/** Every child still running: SIGTERM, then SIGKILL. Used in `finally` and on signals. */
export async function stopAll(graceMs = 10_000) {
  await Promise.all([...children].map((p) => stop(p, graceMs)));
}

/** Last resort when the runner itself is dying: no waiting possible. */
export function killAllNow() {
  for (const p of children) p.child.kill('SIGKILL');
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with a status below 500, within `timeoutMs`. */
export async function waitForHttp(url, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.exited) throw new Error(`${proc.name} exited (${proc.code}) before answering:\n${logTail(proc)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc?.name ?? url} did not answer within ${timeoutMs} ms:\n${logTail(proc)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const TICK = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
}

/** Resident set size in MB, from /proc/<pid>/status. */
export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples RSS every `everyMs` until stopped; returns the maximum seen. */
export function sampleRss(pid, everyMs = 200) {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMb(pid));
    } catch {
      // the process went away; the caller notices
    }
  }, everyMs);
  return () => {
    clearInterval(timer);
    try {
      max = Math.max(max, rssMb(pid));
    } catch {}
    return max;
  };
}

/** Busy CPU time of the whole machine in ms (every core, every process): /proc/stat. */
export function machineCpuMs() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / TICK;
}

/** PIDs whose command name is `comm` (e.g. redis-server, postgres): read-only, from /proc. */
export function pidsByName(comm) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

/** CPU ms of a set of processes; one that exited counts as 0 (pair with the same set). */
export function cpuMsOf(pids) {
  const out = new Map();
  for (const pid of pids) {
    try {
      out.set(pid, cpuMs(pid));
    } catch {
      out.set(pid, Number.NaN);
    }
  }
  return out;
}

/** CPU ms spent between two cpuMsOf() snapshots, over the processes alive in both. */
export function cpuDelta(before, after) {
  let total = 0;
  for (const [pid, ms] of after) if (Number.isFinite(ms) && Number.isFinite(before.get(pid))) total += ms - before.get(pid);
  return total;
}
