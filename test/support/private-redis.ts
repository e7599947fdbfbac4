// A private redis-server child process for tests that need Redis to die and come back. The
// shared Redis must never be stopped or flushed; this one belongs to the test that started it:
// no persistence, its own free port, killed in afterAll (stop() is safe to call twice).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { closedPort } from './ports.js';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: Redis dies, it does not shut down politely) and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  restart(): Promise<void>;
  readonly running: boolean;
}

/** True when something on `port` answers PING with PONG within `timeoutMs`. */
function pings(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function spawnServer(port: number): ChildProcess {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  child.on('error', () => {}); // reported by the readiness wait below
  // Should the test process end without afterAll (a crash), the server must not outlive it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  return child;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`private redis: ${what} within ${timeoutMs} ms`);
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  let port = await closedPort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const spawned = spawnServer(port);
    child = spawned;
    await waitUntil(async () => spawned.exitCode === null && (await pings(port, 500)), 10_000, `no PONG on port ${port}`);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await start();
  } catch {
    // The port was taken between closedPort() and the spawn: try once more on another.
    await kill();
    port = await closedPort();
    await start();
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    get running() {
      return child !== undefined && child.exitCode === null;
    },
  };
}
