/**
 * What the caller's fail mode acts on: `BudgetStoreUnavailableError`, for every store call
 * (seeding a lost counter included) when Redis cannot answer, with a message that names the
 * operation and the cause whatever shape the cause has; and Redis's replies that mean "try
 * later" (LOADING, READONLY, ...) mapped to it, while a reply that means a bug is not.
 */
import net from 'node:net';
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { BudgetStoreUnavailableError } from '../../src/budgets/errors.js';
import { storeError } from '../../src/budgets/redis-client.js';
import { RedisBudgetStore } from '../../src/budgets/redis-store.js';
import { NOW, rule } from './store-contract.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('BudgetStoreUnavailableError', () => {
  it('names the operation and the cause, whatever the cause is', () => {
    const fromError = new BudgetStoreUnavailableError('reserve', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    expect(fromError.message).toBe('budget store unavailable during reserve: connect ECONNREFUSED 127.0.0.1:6379');
    expect(new BudgetStoreUnavailableError('settle', 'Connection is closed.').message).toBe(
      'budget store unavailable during settle: Connection is closed.',
    );
    const bare = new BudgetStoreUnavailableError('status');
    expect(bare.message).toBe('budget store unavailable during status');
    expect(bare.cause).toBeUndefined();
    expect(bare).toMatchObject({ name: 'BudgetStoreUnavailableError', code: 'TG_BUDGET_STORE_UNAVAILABLE' });
  });

  it('Redis replies that mean "cannot serve now" are unavailability; others are bugs, passed through', () => {
    for (const reply of ['LOADING Redis is loading the dataset in memory', 'READONLY You can\'t write against a read only replica.', 'OOM command not allowed']) {
      const mapped = storeError('reserve', new ReplyError(reply));
      expect(mapped).toBeInstanceOf(BudgetStoreUnavailableError);
      expect((mapped as Error).message).toBe(`budget store unavailable during reserve: ${reply}`);
    }
    const bug = new ReplyError('ERR Error running script: attempt to compare nil with number');
    expect(storeError('settle', bug)).toBe(bug);
    // Anything that is not a reply (a socket error, a timeout, a non-Error) is unavailability.
    expect(storeError('status', 'socket closed')).toBeInstanceOf(BudgetStoreUnavailableError);
  });

  it('seeding a counter while Redis is unreachable rejects with it, at once', async () => {
    const store = new RedisBudgetStore({ redis: { host: '127.0.0.1', port: await closedPort() } });
    try {
      const r = rule();
      const err = await store.seedSpent(r, r.entityId, 'd:2026-11-22', 5n, 'org-1', NOW).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BudgetStoreUnavailableError);
      expect((err as Error).message).toMatch(/^budget store unavailable during seedSpent/);
    } finally {
      await store.close();
    }
  });

  it('seeding refuses a period that ended long ago, without asking Redis', async () => {
    const store = new RedisBudgetStore({ redis: { host: '127.0.0.1', port: await closedPort() } });
    try {
      const r = rule();
      expect(await store.seedSpent(r, r.entityId, 'd:2026-11-01', 5n, 'org-1', NOW)).toBe(false);
    } finally {
      await store.close();
    }
  });
});
