import { startSimulator } from './server.js';
import type { SimulatorOptions } from './types.js';

/**
 * `tollgate simulate [--port 9090] [--host 127.0.0.1] [--chunk-delay-ms N] [--first-byte-delay-ms N]`
 * Runs the upstream simulator in the foreground until SIGINT/SIGTERM (or `io.signal` aborts),
 * then closes it. Resolves with the process exit code.
 */

export interface CliIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Stops the simulator like a signal would (tests; embedding in another command). */
  signal?: AbortSignal;
  /** Called once listening, with the URL (tests). */
  onListening?: (url: string) => void;
}

const USAGE = `Usage: tollgate simulate [options]

Serves simulated OpenAI (/v1, /openai/v1), xAI (/xai/v1) and Gemini (/v1beta, /gemini/v1beta) APIs.

Options:
  --port <n>                 port to listen on (default 9090; 0 = any free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --chunk-delay-ms <n>       pause between streamed chunks (default 0)
  --first-byte-delay-ms <n>  pause before every response (default 0)
  -h, --help                 show this help

Magic model names: sim-error-<status>, sim-error-quota, sim-slow, sim-reset-midstream,
sim-no-usage, sim-hang (also usable inside a name, e.g. "gpt-4o-mini+sim-slow").`;

type Parsed = { options: SimulatorOptions } | { help: true } | { error: string };

const NUMERIC: Record<string, 'port' | 'chunkDelayMs' | 'firstByteDelayMs'> = {
  '--port': 'port',
  '--chunk-delay-ms': 'chunkDelayMs',
  '--first-byte-delay-ms': 'firstByteDelayMs',
};

export function parseSimulatorArgs(args: string[]): Parsed {
  const options: SimulatorOptions = { port: 9090 };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (flag !== '--host' && !(flag in NUMERIC)) return { error: `unknown option ${arg}` };
    if (value === undefined || value === '') return { error: `${flag} needs a value` };
    if (flag === '--host') {
      options.host = value;
      continue;
    }
    const n = Number(value);
    const max = flag === '--port' ? 65535 : 3_600_000;
    if (!Number.isInteger(n) || n < 0 || n > max) return { error: `${flag} must be an integer from 0 to ${max}, got "${value}"` };
    options[NUMERIC[flag]!] = n;
  }
  return { options };
}

export async function runSimulatorCli(args: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const parsed = parseSimulatorArgs(args);
  if ('help' in parsed) {
    out(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    err(`tollgate simulate: ${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  let sim;
  try {
    sim = await startSimulator(parsed.options);
  } catch (e) {
    err(`tollgate simulate: cannot listen: ${(e as Error).message}`);
    return 1;
  }
  out(`Tollgate upstream simulator listening on ${sim.url}`);
  out(`  OpenAI  ${sim.baseUrls.openai}`);
  out(`  xAI     ${sim.baseUrls.xai}`);
  out(`  Gemini  ${sim.baseUrls.gemini} (SDK httpOptions.baseUrl; API at ${sim.url}/gemini/v1beta)`);
  io.onListening?.(sim.url);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await sim.close();
  out('Simulator stopped.');
  return 0;
}
