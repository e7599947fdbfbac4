#!/usr/bin/env node
// The `tollgate` command. TypeScript sources run through tsx, so a checkout needs no build.
import { register } from 'tsx/esm/api';
import { ensurePrismaClient } from './ensure-client.mjs';

// The gateway caps V8's young generation at 2 × 16 MB. Left to itself, Node sizes it from the
// host's memory (128 MB on a 24 GB machine) and under load keeps all of it: 50-150 MB more
// resident memory for no measurable CPU gain (bench/NOTES.md). Heap limits are fixed when the
// process starts, so `start` re-executes itself once with the flag (same pid, nothing loaded
// yet), unless --max-semi-space-size was given already (node flags or NODE_OPTIONS).
const SEMI_SPACE_FLAG = '--max-semi-space-size';
if (
  process.argv[2] === 'start' &&
  typeof process.execve === 'function' &&
  !process.execArgv.some((a) => a.startsWith(SEMI_SPACE_FLAG)) &&
  !(process.env.NODE_OPTIONS ?? '').includes(SEMI_SPACE_FLAG)
) {
  process.execve(process.execPath, [process.execPath, `${SEMI_SPACE_FLAG}=16`, ...process.execArgv, ...process.argv.slice(1)]);
}

ensurePrismaClient();
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
