// The parts of the metrics module that need no gateway: the fast series against prom-client's
// own output, bounded model labels, budget utilization per level, and the PromQL reader the
// dashboard test relies on (it must not pass by reading nothing).
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KeyContext } from '../../src/auth/key-store.js';
import { BudgetDirectory, type BudgetRow } from '../../src/budgets/directory.js';
import { MemoryBudgetStore } from '../../src/budgets/memory-store.js';
import { BudgetUtilization } from '../../src/metrics/budget-utilization.js';
import { defineMetrics } from '../../src/metrics/definitions.js';
import { FastCounter, FastHistogram } from '../../src/metrics/fast.js';
import { ModelLabels } from '../../src/metrics/series.js';
import { PriceCatalog } from '../../src/pricing/index.js';
import { checkQuery, readExposition, readQuery } from './promql.js';

describe('fast series', () => {
  it('a FastHistogram scrapes exactly like a prom-client Histogram fed the same values', async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const values = [0, 0.0005, 0.001, 0.005, 0.05, 0.5, 0.99, 1, 3, 120];
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new FastHistogram(ours, 'h_seconds', 'help', ['a', 'b'], buckets);
    const reference = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['a', 'b'], buckets, registers: [theirs] });
    const series = fast.series('x', 'y "quoted"');
    for (const v of values) {
      series.observe(v);
      reference.observe({ a: 'x', b: 'y "quoted"' }, v);
    }
    series.observe(Number.NaN); // ignored, never a poisoned sum
    series.observe(-1);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('a FastCounter keeps one series per label values and ignores negative increments', async () => {
    const registry = new Registry();
    const counter = new FastCounter(registry, 'c_total', 'help', ['status']);
    counter.series('200').inc();
    counter.series('200').inc(2);
    counter.series('429').inc();
    counter.series('429').inc(-5);
    expect(await registry.metrics()).toBe('# HELP c_total help\n# TYPE c_total counter\nc_total{status="200"} 3\nc_total{status="429"} 1\n');
  });
});

describe('model labels', () => {
  it('the catalog id for a priced model, "other" for anything else, "none" without a model', () => {
    const labels = new ModelLabels(new PriceCatalog(), 3);
    expect(labels.label('openai', 'gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(labels.label('openai', 'made-up-model-1')).toBe('other');
    expect(labels.label('openai', undefined)).toBe('none');
    // Past the cache bound answers stay right (asked of the catalog each time).
    for (let i = 0; i < 10; i++) expect(labels.label('openai', `invented-${i}`)).toBe('other');
    expect(labels.label('gemini', 'gemini-2.5-flash')).toBe('gemini-2.5-flash');
  });
});

describe('budget utilization per level', () => {
  const row = (over: Partial<BudgetRow>): BudgetRow => ({
    id: 'b',
    level: 'key',
    entityId: 'k1',
    appliesTo: null,
    period: 'total',
    timezone: 'UTC',
    limitUsd: '1',
    hard: true,
    thresholds: [],
    modelScope: null,
    providerScope: null,
    failMode: null,
    ...over,
  });
  const key = (keyId: string): KeyContext => ({ keyId, name: keyId, prefix: keyId, organizationId: 'org1', teamId: 'team1', allowedModels: [], allowedProviders: [] });

  it('max utilization, exhausted and tracked counts per level, from the budgets of recent keys, no ids as labels', async () => {
    const store = new MemoryBudgetStore();
    const directory = new BudgetDirectory();
    directory.replace([
      row({ id: 'own-k1', entityId: 'k1', limitUsd: '1' }),
      row({ id: 'team-default', level: 'team', entityId: 'team1', appliesTo: 'key', limitUsd: '2' }),
      row({ id: 'team-own', level: 'team', entityId: 'team1', limitUsd: '10' }),
    ]);
    const registry = new Registry();
    const metrics = defineMetrics(registry, { ledger: { rowsWritten: 0, writeErrors: 0, queueErrors: 0, deadLettered: 0, lagMs: () => -1 }, outstanding: () => 0 });
    const utilization = new BudgetUtilization({ directory, store, metrics });
    const now = new Date();
    const spend = async (k: KeyContext, usd: number) => {
      const applied = directory.rulesFor(k, 'openai', 'gpt-4o-mini');
      await store.settle({ shardKey: 'org1', requestId: `r-${k.keyId}-${usd}`, actualNano: BigInt(usd * 1e9), rules: applied.rules, counterEntityIds: applied.counterEntityIds, now, event: {} });
    };
    await spend(key('k1'), 0.5); // k1: own key budget $1 → 0.5; team $10 → 0.05
    await spend(key('k2'), 2); // k2: inherits the team's per-key default $2 → 1.0, exhausted; team: 2.5 of 10
    const before = readExposition(await registry.metrics());
    expect(before.get('tollgate_budget_utilization_max_ratio')).toEqual(new Set(['budget_level']));

    utilization.touch(key('k1'));
    utilization.touch(key('k2'));
    await utilization.sample(now);
    const text = await registry.metrics();
    const value = (name: string, level: string) => Number(new RegExp(`^${name}\\{budget_level="${level}"\\} (\\S+)$`, 'm').exec(text)![1]);
    expect(value('tollgate_budget_utilization_max_ratio', 'key')).toBe(1);
    expect(value('tollgate_budgets_tracked', 'key')).toBe(2);
    expect(value('tollgate_budgets_exhausted', 'key')).toBe(1);
    expect(value('tollgate_budgets_tracked', 'team')).toBe(1);
    expect(value('tollgate_budget_utilization_max_ratio', 'team')).toBeCloseTo(0.25);
    expect(value('tollgate_budgets_tracked', 'organization')).toBe(0);
    expect(text).not.toMatch(/k1|k2|team1|org1|own-k1/);
    await store.close();
  });
});

describe('the PromQL reader', () => {
  it('finds metric names, selector labels and grouping labels; skips functions, numbers, strings and ranges', () => {
    const refs = readQuery('histogram_quantile(0.95, sum by (le, gen_ai_system) (rate(a_bucket{x=~"$v|y", z!="1e9"}[5m]))) * 1e3 / on(instance) group_left b_total offset 1h');
    expect(refs.metrics).toEqual([{ name: 'a_bucket', labels: ['x', 'z'] }, { name: 'b_total', labels: [] }]);
    expect(refs.grouping).toEqual(['le', 'gen_ai_system', 'instance']);
  });

  it('reports a metric that is not exported, and a label a metric does not carry', () => {
    const exported = readExposition('m_total{a="1"} 2\nh_bucket{a="1",le="+Inf"} 1\n');
    expect(checkQuery('sum by (a) (rate(m_total[5m]))', exported)).toEqual([]);
    expect(checkQuery('sum(rate(missing_total[5m]))', exported)).toEqual(['sum(rate(missing_total[5m])): metric missing_total is not exported']);
    expect(checkQuery('sum by (b) (m_total)', exported)).toEqual(['sum by (b) (m_total): m_total has no label b']);
    expect(checkQuery('m_total{c="x"}', exported)).toEqual(['m_total{c="x"}: m_total has no label c']);
    expect(checkQuery('histogram_quantile(0.9, sum by (le, instance) (rate(h_bucket[1m])))', exported)).toEqual([]);
  });
});
