/**
 * What the admin commands (hierarchy, budgets, pricing, usage, reconcile) share: opening the
 * configured storage and budget store, telling running gateways about a change, turning the
 * services' validation errors into messages that name the command-line option, and a
 * command built from a map of subcommands so a new one is one entry, help text included.
 */
import { Redis } from 'ioredis';
import { ZodError } from 'zod';
import { RedisBudgetStore } from '../budgets/redis-store.js';
import { loadConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import { createChangeFeed, type ChangeTopic } from '../runtime/change-feed.js';
import { openStorage } from '../runtime/storage.js';
import type { Database } from '../storage/database.js';
import { UsageError, type Command, type CommandContext } from './context.js';

export interface Subcommand {
  /** What follows `tollgate <command> ` in the usage, e.g. `list [--json]`. */
  synopsis: string;
  /** One or more lines explaining it; shown under the synopses. */
  description: string;
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/**
 * A command dispatching on its first argument. The usage is assembled from the map when it
 * is read, so a subcommand added to the map later (e.g. `pricing sync`) shows up in help.
 */
export function subcommandGroup(spec: { name: string; summary: string; subcommands: Record<string, Subcommand>; notes?: string }): Command {
  const { name, subcommands } = spec;
  return {
    name,
    summary: spec.summary,
    get usage() {
      const entries = Object.entries(subcommands);
      const width = Math.max(...entries.map(([sub]) => sub.length));
      const describe = ([sub, s]: [string, Subcommand]) =>
        s.description
          .trimEnd()
          .split('\n')
          .map((line, i) => `  ${(i === 0 ? sub : '').padEnd(width)}  ${line}`)
          .join('\n');
      return [
        'Usage:',
        ...entries.map(([, s]) => `  tollgate ${name} ${s.synopsis}`),
        '',
        ...entries.map(describe),
        ...(spec.notes ? ['', spec.notes.trimEnd()] : []),
        '',
      ].join('\n');
    },
    async run(args, ctx) {
      const [action, ...rest] = args;
      const sub = action !== undefined && Object.hasOwn(subcommands, action) ? subcommands[action] : undefined;
      if (!sub) throw new UsageError(action ? `unknown action "${action}"` : `an action is required (${Object.keys(subcommands).join(', ')})`);
      return sub.run(rest, ctx);
    },
  };
}

export interface Opened {
  config: Readonly<GatewayConfig>;
  storage: Database;
}

/** Loads the configuration, opens (and migrates) the database, and always closes it. */
export async function withStorage<T>(ctx: CommandContext, work: (opened: Opened) => Promise<T>, config = loadConfig({ env: ctx.env, cwd: ctx.cwd })): Promise<T> {
  const storage = await openStorage(config);
  try {
    return await work({ config, storage });
  } finally {
    await storage.close();
  }
}

export function cliConfig(ctx: CommandContext): Readonly<GatewayConfig> {
  return loadConfig({ env: ctx.env, cwd: ctx.cwd });
}

/**
 * Without Redis the budget counters live inside the gateway process: a separate CLI process
 * would read an empty store of its own and report zeros as if they were real.
 */
export const NO_SHARED_STORE =
  'no shared budget store is configured (storage.redisUrl / REDIS_URL is unset), so the budget counters live inside ' +
  'the running gateway process and this command cannot read them. Use the admin API of the running gateway ' +
  '(GET /admin/budgets/<id>/status), or configure Redis.';

export interface SharedStore {
  store: RedisBudgetStore;
  /** A plain connection, for the counter probe of reconciliation. */
  redis: Redis;
  close(): Promise<void>;
}

/** The gateways' Redis budget store under the configured prefix, or undefined without Redis. */
export function openSharedStore(config: Readonly<GatewayConfig>): SharedStore | undefined {
  const url = config.storage.redisUrl;
  if (!url) return undefined;
  const store = new RedisBudgetStore({ url, keyPrefix: config.storage.redisKeyPrefix, onError: () => {} });
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => {}); // a failed command reports the outage; no unhandled-error noise
  return {
    store,
    redis,
    async close() {
      await store.close();
      redis.disconnect();
    },
  };
}

/**
 * Runs `work` with the database and the shared budget store, closing both after. Undefined,
 * with the reason on stderr, when no shared store is configured (the caller exits 1).
 */
export async function withSharedStore<T>(
  ctx: CommandContext,
  command: string,
  work: (opened: Opened & { shared: SharedStore }) => Promise<T>,
): Promise<{ value: T } | undefined> {
  const config = cliConfig(ctx);
  const shared = openSharedStore(config);
  if (!shared) {
    ctx.stderr(`tollgate ${command}: ${NO_SHARED_STORE}\n`);
    return undefined;
  }
  try {
    return { value: await withStorage(ctx, (opened) => work({ ...opened, shared }), config) };
  } finally {
    await shared.close();
  }
}

const PUBLISH_TIMEOUT_MS = 3000;

/**
 * Tells running gateways to reload `topic` now. The change is already stored, so a failed
 * notice is only a warning: gateways pick the change up at their next periodic refresh.
 */
export async function announceChange(config: Readonly<GatewayConfig>, topic: ChangeTopic, ctx: CommandContext): Promise<void> {
  if (!config.storage.redisUrl) return; // no gateway can hear an in-process feed of this process
  const feed = createChangeFeed(config.storage.redisUrl, config.storage.redisKeyPrefix);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      feed.publish(topic),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    ctx.stderr(`warning: could not notify running gateways (${(error as Error).message}); they apply the change at their next refresh.\n`);
  } finally {
    clearTimeout(timer);
    await feed.close();
  }
}

/**
 * A service's zod validation error as a usage error naming the option the user typed
 * (`--limit`), not the service's field name (`limitUsd`).
 */
export function asUsageError(error: unknown, optionOf: Record<string, string>): unknown {
  if (!(error instanceof ZodError)) return error;
  const lines = error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const option = optionOf[String(issue.path[0] ?? '')];
    return `${option ? `${option} (${field})` : field || 'input'}: ${issue.message}`;
  });
  return new UsageError(lines.join('\n'));
}

/** Prisma's unique / foreign-key violations as a sentence; anything else unchanged. */
export function describePrismaError(error: unknown, messages: { conflict?: string; missingReference?: string }): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'P2002' && messages.conflict) return new Error(messages.conflict);
  if ((code === 'P2003' || code === 'P2025') && messages.missingReference) return new Error(messages.missingReference);
  return error;
}

/** JSON for scripts: bigints (nano-USD) as decimal strings, two-space indentation. */
export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function printTable(ctx: CommandContext, rows: readonly (readonly string[])[]): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  for (const row of rows) ctx.stdout(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

export function parseDate(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${option}: not an ISO date or date-time: "${value}"`);
  return date;
}

/** One of `allowed`, or a usage error naming the option and the choices. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
}

export function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new UsageError(`${option} is required`);
  return value;
}

/** Money as the exact decimal string the service returned, marked as USD. */
export function usd(amount: string): string {
  return amount.startsWith('-') ? `-$${amount.slice(1)}` : `$${amount}`;
}
