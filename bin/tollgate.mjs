#!/usr/bin/env node
// The `tollgate` command. TypeScript sources run through tsx, so a checkout needs no build.
import { register } from 'tsx/esm/api';
import { ensurePrismaClient } from './ensure-client.mjs';

ensurePrismaClient();
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
