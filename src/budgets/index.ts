/**
 * Budgets: periods, the store contract, and its two implementations (Redis, in process).
 * Callers import from here; the modules behind it may move.
 */
export * from './types.js';
export { BudgetStoreUnavailableError } from './errors.js';
export { periodWindow, windowOfPeriodId, type PeriodWindow } from './periods.js';
export { DEFAULT_KEY_PREFIX, SHARD_COUNT, shardOf, usageStreamKeys } from './keys.js';
export { MAX_NANO } from './plan.js';
export { MemoryBudgetStore } from './memory-store.js';
export { RedisBudgetStore, type RedisBudgetStoreOptions } from './redis-store.js';
export { MemoryUsageQueue, type UsageEntry, type UsageQueue } from './usage-queue.js';
export { RedisUsageQueue, USAGE_GROUP } from './usage-queue-redis.js';
