import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../support/admin.js';
import { eventually } from '../support/faults.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  a = await startTestGateway();
  b = await startTestGateway({ shareWith: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'price me' }] });

async function call(t: TestGateway, model: string) {
  const response = await fetch(`${t.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(chat(model)),
  });
  const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return { status: response.status, cost: response.headers.get('x-tollgate-cost-usd'), usage: body.usage, requestId: response.headers.get('x-request-id')! };
}

/** $X per 1M tokens, exact, for the test's expectations: integer micro-dollars keep it exact. */
function expected(usage: { prompt_tokens: number; completion_tokens: number }, inputMicro: number, outputMicro: number): string {
  const atto = BigInt(usage.prompt_tokens) * BigInt(inputMicro) * 1_000_000n + BigInt(usage.completion_tokens) * BigInt(outputMicro) * 1_000_000n;
  const text = atto.toString().padStart(19, '0');
  return `${text.slice(0, -18)}.${text.slice(-18)}`.replace(/0+$/, '').replace(/\.$/, '').replace(/^0+(?=\d)/, '');
}

/**
 * Waits until `check` holds: a price reload after a change notice, or a ledger flush. The
 * deadline leaves room for a loaded machine; a change that never arrives still fails.
 */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  await eventually(async () => ((await check()) ? true : undefined), what, 20_000);
}

// Above the 20 s deadline of `until`.
describe('the price chain: database, then built-in, then a flagged fallback (real PostgreSQL, two instances)', { timeout: 60_000 }, () => {
  it('a built-in price serves a model with no database row', async () => {
    const r = await call(a, 'gpt-4o-mini');
    // gpt-4o-mini built-in: $0.15 in, $0.60 out per 1M (no cached tokens on a short prompt).
    expect(r.cost).toBe(expected(r.usage, 150_000, 600_000));
    expect(a.gateway.catalog.lookup('openai', 'gpt-4o-mini').source).toBe('builtin');
  });

  it('a database row wins over the built-in, on this instance at once and on the other within seconds', async () => {
    await admin(a, 'POST', '/prices', { provider: 'openai', model: 'gpt-4o-mini', rates: { input: '1', output: '2' } });
    const here = await call(a, 'gpt-4o-mini');
    expect(here.cost).toBe(expected(here.usage, 1_000_000, 2_000_000));
    await until(async () => b.gateway.catalog.lookup('openai', 'gpt-4o-mini').source === 'database', 'the other instance reloaded the new price');
    const there = await call(b, 'gpt-4o-mini');
    expect(there.cost).toBe(expected(there.usage, 1_000_000, 2_000_000));
  });

  it('deleting the row falls back to the built-in', async () => {
    await a.gateway.storage.prisma.modelPrice.deleteMany({ where: { providerId: 'openai', model: 'gpt-4o-mini' } });
    await a.gateway.feed.publish('prices');
    await until(
      async () => a.gateway.catalog.lookup('openai', 'gpt-4o-mini').source === 'builtin' && b.gateway.catalog.lookup('openai', 'gpt-4o-mini').source === 'builtin',
      'both instances back on the built-in price',
    );
    const r = await call(b, 'gpt-4o-mini');
    expect(r.cost).toBe(expected(r.usage, 150_000, 600_000));
  });

  it('an unknown model is priced by the fallback and flagged in the ledger, never $0', async () => {
    const r = await call(a, 'totally-new-model-9000');
    expect(r.status).toBe(200);
    expect(Number(r.cost)).toBeGreaterThan(0);
    await until(async () => (await a.gateway.storage.prisma.usageRecord.count({ where: { requestId: r.requestId } })) === 1, 'the ledger row');
    const row = await a.gateway.storage.prisma.usageRecord.findUnique({ where: { requestId: r.requestId } });
    expect(row!.priceSource).toBe('fallback');
  });

  it('the fallback never under-charges a known-expensive family: an unknown OpenAI model costs o1-pro\'s $150 / $600', async () => {
    const r = await call(a, 'gpt-7-pro-preview');
    expect(a.gateway.catalog.lookup('openai', 'gpt-7-pro-preview')).toMatchObject({ source: 'fallback', priceId: 'fallback:openai' });
    // Not the configured $15 / $60 (pricing.fallback*, a floor): the dearest OpenAI built-in, o1-pro.
    expect(r.cost).toBe(expected(r.usage, 150_000_000, 600_000_000));
    const o1pro = await call(a, 'o1-pro');
    expect(a.gateway.catalog.lookup('openai', 'o1-pro').source).toBe('builtin');
    expect(o1pro.cost).toBe(expected(o1pro.usage, 150_000_000, 600_000_000));
    // Every pro model of the reference now has a price of its own, at its list price.
    const pro = await call(a, 'gpt-5.4-pro');
    expect(pro.cost).toBe(expected(pro.usage, 30_000_000, 180_000_000));
    // A provider whose dearest built-in is cheaper than the configured floor gets the floor.
    const gemini = a.gateway.catalog.lookup('gemini', 'gemini-9-ultra');
    expect(gemini).toMatchObject({ source: 'fallback', priceId: 'fallback:gemini' });
    expect(gemini.price.price.rates).toEqual({ input: '15', output: '60' });
  });

  it('an alias from the Model table resolves to its model, and a dated id to its family', async () => {
    await a.gateway.storage.prisma.provider.upsert({ where: { id: 'openai' }, update: {}, create: { id: 'openai', displayName: 'OpenAI' } });
    await a.gateway.storage.prisma.model.create({ data: { providerId: 'openai', name: 'gpt-4o-mini', aliases: ['team-default-model'] } });
    await a.gateway.feed.publish('prices');
    await until(async () => a.gateway.catalog.lookup('openai', 'team-default-model').resolution === 'alias', 'the alias reloaded');
    const aliased = await call(a, 'team-default-model');
    expect(aliased.cost).toBe(expected(aliased.usage, 150_000, 600_000));
    const dated = a.gateway.catalog.lookup('openai', 'gpt-4o-2024-08-06');
    expect(dated).toMatchObject({ resolvedModel: 'gpt-4o', resolution: 'dated', source: 'builtin' });
  });

  it('a new price row with a later effective date takes over at that date', async () => {
    const from = new Date(Date.now() + 1500);
    await admin(a, 'POST', '/prices', { provider: 'openai', model: 'gpt-4.1', rates: { input: '7', output: '9' }, effectiveFrom: from.toISOString() });
    // Asked about an instant just before the effective date, so a slow admin call cannot flip it.
    expect(a.gateway.catalog.lookup('openai', 'gpt-4.1', new Date(from.getTime() - 1)).source).toBe('builtin');
    expect(a.gateway.catalog.lookup('openai', 'gpt-4.1', new Date(from.getTime() + 1)).source).toBe('database');
    await new Promise((r) => setTimeout(r, from.getTime() - Date.now() + 50));
    const r = await call(a, 'gpt-4.1');
    expect(r.cost).toBe(expected(r.usage, 7_000_000, 9_000_000));
  });

  it('the admin API lists prices, shows history and validates the catalog', async () => {
    const history = await admin(a, 'GET', '/prices/openai/gpt-4.1');
    expect(history.map((p: { source: string }) => p.source)).toEqual(['manual', 'builtin']);
    expect((await admin(a, 'GET', '/prices/validate')).valid).toBe(true);
    const listed = await admin(a, 'GET', '/prices?provider=xai');
    expect(listed.length).toBeGreaterThan(3);
    const refused = await fetch(`${a.url}/admin/prices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.gateway.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai', model: 'bad', rates: { input: '-1', output: '2' } }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('rates.input');
  });
});
