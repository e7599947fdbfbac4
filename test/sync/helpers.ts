// Shared set-up of the sync tests: a CLI environment (fresh database, temp folder) whose
// providers point at a running simulator, a config file for the sync section, snapshots of
// the tables a sync may touch (for "changed nothing" checks), and a closed port.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { openCliEnv, type CliEnv } from '../cli/cli-env.js';

export interface SyncEnv {
  cli: CliEnv;
  sim: Simulator;
  cwd: string;
  /** Writes gateway.config.yaml in the CLI's folder (TOLLGATE_CONFIG points at it). */
  writeConfig(config: Record<string, unknown>): void;
  dispose(): Promise<void>;
}

export async function openSyncEnv(): Promise<SyncEnv> {
  const cli = await openCliEnv();
  const sim = await startSimulator({ port: 0 });
  const cwd = cli.env.TOLLGATE_DATA_DIR!;
  Object.assign(cli.env, {
    TOLLGATE_OPENAI_BASE_URL: `${sim.url}/openai/v1`,
    TOLLGATE_GEMINI_BASE_URL: `${sim.url}/gemini/v1beta`,
    TOLLGATE_XAI_BASE_URL: `${sim.url}/xai/v1`,
    OPENAI_API_KEY: 'sk-sync-test',
    GEMINI_API_KEY: 'gemini-sync-test',
    XAI_API_KEY: 'xai-sync-test',
    TOLLGATE_CONFIG: join(cwd, 'gateway.config.yaml'),
  });
  const writeConfig = (config: Record<string, unknown>): void => writeFileSync(cli.env.TOLLGATE_CONFIG!, stringify(config));
  writeConfig({});
  return {
    cli,
    sim,
    cwd,
    writeConfig,
    async dispose() {
      await sim.close();
      await cli.dispose();
    },
  };
}

/** Every row of the tables sync writes (alerts too), ordered, for deep-equal before/after comparisons. */
export async function snapshot(cli: CliEnv) {
  const prisma = cli.database.database.prisma;
  return {
    prices: await prisma.modelPrice.findMany({ orderBy: { id: 'asc' } }),
    models: await prisma.model.findMany({ orderBy: { id: 'asc' } }),
    providers: await prisma.provider.findMany({ orderBy: { id: 'asc' } }),
    alerts: await prisma.budgetAlert.findMany({ orderBy: { id: 'asc' } }),
  };
}

export { closedPort } from '../support/ports.js';

/** The `ALERT {...}` records of a run's stdout. */
export function alerts(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('ALERT '))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, any>);
}
