/**
 * Which budgets apply to a request (BudgetDirectory): every own budget of every level of the
 * key's hierarchy, or, for a level without one, the defaults of its nearest ancestor; scoped
 * budgets only for their provider and model. Pure in-memory resolution over Budget rows.
 */
import { describe, expect, it } from 'vitest';
import type { KeyContext } from '../../src/auth/key-store.js';
import { BudgetDirectory, type BudgetRow } from '../../src/budgets/directory.js';

function row(over: Partial<BudgetRow> & Pick<BudgetRow, 'id' | 'level' | 'entityId'>): BudgetRow {
  return {
    appliesTo: null, period: 'daily', timezone: 'UTC', limitUsd: '10', hard: true, thresholds: [],
    modelScope: null, providerScope: null, failMode: null, ...over,
  };
}

const key: KeyContext = {
  keyId: 'k1', name: 'k1', prefix: 'tg_x', organizationId: 'o1', projectId: 'p1', teamId: 't1', userId: 'u1',
  allowedModels: [], allowedProviders: [],
};

function ids(directory: BudgetDirectory, k: KeyContext = key, provider = 'openai', ...model: [string?]): string[] {
  return directory.rulesFor(k, provider, model.length === 0 ? 'gpt-4o' : model[0]).rules.map((r) => r.id);
}

describe('BudgetDirectory', () => {
  it('an entity with several budgets (daily and monthly) gets all of them', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'user-daily', level: 'user', entityId: 'u1' }),
      row({ id: 'user-monthly', level: 'user', entityId: 'u1', period: 'monthly', limitUsd: '100' }),
      row({ id: 'org', level: 'organization', entityId: 'o1' }),
    ]);
    expect(ids(d)).toEqual(['user-daily', 'user-monthly', 'org']);
  });

  it('a level without budgets of its own takes the defaults of its nearest ancestor that has some', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'org-default-for-keys', level: 'organization', entityId: 'o1', appliesTo: 'key' }),
      row({ id: 'team-default-for-keys', level: 'team', entityId: 't1', appliesTo: 'key' }),
    ]);
    const [rule] = d.rulesFor(key, 'openai', 'gpt-4o').rules;
    expect(rule).toMatchObject({ id: 'team-default-for-keys', level: 'key', inheritedFrom: { level: 'team', entityId: 't1' } });
    // A key of another team falls through to the organization's default.
    expect(ids(d, { ...key, keyId: 'k2', teamId: 't2' })).toEqual(['org-default-for-keys']);
  });

  it('an own budget beats any default for the same level', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'org-default-for-keys', level: 'organization', entityId: 'o1', appliesTo: 'key' }),
      row({ id: 'own', level: 'key', entityId: 'k1' }),
    ]);
    expect(ids(d)).toEqual(['own']);
  });

  it('per scope: an own model-scoped budget replaces only the inherited default of that model, never the all-models one', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'org-users-all', level: 'organization', entityId: 'o1', appliesTo: 'user' }),
      row({ id: 'org-users-gpt5', level: 'organization', entityId: 'o1', appliesTo: 'user', modelScope: 'gpt-5' }),
      row({ id: 'own-gpt5', level: 'user', entityId: 'u1', modelScope: 'gpt-5' }),
    ]);
    expect(ids(d, key, 'openai', 'gpt-5')).toEqual(['own-gpt5', 'org-users-all']);
    expect(ids(d, key, 'openai', 'gpt-4o')).toEqual(['org-users-all']);
    // Another user of the organization has no own budget: both defaults.
    expect(ids(d, { ...key, userId: 'u2' }, 'openai', 'gpt-5')).toEqual(['org-users-all', 'org-users-gpt5']);
  });

  it('per scope: the nearest ancestor wins, and a farther one still covers the scopes the nearer one leaves open', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'org-keys-all', level: 'organization', entityId: 'o1', appliesTo: 'key' }),
      row({ id: 'org-keys-xai', level: 'organization', entityId: 'o1', appliesTo: 'key', providerScope: 'xai' }),
      row({ id: 'project-keys-xai-daily', level: 'project', entityId: 'p1', appliesTo: 'key', providerScope: 'xai' }),
      row({ id: 'project-keys-xai-monthly', level: 'project', entityId: 'p1', appliesTo: 'key', providerScope: 'xai', period: 'monthly' }),
    ]);
    expect(ids(d, key, 'xai', 'grok-4')).toEqual(['project-keys-xai-daily', 'project-keys-xai-monthly', 'org-keys-all']);
    expect(ids(d, key, 'openai', 'gpt-4o')).toEqual(['org-keys-all']);
  });

  it('provider- and model-scoped budgets apply only to their provider and model', () => {
    const d = new BudgetDirectory();
    d.replace([
      row({ id: 'openai-only', level: 'key', entityId: 'k1', providerScope: 'openai' }),
      row({ id: 'gpt-4o-only', level: 'key', entityId: 'k1', modelScope: 'gpt-4o' }),
    ]);
    expect(ids(d, key, 'openai', 'gpt-4o')).toEqual(['openai-only', 'gpt-4o-only']);
    expect(ids(d, key, 'openai', 'gpt-4o-mini')).toEqual(['openai-only']);
    expect(ids(d, key, 'gemini', undefined)).toEqual([]);
  });

  it('budgetsOf: a level the request has no entity for has no budgets, not a shared default', () => {
    const d = new BudgetDirectory();
    d.replace([row({ id: 'org-default-for-users', level: 'organization', entityId: 'o1', appliesTo: 'user' })]);
    expect(d.budgetsOf('user', { organization: 'o1', user: 'u9' }).map((r) => r.id)).toEqual(['org-default-for-users']);
    expect(d.budgetsOf('user', { organization: 'o1' })).toEqual([]);
    // A key without a user is not charged to the users' default either.
    expect(ids(d, { ...key, userId: undefined })).toEqual([]);
  });

  it('converts the decimal USD limit to nano-USD exactly, and a shard key of the organization or the key', () => {
    const d = new BudgetDirectory();
    d.replace([row({ id: 'k', level: 'key', entityId: 'k1', limitUsd: '12.345678901' })]);
    const applied = d.rulesFor(key, 'openai', 'gpt-4o');
    expect(applied.rules[0]!.limitNano).toBe(12_345_678_901n);
    expect(applied.shardKey).toBe('o1');
    expect(d.rulesFor({ ...key, organizationId: undefined }, 'openai', 'gpt-4o').shardKey).toBe('k1');
  });

  it('replace() swaps the whole set: a removed budget stops applying', () => {
    const d = new BudgetDirectory();
    d.replace([row({ id: 'old', level: 'key', entityId: 'k1' })]);
    d.replace([row({ id: 'new', level: 'user', entityId: 'u1' })]);
    expect(ids(d)).toEqual(['new']);
  });
});
