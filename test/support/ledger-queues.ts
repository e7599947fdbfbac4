// The two usage queues behind one test harness, so each writer test runs on the real
// Redis-stream queue and on the in-process one: each with its budget store (settle appends
// to it), a dead-letter sink of the same kind, and a way to append entries directly.
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import type { BudgetStore } from '../../src/budgets/types.js';
import type { UsageQueue } from '../../src/budgets/usage-queue.js';
import { MemoryDeadLetters, type DeadLetter, type DeadLetterSink } from '../../src/ledger/dead-letter.js';
import { encodeUsageEvent, type UsageEvent } from '../../src/ledger/event.js';
import type { LedgerEnv } from './ledger-env.js';

export type QueueKind = 'redis' | 'memory';
export const QUEUE_KINDS: readonly QueueKind[] = ['redis', 'memory'];

export interface QueueHarness {
  kind: QueueKind;
  store: BudgetStore;
  queue: UsageQueue;
  deadLetters: DeadLetterSink;
  /** Appends an entry as settle would (no settle marker, so the same event can go twice). */
  append(event: UsageEvent | Record<string, string>): Promise<string>;
  appendMany(events: readonly UsageEvent[]): Promise<void>;
  deadList(): Promise<DeadLetter[]>;
}

export function queueHarness(kind: QueueKind, env: LedgerEnv): QueueHarness {
  if (kind === 'redis') {
    return {
      kind,
      store: env.store,
      queue: env.store.usage,
      deadLetters: env.deadLetters,
      append: (e) => env.append(e),
      appendMany: (events) => env.appendMany(events),
      deadList: () => env.deadLetters.list(),
    };
  }
  const store = new MemoryBudgetStore();
  const dead = new MemoryDeadLetters();
  const fields = (e: UsageEvent | Record<string, string>): Record<string, string> =>
    e.createdAt instanceof Date ? encodeUsageEvent(e as UsageEvent) : (e as Record<string, string>);
  return {
    kind,
    store,
    queue: store.usage,
    deadLetters: dead,
    append: async (e) => store.usage.append(fields(e)),
    appendMany: async (events) => {
      for (const e of events) store.usage.append(encodeUsageEvent(e));
    },
    deadList: async () => dead.entries,
  };
}
