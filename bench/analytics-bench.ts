// Analytics at scale: N synthetic usage rows (default 10 million, 90 days, 400 keys in 40
// teams, 12 models of 3 providers) generated in PostgreSQL with generate_series, rolled up
// by the real rollup job, then every analytics endpoint timed over HTTP against a real gateway
// on that database. Targets: each endpoint p95 < 200 ms, the dashboard's data p95 < 500 ms.
// The database is dropped at the end.
//
//   npx tsx bench/analytics-bench.ts [rows=10000000] [samples=40] [--keep]
// (--keep leaves the database for inspection and prints its name; drop it yourself.)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { rollupAll } from '../src/analytics/rollup.js';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/runtime/gateway.js';
import { createTestDatabase } from '../test/support/database.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const KEEP = process.argv.includes('--keep');
const ROWS = Number(args[0] ?? 10_000_000);
const SAMPLES = Number(args[1] ?? 40);
const CHUNK = 1_000_000;
const DAYS = 90;
const TOKEN = 'bench-admin-token-0123456789abcdef';

const MODELS: Array<[provider: string, model: string, inPer1M: string, outPer1M: string]> = [
  ['openai', 'gpt-5', '1.25', '10'], ['openai', 'gpt-5-mini', '0.25', '2'], ['openai', 'gpt-4o', '2.5', '10'], ['openai', 'gpt-4o-mini', '0.15', '0.6'], ['openai', 'gpt-4.1', '2', '8'],
  ['gemini', 'gemini-2.5-pro', '1.25', '10'], ['gemini', 'gemini-2.5-flash', '0.3', '2.5'], ['gemini', 'gemini-2.5-flash-lite', '0.1', '0.4'], ['gemini', 'gemini-2.0-flash', '0.1', '0.4'],
  ['xai', 'grok-4', '3', '15'], ['xai', 'grok-3-mini', '0.3', '0.5'], ['xai', 'grok-code-fast-1', '0.2', '1.5'],
];
const arr = (i: number) => `ARRAY[${MODELS.map((m) => `'${m[i]}'`).join(',')}]`;

const elapsed = (start: number) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

async function main() {
  const db = await createTestDatabase();
  const prisma = db.database.prisma;
  const sql = (text: string, ...params: unknown[]) => prisma.$executeRawUnsafe(text, ...params);
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    console.log(`database ${db.url.split('/').pop()}; ${ROWS.toLocaleString()} rows over ${DAYS} days`);
    // Hierarchy: 5 organizations, 20 projects, 40 teams, 200 users, 400 keys.
    await sql(`INSERT INTO "Organization" (id, name) SELECT 'org-' || g, 'Org ' || g FROM generate_series(0, 4) g`);
    await sql(`INSERT INTO "Project" (id, "organizationId", name) SELECT 'project-' || g, 'org-' || (g / 4), 'Project ' || g FROM generate_series(0, 19) g`);
    await sql(`INSERT INTO "Team" (id, "organizationId", "projectId", name) SELECT 'team-' || g, 'org-' || (g / 8), 'project-' || (g / 2), 'Team ' || g FROM generate_series(0, 39) g`);
    await sql(`INSERT INTO "User" (id, "organizationId", "teamId", name) SELECT 'user-' || g, 'org-' || (g / 40), 'team-' || (g / 5), 'User ' || g FROM generate_series(0, 199) g`);
    await sql(`INSERT INTO "ApiKey" (id, name, prefix, "secretHash", "organizationId", "projectId", "teamId", "userId")
      SELECT 'key-' || g, 'Key ' || g, 'tg_' || lpad(g::text, 8, '0'), md5('key' || g), 'org-' || (g / 80), 'project-' || (g / 20), 'team-' || (g / 10), 'user-' || (g / 2) FROM generate_series(0, 399) g`);
    // Budgets: one monthly per organization, a monthly default for every team of each, and two team budgets of their own.
    await sql(`INSERT INTO "Budget" (id, level, "entityId", "appliesTo", period, "limitUsd", "updatedAt")
      SELECT id, level::"BudgetLevel", entity, applies::"BudgetLevel", period::"BudgetPeriod", lim, now() FROM (
        SELECT 'budget-org-' || g AS id, 'organization' AS level, 'org-' || g AS entity, NULL AS applies, 'monthly' AS period, 50000 AS lim FROM generate_series(0, 4) g
        UNION ALL SELECT 'budget-default-' || g, 'organization', 'org-' || g, 'team', 'monthly', 9000 FROM generate_series(0, 4) g
        UNION ALL SELECT 'budget-team-' || g, 'team', 'team-' || g, NULL, 'daily', 300 FROM generate_series(0, 1) g) b`);

    // Ledger rows, oldest first (ids grow with time, as in production). Secondary indexes are
    // built after the load: much faster than maintaining them row by row.
    const indexes = await prisma.$queryRawUnsafe<Array<{ indexname: string; indexdef: string }>>(
      `SELECT indexname::text AS indexname, indexdef FROM pg_indexes WHERE tablename = 'UsageRecord' AND indexname <> 'UsageRecord_pkey'`,
    );
    for (const index of indexes) await sql(`DROP INDEX "${index.indexname}"`);
    const started = performance.now();
    const now = new Date();
    for (let from = 1; from <= ROWS; from += CHUNK) {
      const to = Math.min(ROWS, from + CHUNK - 1);
      await sql(`
        INSERT INTO "UsageRecord" ("requestId", "createdAt", "apiKeyId", "userId", "teamId", "projectId", "organizationId", provider,
          "requestedModel", "responseModel", endpoint, stream, status, "inputTokens", "cachedInputTokens", "outputTokens", "reasoningTokens",
          "costInputUsd", "costCachedUsd", "costOutputUsd", "costOtherUsd", "costTotalUsd", "priceSource", "costSource", "latencyMs")
        SELECT 'bench-' || g, created, 'key-' || k, 'user-' || (k / 2), 'team-' || (k / 10), 'project-' || (k / 20), 'org-' || (k / 80),
          (${arr(0)})[m], (${arr(1)})[m], (${arr(1)})[m], 'chat', g % 2 = 0, CASE WHEN g % 97 = 0 THEN 500 WHEN g % 131 = 0 THEN 429 ELSE 200 END,
          input, cached, output, CASE WHEN m <= 2 THEN output / 4 ELSE 0 END,
          round((input - cached) * (${arr(2)})[m]::numeric / 1000000, 18), round(cached * (${arr(2)})[m]::numeric / 10000000, 18),
          round(output * (${arr(3)})[m]::numeric / 1000000, 18), 0,
          round((input - cached) * (${arr(2)})[m]::numeric / 1000000 + cached * (${arr(2)})[m]::numeric / 10000000 + output * (${arr(3)})[m]::numeric / 1000000, 18),
          CASE WHEN g % 1000 = 0 THEN 'fallback' ELSE 'builtin' END, 'computed', 80 + (g * 37) % 2500
        FROM (SELECT g, g % 400 AS k, 1 + ((g % 400) + (g % 3) * 4) % 12 AS m,
                     $1::timestamp - make_interval(secs => ($2 - g) * $3::float8) AS created,
                     200 + (g * 7919) % 3000 AS input, CASE WHEN g % 4 = 0 THEN (200 + (g * 7919) % 3000) / 3 ELSE 0 END AS cached,
                     40 + (g * 104729) % 700 AS output
              FROM generate_series($4::bigint, $5::bigint) g) s`,
        now.toISOString(), ROWS, (DAYS * 86_400) / ROWS, from, to);
      process.stdout.write(`\r  inserted ${to.toLocaleString()} rows (${elapsed(started)})`);
    }
    console.log();
    let t = performance.now();
    for (const index of indexes) await sql(index.indexdef);
    await sql(`ANALYZE "UsageRecord"`);
    console.log(`  indexes rebuilt in ${elapsed(t)}`);

    t = performance.now();
    const batches = await rollupAll(prisma, { batchSize: 1_000_000, transactionTimeoutMs: 600_000 });
    const tables = ['UsageHourly', 'UsageDaily', 'UsageHourlyTeam', 'UsageDailyTeam'];
    for (const table of tables) await sql(`ANALYZE "${table}"`);
    const sizes = await Promise.all(tables.map(async (table) => `${table} ${Number((await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM "${table}"`))[0]!.n).toLocaleString()}`));
    console.log(`  rollup: ${batches} batches in ${elapsed(t)}; rows: ${sizes.join(', ')}`);
    // Some alert history for the alerts summary.
    await sql(`INSERT INTO "BudgetAlert" (id, kind, "dedupeKey", "budgetId", level, "entityId", "periodId", threshold, message, details, status, attempts, "createdAt")
      SELECT 'alert-' || g, CASE WHEN g % 10 = 0 THEN 'velocity' ELSE 'threshold' END, 'bench:' || g, 'budget-default-' || (g % 5), 'team', 'team-' || (g % 40),
             'm:2026-11', (ARRAY[50, 75, 90, 100])[1 + g % 4], 'Team reached a threshold', '{}', 'delivered', 1, now() - make_interval(mins => g)
      FROM generate_series(1, 20000) g`);

    const config = loadConfig({ cwd: dataDir, env: { DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', TOLLGATE_DATA_DIR: dataDir, TOLLGATE_ADMIN_TOKEN: TOKEN, TOLLGATE_KEY_SECRET: 'bench-key-secret-0123456789', LOG_LEVEL: 'warn' } });
    gateway = await startGateway(config, { logger: pino({ level: 'warn' }) });
    await quiet(prisma, db.url.split('/').pop()!); // the start-up reconciliation reads the ledger: let it finish first
    await time(gateway.url);
  } finally {
    await gateway?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (KEEP) {
      await db.database.close();
      console.log(`database kept: ${db.url}`);
    } else {
      await db.drop();
      console.log('database dropped');
    }
  }
}

/** Waits until no other session of the bench database is running a query. */
async function quiet(prisma: { $queryRawUnsafe<T>(q: string, ...p: unknown[]): Promise<T> }, database: string) {
  for (let calm = 0; calm < 3; ) {
    await new Promise((r) => setTimeout(r, 500));
    const [row] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`, database);
    calm = Number(row!.n) === 0 ? calm + 1 : 0;
  }
}

const ENDPOINTS: Array<[path: string, limitMs: number]> = [
  ['/usage', 200], ['/usage?groupBy=team', 200], ['/usage?groupBy=model&from=FROM30', 200], ['/usage?groupBy=key&from=FROM90', 200],
  ['/usage?teamId=team-3&groupBy=model&from=FROM90', 200],
  ['/trends?bucket=hour', 200], ['/trends?bucket=hour&from=FROM7&by=provider', 200], ['/trends?bucket=day', 200], ['/trends?bucket=day&from=FROM90&by=model', 200], ['/trends?bucket=week', 200],
  ['/breakdown?by=provider', 200], ['/breakdown?by=model', 200], ['/breakdown?by=team', 200], ['/breakdown?by=user', 200], ['/breakdown?by=key', 200], ['/breakdown?by=project', 200],
  ['/compare?period=day', 200], ['/compare?period=week&by=model', 200], ['/compare?period=month&by=team', 200],
  ['/realtime?minutes=15', 200], ['/realtime?minutes=60', 200],
  ['/recommendations', 200], ['/alerts', 200], ['/budgets', 200], ['/budgets/organization/org-1', 200], ['/budgets/team/team-3', 200],
  ['/dashboard?range=24h', 500], ['/dashboard?range=7d', 500], ['/dashboard?range=30d', 500], ['/dashboard?range=90d', 500],
];

async function time(url: string) {
  const day = 86_400_000;
  const fill = (path: string) => path.replace(/FROM(\d+)/, (_, d: string) => new Date(Date.now() - Number(d) * day).toISOString());
  // The box may be shared: the load says how much else was running while timing.
  console.log(`\nload average before timing: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${'endpoint'.padEnd(52)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}  target`);
  let failed = 0;
  for (const [path, limit] of ENDPOINTS) {
    const target = `${url}/analytics${fill(path)}`;
    const get = async () => {
      const started = performance.now();
      const response = await fetch(target, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = await response.text();
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${body.slice(0, 200)}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) await get();
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push(await get());
    samples.sort((a, b) => a - b);
    const pick = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
    const ok = pick(0.95) < limit;
    if (!ok) failed += 1;
    console.log(`${path.padEnd(52)} ${pick(0.5).toFixed(1).padStart(7)} ${pick(0.95).toFixed(1).padStart(7)} ${samples.at(-1)!.toFixed(1).padStart(7)}  < ${limit} ms ${ok ? 'ok' : 'MISSED'}`);
  }
  console.log(`load average after timing: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(failed === 0 ? '\nevery endpoint within its target' : `\n${failed} endpoint(s) missed their target`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
