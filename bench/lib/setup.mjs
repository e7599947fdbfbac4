// Before anything runs: the root dependencies (a fresh clone), Node 22+ (the npm scripts run
// on the Node 24 binary the root `npm ci` installs), the bench's own dependencies from
// bench/package-lock.json, and the generated Prisma client.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function run(command, args, cwd, timeoutMs) {
  console.log(`$ ${[command, ...args].join(' ')}   (in ${cwd})`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal ?? result.error?.message})`);
}

/** Returns an exit code when the runner re-ran itself on another Node binary, else undefined. */
export async function prepare(root) {
  const bench = join(root, 'bench');
  if (!existsSync(join(root, 'node_modules', 'tsx'))) run('npm', ['ci', '--no-audit', '--no-fund'], root, 600_000);

  const major = Number(process.versions.node.split('.')[0]);
  const node24 = join(root, 'node_modules', '.bin', 'node');
  if (major < 22 && existsSync(node24) && !process.env.TOLLGATE_BENCH_REEXEC) {
    console.log(`node ${process.version} is too old for the gateway; re-running with ${node24}`);
    const again = spawnSync(node24, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, TOLLGATE_BENCH_REEXEC: '1' } });
    return again.status ?? 1;
  }

  const lock = join(bench, 'package-lock.json');
  const installed = join(bench, 'node_modules', '.package-lock.json');
  if (!existsSync(lock)) {
    run('npm', ['install', '--prefix', bench, '--ignore-scripts', '--no-audit', '--no-fund'], root, 300_000);
  } else if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
    // --ignore-scripts: Portkey's only install script is `patch-package`, with no patches shipped.
    run('npm', ['ci', '--prefix', bench, '--ignore-scripts', '--no-audit', '--no-fund'], root, 300_000);
  }

  const { ensurePrismaClient } = await import(pathToFileURL(join(root, 'bin', 'ensure-client.mjs')).href);
  ensurePrismaClient();
  return undefined;
}
