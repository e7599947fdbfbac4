// `tollgate start` exit codes: non-zero when the gateway cannot start (even though parts of it,
// such as Redis connections and the ledger loop, were already running), 0 after SIGTERM.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { childEnv, spawnGateway, type ChildGateway } from './child-gateway.js';

let database: TestDatabase;
let simulator: Simulator;
const started: ChildGateway[] = [];

beforeAll(async () => {
  [database, simulator] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
});

afterAll(async () => {
  await Promise.all(started.map((g) => g.cleanup()));
  await simulator?.close();
  await database?.drop();
});

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

describe('tollgate start exit codes', () => {
  it('exits 1, naming the cause, when its port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as net.AddressInfo).port;
      const gateway = spawnGateway(childEnv(database.url, simulator, { PORT: String(port) }));
      started.push(gateway);
      const code = await withTimeout(gateway.exited, 30_000, 'exit after a failed start');
      expect(code, gateway.output()).toBe(1);
      expect(gateway.output()).toMatch(/tollgate start: .*EADDRINUSE/);
    } finally {
      holder.close();
    }
  }, 45_000);

  it('exits 1 when the database refuses connections', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve)); // nothing listens there now
    const gateway = spawnGateway(childEnv(`postgresql://postgres@127.0.0.1:${port}/nothing_here`, simulator));
    started.push(gateway);
    expect(await withTimeout(gateway.exited, 30_000, 'exit after a failed start'), gateway.output()).toBe(1);
    expect(gateway.output()).toMatch(/ECONNREFUSED/);
  }, 45_000);

  it('exits 0 after SIGTERM sent the moment it prints its address', async () => {
    const gateway = spawnGateway(childEnv(database.url, simulator));
    started.push(gateway);
    await gateway.listening();
    // No request first: the signal handler must already be in place when the address is printed.
    gateway.child.kill('SIGTERM');
    expect(await withTimeout(gateway.exited, 30_000, 'exit after SIGTERM'), gateway.output()).toBe(0);
  }, 90_000);
});
