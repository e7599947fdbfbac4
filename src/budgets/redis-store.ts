/**
 * The budget store on Redis: one Lua call to reserve across every budget of a request, one
 * to settle (charge, alert, append the usage event). Key layout: keys.ts. Scripts: scripts/.
 * Connection behaviour (fail fast, reconnect by itself): redis-client.ts. Failures surface as
 * `BudgetStoreUnavailableError`; the caller applies the fail mode.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import {
  blockingOptions,
  createClient,
  failFastOptions,
  firstAttempt,
  quit,
  storeError,
  whenReady,
  type ConnectionSettings,
} from './redis-client.js';
import {
  DEFAULT_KEY_PREFIX,
  HOLD_KEY_SLACK_MS,
  SETTLED_TTL_MS,
  allShardBases,
  settledKey,
  shardBase,
  streamKey,
} from './keys.js';
import { windowOfPeriodId } from './periods.js';
import { CounterSeeder, type CounterSeeding, type SeedMode } from './seed-counter.js';
import {
  checkNano,
  checkRequestId,
  counterEntity,
  planRule,
  planRules,
  resetAt,
  statusOf,
  type RulePlan,
} from './plan.js';
import type {
  BudgetStatus,
  BudgetStore,
  ReserveInput,
  ReserveResult,
  BudgetRule,
  SettleInput,
  SettleResult,
} from './types.js';
import { RedisUsageQueue } from './usage-queue-redis.js';

export interface RedisBudgetStoreOptions extends ConnectionSettings {
  /** Prefix of every key (default `tg:`); tests use their own. */
  keyPrefix?: string;
  /** Seeds counters Redis does not have from the ledger (seed-counter.ts). */
  seeding?: CounterSeeding;
}

type ScriptName = 'reserve' | 'settle' | 'status' | 'seed';

function loadScript(name: string): string {
  // The scripts are data next to this module; lib.lua holds the helpers they share.
  const read = (file: string): string => readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
  return `${read('lib.lua')}\n${read(`${name}.lua`)}`;
}

type ScriptCall = (numKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

export class RedisBudgetStore implements BudgetStore {
  readonly usage: RedisUsageQueue;
  private readonly redis: Redis;
  private blockingClient: Redis | undefined;
  private readonly prefix: string;
  /** Calls right after boot wait for the first connection attempt (see firstAttempt). */
  private readonly firstConnect: Promise<void>;
  private readonly scripts: Record<ScriptName, ScriptCall>;
  private readonly seeder: CounterSeeder;

  constructor(opts: RedisBudgetStoreOptions = {}) {
    this.prefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.seeder = new CounterSeeder(opts.seeding);
    const options = failFastOptions(opts);
    this.redis = createClient(opts.url, options, opts.onError);
    this.firstConnect = firstAttempt(this.redis, options.connectTimeout!);
    // defineCommand sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted Redis).
    for (const name of ['reserve', 'settle', 'status', 'seed'] as const) {
      this.redis.defineCommand(`tg_budget_${name}`, { lua: loadScript(name) });
    }
    const commands = this.redis as unknown as Record<string, ScriptCall>;
    this.scripts = {
      reserve: commands.tg_budget_reserve!.bind(this.redis),
      settle: commands.tg_budget_settle!.bind(this.redis),
      status: commands.tg_budget_status!.bind(this.redis),
      seed: commands.tg_budget_seed!.bind(this.redis),
    };
    // Blocking reads get their own connection, made on first use.
    const blocking = (): Redis => (this.blockingClient ??= createClient(opts.url, blockingOptions(options), opts.onError));
    this.usage = new RedisUsageQueue(this.redis, blocking, this.prefix);
  }

  /** Resolves true once connected, false if not within `timeoutMs`. */
  ready(timeoutMs = 2000): Promise<boolean> {
    return whenReady(this.redis, timeoutMs);
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    checkRequestId(input.requestId);
    checkNano('amountNano', input.amountNano);
    if (!(input.reservationTtlMs > 0)) throw new RangeError('reservationTtlMs must be positive');
    const base = shardBase(this.prefix, input.shardKey);
    const plans = planRules(base, input.rules, input.counterEntityIds, input.now);
    if (plans.length === 0) return { admitted: true, remaining: [] };
    const now = input.now.getTime();
    const ttl = Math.ceil(input.reservationTtlMs);
    const keys = plans.flatMap((p) => [p.counterKey, p.heldKey, p.expiryKey, p.seedKey]);
    const args = (mode: SeedMode): string[] => [
      String(now),
      input.amountNano.toString(),
      String(now + ttl),
      input.requestId,
      String(ttl + HOLD_KEY_SLACK_MS),
      mode,
      ...plans.flatMap((p) => [p.rule.limitNano.toString(), p.rule.hard ? '1' : '0', ttlArg(p)]),
    ];
    let reply = (await this.call('reserve', keys, args(this.seeder.reserveMode(plans, 0)))) as (number | string)[];
    for (let round = 1; reply[0] === 2; round++) {
      // Counters waiting for their seed: seed each from the ledger, then try again.
      for (let i = 1; i + 1 < reply.length; i += 2) {
        const plan = plans[Number(reply[i]) - 1]!;
        const token = String(reply[i + 1]);
        await this.seeder.seed(
          plan,
          input.counterEntityIds.organization,
          () => this.redis.smembers(plan.lateKey),
          (amount) => this.call('seed', [plan.counterKey, plan.seedKey, plan.lateKey], [token, amount.toString(), ttlArg(plan)]),
        );
      }
      reply = (await this.call('reserve', keys, args(this.seeder.reserveMode(plans, round)))) as (number | string)[];
    }
    if (reply[0] === 0) {
      const plan = plans[Number(reply[1]) - 1]!;
      return {
        admitted: false,
        denied: {
          rule: plan.rule,
          spentNano: BigInt(reply[2]!),
          reservedNano: BigInt(reply[3]!),
          limitNano: plan.rule.limitNano,
          resetAt: resetAt(plan),
        },
      };
    }
    return {
      admitted: true,
      remaining: plans.map((p, i) => ({
        rule: p.rule,
        remainingNano: p.rule.limitNano - BigInt(reply[1 + 2 * i]!) - BigInt(reply[2 + 2 * i]!),
      })),
    };
  }

  async settle(input: SettleInput): Promise<SettleResult> {
    checkRequestId(input.requestId);
    checkNano('actualNano', input.actualNano);
    const base = shardBase(this.prefix, input.shardKey);
    const plans = planRules(base, input.rules, input.counterEntityIds, input.now);
    const keys = [
      settledKey(base, input.requestId),
      streamKey(base),
      ...plans.flatMap((p) => [p.counterKey, p.heldKey, p.expiryKey, p.seedKey, p.lateKey]),
      ...plans.flatMap((p) => p.thresholds.map((t) => t.alertKey)),
    ];
    // The ledger writer is idempotent on requestId, so the event always carries it.
    const event = { ...input.event, requestId: input.requestId };
    const args = [
      String(input.now.getTime()),
      input.actualNano.toString(),
      input.requestId,
      String(SETTLED_TTL_MS),
      String(plans.length),
      this.seeder.settleMode,
      ...plans.flatMap((p) => [
        ttlArg(p),
        String(p.thresholds.length),
        ...p.thresholds.flatMap((t) => [String(t.pct), t.atNano.toString()]),
      ]),
      ...Object.entries(event).flat(),
    ];
    const reply = (await this.call('settle', keys, args)) as (number | string)[];
    if (reply[0] === 0) return { settled: false, crossed: [] };
    const crossed: SettleResult['crossed'] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      crossed.push({ rule: plans[Number(reply[i]) - 1]!.rule, threshold: Number(reply[i + 1]) });
    }
    return { settled: true, crossed };
  }

  async status(rule: BudgetRule, counterEntityId: string, now: Date, shardKey?: string): Promise<BudgetStatus> {
    const bases = shardKey === undefined ? allShardBases(this.prefix) : [shardBase(this.prefix, shardKey)];
    const ids = { [rule.level]: counterEntityId };
    const plans = bases.map((base) => planRules(base, [rule], ids, now)[0]!);
    // Without a shard key these calls go out back to back on one connection (pipelined).
    const replies = (await Promise.all(
      plans.map((p) => this.call('status', [p.counterKey, p.heldKey, p.expiryKey], [String(now.getTime())])),
    )) as number[][];
    const spent = replies.reduce((sum, r) => sum + BigInt(r[0]!), 0n);
    const held = replies.reduce((sum, r) => sum + BigInt(r[1]!), 0n);
    return statusOf(plans[0]!, spent, held);
  }

  async seedSpent(
    rule: BudgetRule,
    entityId: string,
    periodId: string,
    spentNano: bigint,
    shardKey: string,
    now: Date = new Date(),
  ): Promise<boolean> {
    checkNano('spentNano', spentNano);
    const window = windowOfPeriodId(rule.period, rule.timezone, periodId);
    const entity = counterEntity(rule, { [rule.level]: entityId });
    const plan = planRule(shardBase(this.prefix, shardKey), rule, entity, window, now);
    if (plan.counterTtlMs !== null && plan.counterTtlMs <= 0) return false; // long over
    const ttl = plan.counterTtlMs === null ? [] : ['PX', ttlArg(plan)];
    await this.firstConnect;
    try {
      if ((await this.redis.call('SET', plan.counterKey, spentNano.toString(), 'NX', ...ttl)) !== 'OK') return false;
      // Seeded: a reserve must not seed it a second time (keys.ts, "Seeding").
      await this.redis.call('SET', plan.seedKey, 's', ...ttl);
      return true;
    } catch (err) {
      throw storeError('seedSpent', err);
    }
  }

  async ping(): Promise<boolean> {
    try {
      // Right after boot, wait for the first connection attempt: a ping sent before it would
      // report a Redis that is up as down (the client fails fast instead of queueing).
      await this.firstConnect;
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.redis, this.blockingClient].map((c) => (c ? quit(c) : undefined)));
  }

  private async call(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    await this.firstConnect;
    try {
      return await this.scripts[name](keys.length, ...keys, ...args);
    } catch (err) {
      throw storeError(name, err);
    }
  }
}

function ttlArg(plan: RulePlan): string {
  return plan.counterTtlMs === null ? '-1' : String(Math.max(1, Math.ceil(plan.counterTtlMs)));
}
