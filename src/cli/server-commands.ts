import { loadConfig } from '../config/load.js';
import { openStorage } from '../runtime/storage.js';
import { startGateway } from '../runtime/gateway.js';
import { runSimulatorCli } from '../simulator/cli.js';
import { parse, type Command } from './context.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the gateway (embedded storage and the simulator when nothing is configured)',
  usage: `Usage:
  tollgate start

  Reads gateway.config.yaml (or TOLLGATE_CONFIG), applies database migrations, and serves
  until SIGINT/SIGTERM. HOST and PORT override the listener; DATABASE_URL and REDIS_URL
  select PostgreSQL and Redis instead of the embedded stores.

  On SIGTERM or SIGINT it stops accepting connections, lets in-flight requests and streams
  finish for up to server.shutdownGraceMs (TOLLGATE_SHUTDOWN_GRACE_MS, default 30000),
  writes the queued usage rows to the ledger, and exits 0. A second signal stops at once.
  Exit codes: 0 after a graceful stop, 1 when the gateway cannot start (the error is printed).
`,
  async run(args, ctx) {
    parse(args, {});
    const config = loadConfig({ env: ctx.env, cwd: ctx.cwd });
    // Listening before the gateway starts: a signal that arrives while it starts (or just after
    // it printed its address) must still get a graceful stop, not Node's default kill.
    // once: a second signal gets the default action and ends the process at once.
    const signalled = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    const gateway = await startGateway(config, { announce: ctx.stdout }).catch((error: unknown) => {
      // Whatever started before the failure (connections, timers, the ledger loop) would keep
      // the process alive after main() returned 1: end it if it has not ended by itself.
      exitSoon(1);
      throw error;
    });
    await signalled;
    await gateway.close();
    // Everything is closed and the ledger flushed; a handle some library left open must not
    // keep a stopped gateway from exiting.
    exitSoon(0);
    return 0;
  },
};

/** Exits with `code` in a moment unless the process ended by itself first (the timer does not hold it). */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 2_000).unref();
}

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply database migrations (PostgreSQL or the embedded database)',
  usage: `Usage:
  tollgate migrate

  Applies every migration in prisma/migrations that the database has not seen yet.
  Safe to run from several instances at once (an advisory lock serialises them).
`,
  async run(args, ctx) {
    parse(args, {});
    const config = loadConfig({ env: ctx.env, cwd: ctx.cwd });
    const storage = await openStorage(config);
    await storage.close();
    ctx.stdout(`Database is up to date (${storage.kind}).\n`);
    return 0;
  },
};

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run the local upstream simulator (OpenAI, Gemini and xAI APIs)',
  usage: `Usage:
  tollgate simulate [--port 9090] [--host 127.0.0.1] [--chunk-delay-ms N]

  Serves OpenAI at /v1 and /openai/v1, xAI at /xai/v1 and Gemini at /gemini/v1beta with
  realistic JSON and SSE bodies. Point TOLLGATE_*_BASE_URL at it, or let the gateway start
  it by itself when a provider has no key.
`,
  async run(args) {
    return runSimulatorCli(args);
  },
};
