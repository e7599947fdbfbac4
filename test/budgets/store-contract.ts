/**
 * The one behaviour both budget stores must have. Registered by redis-store.test.ts and
 * memory-store.test.ts. Each test opens a fresh store (and a peer: a second gateway
 * instance on the same data) and uses its own ids, so tests never see each other's counters.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  BudgetRule,
  BudgetStore,
  CounterEntityIds,
  ReserveInput,
  ReserveResult,
  SettleInput,
} from '../../src/budgets/types.js';

export interface OpenedStore {
  store: BudgetStore;
  /** Another instance over the same data (Redis: another connection; memory: the same). */
  peer: BudgetStore;
  dispose(): Promise<void>;
}

export const NOW = new Date('2026-11-22T12:00:00Z'); // a Sunday
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNIT = 1_000_000n; // $0.001 in nano-USD

export function rule(over: Partial<BudgetRule> = {}): BudgetRule {
  return {
    id: `b-${randomUUID()}`,
    level: 'key',
    entityId: `k-${randomUUID()}`,
    period: 'daily',
    timezone: 'UTC',
    limitNano: 100n * UNIT,
    hard: true,
    thresholds: [],
    ...over,
  };
}

export function contract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name}: budget store contract`, () => {
    let opened: OpenedStore | undefined;
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });
    async function stores(): Promise<OpenedStore> {
      opened = await open();
      return opened;
    }

    // One request's inputs, with fresh ids unless given.
    function req(rules: BudgetRule[], over: Partial<ReserveInput> = {}): ReserveInput {
      return {
        shardKey: 'org-1',
        requestId: randomUUID(),
        amountNano: UNIT,
        rules,
        counterEntityIds: {},
        now: NOW,
        reservationTtlMs: 60_000,
        ...over,
      };
    }
    function settleOf(r: ReserveInput, actualNano = r.amountNano, over: Partial<SettleInput> = {}): SettleInput {
      return {
        shardKey: r.shardKey,
        requestId: r.requestId,
        actualNano,
        rules: r.rules,
        counterEntityIds: r.counterEntityIds,
        now: r.now,
        event: { model: 'gpt-x', costNano: actualNano.toString() },
        ...over,
      };
    }
    async function status(store: BudgetStore, r: BudgetRule, now = NOW, entity = r.entityId) {
      const exact = await store.status(r, entity, now, 'org-1');
      // Without the shard key every shard is read: the same answer.
      expect(await store.status(r, entity, now)).toEqual(exact);
      return exact;
    }
    const admitted = (results: ReserveResult[]): number => results.filter((x) => x.admitted).length;

    it('admits under the limit and reports what remains per rule', async () => {
      const { store } = await stores();
      const key = rule({ limitNano: 100n * UNIT });
      const org = rule({ level: 'organization', entityId: 'org-1', limitNano: 1000n * UNIT });
      const result = await store.reserve(req([key, org], { amountNano: 10n * UNIT }));
      expect(result).toEqual({
        admitted: true,
        remaining: [
          { rule: key, remainingNano: 90n * UNIT },
          { rule: org, remainingNano: 990n * UNIT },
        ],
      });
      expect(await store.reserve(req([], { amountNano: 10n * UNIT }))).toEqual({ admitted: true, remaining: [] });
    });

    it('denies naming the tightest rule, with spent, reserved, limit and reset; holds nothing then', async () => {
      const { store } = await stores();
      const key = rule({ limitNano: 100n * UNIT });
      const team = rule({ level: 'team', entityId: 't-1', limitNano: 120n * UNIT });
      const spend = req([key, team], { amountNano: 60n * UNIT });
      await store.reserve(spend);
      await store.settle(settleOf(spend));
      expect((await store.reserve(req([key, team], { amountNano: 30n * UNIT }))).admitted).toBe(true);
      // key: 100 - 60 - 30 = 10 left; team: 120 - 60 - 30 = 30 left. Both too small for 40.
      const denied = await store.reserve(req([team, key], { amountNano: 40n * UNIT }));
      expect(denied).toEqual({
        admitted: false,
        denied: {
          rule: key,
          spentNano: 60n * UNIT,
          reservedNano: 30n * UNIT,
          limitNano: 100n * UNIT,
          resetAt: new Date('2026-11-23T00:00:00Z'),
        },
      });
      expect((await status(store, team)).reservedNano).toBe(30n * UNIT); // all or none
      // Exactly the room left is admitted: spent + reserved + amount <= limit.
      expect((await store.reserve(req([key, team], { amountNano: 10n * UNIT }))).admitted).toBe(true);
      // An exhausted budget denies even a zero estimate.
      expect((await store.reserve(req([key], { amountNano: 0n }))).admitted).toBe(false);
    });

    it('500 concurrent reserves of 1/100 of the limit: exactly 100 admitted, never above the limit', async () => {
      const { store, peer } = await stores();
      const key = rule({ limitNano: 100n * UNIT });
      const inputs = Array.from({ length: 500 }, () => req([key]));
      const results = await Promise.all(inputs.map((r, i) => (i % 2 ? peer : store).reserve(r)));
      expect(admitted(results)).toBe(100);
      await Promise.all(inputs.filter((_, i) => results[i]!.admitted).map((r, i) => (i % 2 ? peer : store).settle(settleOf(r))));
      const s = await status(store, key);
      expect(s.spentNano).toBe(100n * UNIT);
      expect(s.reservedNano).toBe(0n);
      expect((await store.reserve(req([key]))).admitted).toBe(false);
    });

    it('three levels: the tightest level bounds admission (key 50 < team 100 < org 1000)', async () => {
      const { store, peer } = await stores();
      const key = rule({ limitNano: 50n * UNIT });
      const team = rule({ level: 'team', entityId: 't-1', limitNano: 100n * UNIT });
      const org = rule({ level: 'organization', entityId: 'org-1', limitNano: 1000n * UNIT });
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) => (i % 2 ? peer : store).reserve(req([org, team, key]))),
      );
      expect(admitted(results)).toBe(50);
      for (const r of results) if (!r.admitted) expect(r.denied.rule).toBe(key);
      expect((await status(store, team)).reservedNano).toBe(50n * UNIT);
      expect((await status(store, org)).reservedNano).toBe(50n * UNIT);
    });

    it('three levels: two keys share a team, and the team is the tightest (50 + 50 > 80)', async () => {
      const { store, peer } = await stores();
      const keys = [rule({ limitNano: 50n * UNIT }), rule({ limitNano: 50n * UNIT })];
      const team = rule({ level: 'team', entityId: 't-1', limitNano: 80n * UNIT });
      const org = rule({ level: 'organization', entityId: 'org-1', limitNano: 1000n * UNIT });
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 ? peer : store).reserve(req([keys[i % 2]!, team, org]))),
      );
      expect(admitted(results)).toBe(80);
      expect(results.some((r) => !r.admitted && r.denied.rule === team)).toBe(true);
      expect((await status(store, team)).reservedNano).toBe(80n * UNIT);
    });

    it('a soft budget never denies, but counts and fires its thresholds', async () => {
      const { store } = await stores();
      const soft = rule({ hard: false, limitNano: 100n * UNIT, thresholds: [50, 75, 90, 100] });
      const r = req([soft], { amountNano: 150n * UNIT });
      expect(await store.reserve(r)).toEqual({ admitted: true, remaining: [{ rule: soft, remainingNano: -50n * UNIT }] });
      const settled = await store.settle(settleOf(r, 150n * UNIT));
      expect(settled.crossed.map((c) => c.threshold).sort((a, b) => a - b)).toEqual([50, 75, 90, 100]);
      expect((await store.reserve(req([soft], { amountNano: 10n * UNIT }))).admitted).toBe(true);
      expect((await status(store, soft)).spentNano).toBe(150n * UNIT);
    });

    it('a settle that comes twice counts once and appends one event', async () => {
      const { store, peer } = await stores();
      const key = rule();
      const r = req([key], { amountNano: 10n * UNIT });
      await store.reserve(r);
      expect(await store.settle(settleOf(r, 7n * UNIT))).toEqual({ settled: true, crossed: [] });
      expect(await peer.settle(settleOf(r, 7n * UNIT))).toEqual({ settled: false, crossed: [] });
      const s = await status(store, key);
      expect([s.spentNano, s.reservedNano]).toEqual([7n * UNIT, 0n]);
      expect(await store.usage.length()).toBe(1);
    });

    it('a retried reserve replaces its own hold instead of holding twice', async () => {
      const { store } = await stores();
      const key = rule();
      const r = req([key], { amountNano: 30n * UNIT });
      await store.reserve(r);
      await store.reserve({ ...r, amountNano: 40n * UNIT });
      expect((await status(store, key)).reservedNano).toBe(40n * UNIT);
    });

    it('a settle that never comes: the hold expires after its TTL and the money is free again', async () => {
      const { store } = await stores();
      const key = rule({ limitNano: 100n * UNIT });
      await store.reserve(req([key], { amountNano: 60n * UNIT, reservationTtlMs: 1000 }));
      const later = (ms: number) => new Date(NOW.getTime() + ms);
      expect((await store.reserve(req([key], { amountNano: 60n * UNIT, now: later(999) }))).admitted).toBe(false);
      expect((await status(store, key, later(999))).reservedNano).toBe(60n * UNIT);
      expect((await status(store, key, later(1000))).reservedNano).toBe(0n);
      expect((await store.reserve(req([key], { amountNano: 60n * UNIT, now: later(1000) }))).admitted).toBe(true);
    });

    it('a settle after its hold expired still charges the actual cost, once', async () => {
      const { store } = await stores();
      const key = rule();
      const r = req([key], { amountNano: 60n * UNIT, reservationTtlMs: 1000 });
      await store.reserve(r);
      const late = new Date(NOW.getTime() + 5000);
      expect((await store.settle(settleOf(r, 40n * UNIT, { now: late }))).settled).toBe(true);
      expect((await store.settle(settleOf(r, 40n * UNIT, { now: late }))).settled).toBe(false);
      const s = await status(store, key, late);
      expect([s.spentNano, s.reservedNano]).toEqual([40n * UNIT, 0n]);
    });

    it('each period rolls over at its local reset; total never does', async () => {
      const { store } = await stores();
      const cases: [BudgetRule, Date, Date][] = [
        // 23:59:59 Sunday local in New York, then Monday 00:00 local.
        [rule({ period: 'daily', timezone: 'America/New_York' }), new Date('2026-11-23T04:59:59Z'), new Date('2026-11-23T05:00:00Z')],
        [rule({ period: 'weekly' }), new Date('2026-11-22T23:59:59Z'), new Date('2026-11-23T00:00:00Z')],
        [rule({ period: 'monthly', timezone: 'Asia/Kolkata' }), new Date('2026-11-30T18:29:59Z'), new Date('2026-11-30T18:30:00Z')],
      ];
      for (const [r, before, after] of cases) {
        const spend = req([r], { amountNano: 100n * UNIT });
        await store.reserve(spend);
        await store.settle(settleOf(spend));
        const denied = await store.reserve(req([r], { now: before }));
        expect(denied.admitted).toBe(false);
        if (!denied.admitted) expect(denied.denied.resetAt).toEqual(after);
        expect((await store.reserve(req([r], { now: after }))).admitted).toBe(true);
        expect((await status(store, r, after)).spentNano).toBe(0n);
      }
      const total = rule({ period: 'total' });
      const spend = req([total], { amountNano: 100n * UNIT });
      await store.reserve(spend);
      await store.settle(settleOf(spend));
      const yearLater = await store.reserve(req([total], { now: new Date(NOW.getTime() + 400 * DAY) }));
      expect(yearLater).toMatchObject({ admitted: false, denied: { resetAt: null } });
    });

    it('thresholds 50/75/90/100 are each reported once, even under concurrent settles', async () => {
      const { store, peer } = await stores();
      const key = rule({ limitNano: 100n * UNIT, thresholds: [50, 75, 90, 100], hard: false });
      const inputs = Array.from({ length: 120 }, () => req([key]));
      await Promise.all(inputs.map((r, i) => (i % 2 ? peer : store).reserve(r)));
      const results = await Promise.all(inputs.map((r, i) => (i % 2 ? store : peer).settle(settleOf(r))));
      const crossed = results.flatMap((r) => r.crossed.map((c) => c.threshold)).sort((a, b) => a - b);
      expect(crossed).toEqual([50, 75, 90, 100]);
      // The next period fires them again.
      const tomorrow = req([key], { amountNano: 100n * UNIT, now: new Date(NOW.getTime() + DAY) });
      await store.reserve(tomorrow);
      expect((await store.settle(settleOf(tomorrow))).crossed).toHaveLength(4);
    });

    it('inherited defaults count per child entity', async () => {
      const { store } = await stores();
      const perUser = rule({
        level: 'user', entityId: 't-1', inheritedFrom: { level: 'team', entityId: 't-1' }, limitNano: 10n * UNIT,
      });
      const ids = (user: string): CounterEntityIds => ({ user, team: 't-1' });
      const r1 = req([perUser], { amountNano: 10n * UNIT, counterEntityIds: ids('u-1') });
      expect((await store.reserve(r1)).admitted).toBe(true);
      expect((await store.reserve(req([perUser], { amountNano: 10n * UNIT, counterEntityIds: ids('u-1') }))).admitted).toBe(false);
      expect((await store.reserve(req([perUser], { amountNano: 10n * UNIT, counterEntityIds: ids('u-2') }))).admitted).toBe(true);
      expect((await status(store, perUser, NOW, 'u-1')).reservedNano).toBe(10n * UNIT);
      await expect(store.reserve(req([perUser], { counterEntityIds: {} }))).rejects.toThrow(RangeError);
    });

    it('refuses amounts and limits a counter cannot hold exactly', async () => {
      const { store } = await stores();
      await expect(store.reserve(req([rule({ limitNano: 2n ** 53n })]))).rejects.toThrow(RangeError);
      await expect(store.reserve(req([rule()], { amountNano: -1n }))).rejects.toThrow(RangeError);
    });

    it('amounts near 2^53 nano-USD stay exact', async () => {
      const { store } = await stores();
      const max = 2n ** 53n - 1n;
      const big = rule({ limitNano: max, thresholds: [50] });
      const r = req([big], { amountNano: 2n ** 52n + 1n });
      expect(await store.reserve(r)).toMatchObject({ admitted: true, remaining: [{ remainingNano: max - 2n ** 52n - 1n }] });
      expect((await store.settle(settleOf(r))).crossed.map((c) => c.threshold)).toEqual([50]);
      expect((await status(store, big)).spentNano).toBe(2n ** 52n + 1n);
      expect((await store.reserve(req([big], { amountNano: max - 2n ** 52n - 1n }))).admitted).toBe(true);
      expect((await store.reserve(req([big], { amountNano: 1n }))).admitted).toBe(false);
    });

    it('seedSpent sets a counter only when it does not exist', async () => {
      const { store } = await stores();
      const key = rule({ period: 'monthly' });
      const seed = (r: BudgetRule, periodId: string, spent: bigint) => store.seedSpent(r, r.entityId, periodId, spent, 'org-1', NOW);
      expect(await seed(key, 'm:2026-11', 70n * UNIT)).toBe(true);
      expect(await seed(key, 'm:2026-11', 5n * UNIT)).toBe(false);
      expect((await status(store, key)).spentNano).toBe(70n * UNIT);
      expect((await store.reserve(req([key], { amountNano: 31n * UNIT }))).admitted).toBe(false);
      // A counter that settle created is not overwritten either.
      const other = rule();
      const r = req([other], { amountNano: 3n * UNIT });
      await store.reserve(r);
      await store.settle(settleOf(r));
      expect(await seed(other, 'd:2026-11-22', 9n)).toBe(false);
      expect((await status(store, other)).spentNano).toBe(3n * UNIT);
      // A period long over is not seeded; a malformed period id is refused.
      expect(await seed(key, 'm:2026-01', 1n)).toBe(false);
      await expect(seed(key, 'd:2026-11-22', 1n)).rejects.toThrow(RangeError);
    });

    it('settle appends usage events that can be read, acked, and claimed by another consumer', async () => {
      const { store } = await stores();
      const key = rule();
      const inputs = Array.from({ length: 5 }, () => req([key]));
      for (const r of inputs) {
        await store.reserve(r);
        await store.settle(settleOf(r));
      }
      const q = store.usage;
      expect(await q.length()).toBe(5);
      const first = await q.read('writer-a', 2, 0);
      expect(first).toHaveLength(2);
      expect(first[0]!.event).toEqual({ model: 'gpt-x', costNano: UNIT.toString(), requestId: inputs[0]!.requestId });
      const rest = await q.read('writer-a', 10, 0);
      expect(rest.map((e) => e.event.requestId)).toEqual(inputs.slice(2).map((r) => r.requestId));
      expect(await q.read('writer-a', 10, 0)).toEqual([]);
      await q.ack([...first, rest[0]!].map((e) => e.id));
      expect(await q.length()).toBe(2);
      // writer-a "dies" holding two events; writer-b takes them over.
      const claimed = await q.claimStale('writer-b', 0, 10);
      expect(claimed.map((e) => e.event.requestId).sort()).toEqual(rest.slice(1).map((e) => e.event.requestId).sort());
      expect(await q.claimStale('writer-c', 60_000, 10)).toEqual([]); // not idle long enough
      await q.ack(claimed.map((e) => e.id));
      expect(await q.length()).toBe(0);
    });

    it('events of many organizations (shards) are read exactly once, at most `count` per read', async () => {
      const { store } = await stores();
      const expected = new Set<string>();
      for (let org = 0; org < 6; org++) {
        for (let i = 0; i < 3; i++) {
          const r = req([rule()], { shardKey: `org-${org}-${randomUUID()}` });
          expected.add(r.requestId);
          await store.settle(settleOf(r));
        }
      }
      const seen: string[] = [];
      for (let batch = await store.usage.read('w', 4, 0); batch.length > 0; batch = await store.usage.read('w', 4, 0)) {
        expect(batch.length).toBeLessThanOrEqual(4);
        seen.push(...batch.map((e) => e.event.requestId!));
        await store.usage.ack(batch.map((e) => e.id));
      }
      expect(seen.sort()).toEqual([...expected].sort());
      expect(await store.usage.length()).toBe(0);
    });

    it('a blocking read waits for the next settle', async () => {
      const { store } = await stores();
      const started = Date.now();
      expect(await store.usage.read('writer-a', 10, 150)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      const pending = store.usage.read('writer-a', 10, 5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const r = req([rule()]);
      await store.settle(settleOf(r));
      const events = await pending;
      expect(events.map((e) => e.event.requestId)).toEqual([r.requestId]);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('ping answers', async () => {
      const { store } = await stores();
      expect(await store.ping()).toBe(true);
    });
  });
}
