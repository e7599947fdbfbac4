// The benchmark's own storage: a fresh PostgreSQL database `tollgate_bench_<hex>` (migrated by
// the gateway at start) and a Redis key prefix `tgbench:<hex>:`; both removed at the end. Names
// are hex only, so quoting is safe. The shared servers are never stopped or flushed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchStorage() {
  const id = randomBytes(5).toString('hex');
  const name = `tollgate_bench_${id}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, databaseUrl: url.toString(), redisPrefix: `tgbench:${id}:` };
}

export async function dropBenchStorage(storage) {
  if (!storage) return;
  const results = await Promise.allSettled([admin(`DROP DATABASE IF EXISTS "${storage.name}" WITH (FORCE)`), deleteRedisKeys(storage.redisPrefix)]);
  for (const r of results) if (r.status === 'rejected') console.error(`cleanup: ${r.reason?.message ?? r.reason}`);
  return results[1].status === 'fulfilled' ? results[1].value : 0;
}

async function deleteRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

async function call(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Organization + team + key, and a budget at each level (organization monthly, team weekly,
 * key daily) far above anything the run can spend: every request runs the full reserve and
 * settle against three counters, and none is ever denied.
 */
export async function createBudgetedKey(gatewayUrl, adminToken) {
  const api = (method, path, body) => call(gatewayUrl, adminToken, method, path, body);
  const org = await api('POST', '/admin/organizations', { name: 'bench-org' });
  const team = await api('POST', '/admin/teams', { organizationId: org.id, name: 'bench-team' });
  const key = await api('POST', '/admin/keys', { name: 'bench-key', team: team.id, organizationId: org.id });
  const budgets = [];
  for (const [level, entityId, period] of [
    ['organization', org.id, 'monthly'],
    ['team', team.id, 'weekly'],
    ['key', key.id, 'daily'],
  ]) {
    budgets.push(await api('POST', '/admin/budgets', { level, entityId, period, limitUsd: '1000000', hard: true }));
  }
  return { secret: key.secret, keyId: key.id, organizationId: org.id, budgets, api };
}

/** Rows in the bench database's ledger table. */
export async function ledgerRows(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM "UsageRecord"');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/** Waits (bounded) until the ledger holds at least `expected` rows; returns the count seen. */
export async function waitForLedger(databaseUrl, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let n = await ledgerRows(databaseUrl);
  while (n < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    n = await ledgerRows(databaseUrl);
  }
  return n;
}
