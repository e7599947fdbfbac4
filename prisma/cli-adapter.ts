// Driver adapter for the Prisma CLI only (migrate deploy/status/dev/diff through the WASM schema
// engine). The application itself uses a plain PrismaPg; see src/storage/database.ts.
//
// @prisma/adapter-pg 6.19.3 has three defects that bite the schema engine, worked around here
// (details: /work/shared/reference/prisma-offline.md):
//   1. it cannot decode the catalog types `name` (OID 19) and `"char"` (OID 18) that the schema
//      engine reads while introspecting -> a pg.Client subclass reports them as text (OID 25);
//   2. its shadow database config spreads `{...config, database}`, and pg lets a connectionString
//      win over `database` -> we only ever pass separate host/port/database/user/password fields;
//   3. it drops the shadow database while its own pool is still connected, so the DROP fails and
//      the database leaks -> our connectToShadowDb closes the pool first, then DROP ... WITH (FORCE).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

const TEXT_OID = 25;
/** `"char"` and `name`: catalog-only types the adapter has no decoder for. */
const CATALOG_TEXT_OIDS = new Set([18, 19]);

type FieldLike = { dataTypeID: number };
type ResultLike = { fields?: FieldLike[] } | undefined;

function retypeCatalogFields(result: unknown): unknown {
  // pg returns an array of results for multi-statement text queries.
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as ResultLike[]) {
    for (const field of r?.fields ?? []) {
      if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

/**
 * pg.Client whose results report `name`/`"char"` columns as text. Their wire format already is
 * text, so only the type id that the adapter switches on needs to change.
 */
export class CatalogTextClient extends pg.Client {
  // pg.Client#query has many overloads; pg-pool calls it with a trailing callback, the adapter
  // itself sometimes awaits the promise form. Handle both and pass everything else through.
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) =>
        last(err, err ? res : retypeCatalogFields(res));
      return (super.query as (...a: any[]) => any)(...args);
    }
    const out = (super.query as (...a: any[]) => any)(...args);
    if (out && typeof out.then === 'function' && typeof out.submit !== 'function') {
      return out.then(retypeCatalogFields);
    }
    return out;
  }
}

export interface ConnectionFields {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  /** Prisma's `?schema=` URL parameter, forwarded to the adapter. */
  schema?: string;
  ssl?: boolean;
}

/** Split a postgres:// URL into separate fields (defect 2: never hand pg a connectionString). */
export function parseDatabaseUrl(databaseUrl: string): ConnectionFields {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must be a postgresql:// URL, got ${url.protocol}`);
  }
  const sslmode = url.searchParams.get('sslmode');
  const fields: ConnectionFields = {
    // A `host` query parameter (e.g. a unix socket folder) wins, as in libpq.
    host: url.searchParams.get('host') ?? (url.hostname || 'localhost'),
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(url.username) || 'postgres',
  };
  if (url.password) fields.password = decodeURIComponent(url.password);
  const schema = url.searchParams.get('schema');
  if (schema) fields.schema = schema;
  if (sslmode && sslmode !== 'disable') fields.ssl = true;
  return fields;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function poolConfig(fields: ConnectionFields, database: string): pg.PoolConfig {
  return {
    host: fields.host,
    port: fields.port,
    database,
    user: fields.user,
    password: fields.password,
    ssl: fields.ssl ? { rejectUnauthorized: false } : undefined,
    Client: CatalogTextClient,
    // The CLI never closes the pool; without this every command lingers ~10 s on idle sockets.
    allowExitOnIdle: true,
  };
}

/** Run one statement on a short-lived client that is not part of any adapter pool. */
async function withAdminClient(fields: ConnectionFields, sql: string): Promise<void> {
  const client = new pg.Client({
    host: fields.host,
    port: fields.port,
    database: fields.database,
    user: fields.user,
    password: fields.password,
    ssl: fields.ssl ? { rejectUnauthorized: false } : undefined,
  });
  client.on('error', () => {}); // a lost connection rejects the query below instead
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** PrismaPg with a shadow database that is really separate and really dropped afterwards. */
export class CliPrismaPg extends PrismaPg {
  readonly #fields: ConnectionFields;

  constructor(fields: ConnectionFields) {
    super(poolConfig(fields, fields.database), fields.schema ? { schema: fields.schema } : undefined);
    this.#fields = fields;
  }

  override async connectToShadowDb(): ReturnType<PrismaPg['connectToShadowDb']> {
    const fields = this.#fields;
    const shadow = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
    await withAdminClient(fields, `CREATE DATABASE ${quoteIdent(shadow)}`);
    try {
      const adapter = await new PrismaPg(poolConfig(fields, shadow)).connect();
      const closePool = adapter.dispose.bind(adapter);
      // Close our pool before dropping (defect 3); FORCE also ends any connection we missed.
      adapter.dispose = async () => {
        try {
          await closePool();
        } finally {
          await withAdminClient(fields, `DROP DATABASE IF EXISTS ${quoteIdent(shadow)} WITH (FORCE)`);
        }
      };
      return adapter;
    } catch (err) {
      await withAdminClient(fields, `DROP DATABASE IF EXISTS ${quoteIdent(shadow)} WITH (FORCE)`);
      throw err;
    }
  }
}

/**
 * The WASM schema engine arms 10 s / 60 s timers that keep the CLI process alive after its work
 * is done (measured: `migrate dev` takes ~62 s instead of ~3 s). Unref timers of 10 s or more
 * created while the CLI runs: they still fire if the process is alive for other reasons (open
 * sockets, pending queries), they just no longer hold a finished CLI open. Only ever called from
 * prisma.config.ts's adapter factory, i.e. inside the prisma CLI process, never in the gateway.
 */
export function unrefLongTimers(minDelayMs = 10_000): void {
  const g = globalThis as typeof globalThis & { __tollgateTimersUnrefd?: boolean };
  if (g.__tollgateTimersUnrefd) return;
  g.__tollgateTimersUnrefd = true;
  const wrap = <F extends (...a: any[]) => any>(original: F): F => {
    const wrapped = function (this: unknown, ...args: any[]) {
      const timer = original.apply(this, args);
      if (Number(args[1]) >= minDelayMs && typeof timer?.unref === 'function') timer.unref();
      return timer;
    };
    // Keep util.promisify.custom (used by promisify(setTimeout)) and any other symbol props.
    for (const key of Object.getOwnPropertySymbols(original)) {
      Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key)!);
    }
    return wrapped as unknown as F;
  };
  globalThis.setTimeout = wrap(globalThis.setTimeout);
  globalThis.setInterval = wrap(globalThis.setInterval);
}

export function createCliAdapter(databaseUrl: string): CliPrismaPg {
  return new CliPrismaPg(parseDatabaseUrl(databaseUrl));
}
