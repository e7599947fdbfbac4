// Generates the Prisma client (src/generated/prisma, not committed) when it is missing or older
// than the schema. Offline: the client uses the query compiler, no engine download.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = join(root, 'prisma', 'schema.prisma');
const generated = join(root, 'src', 'generated', 'prisma');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

export function ensurePrismaClient() {
  if (existsSync(join(generated, 'client.ts')) && newestMtime(generated) >= statSync(schema).mtimeMs) return;
  console.error('tollgate: generating the Prisma client (first run)');
  const prisma = join(root, 'node_modules', 'prisma', 'build', 'index.js');
  const run = spawnSync(process.execPath, [prisma, 'generate'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (run.status !== 0) throw new Error('`prisma generate` failed');
}
