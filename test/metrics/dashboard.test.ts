// Acceptance: traffic through a real gateway (all three providers, streamed and not, a budget
// denial, a model priced by the fallback), then a scrape of /metrics: every metric the Grafana
// dashboard queries must exist, with every label the query selects on or groups by.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { checkQuery, dashboardQueries, readExposition, readLabelValues } from './promql.js';

let t: TestGateway;
let scrape: string;
let exported: Map<string, Set<string>>;

async function post(path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const chat = (model: string, stream: boolean) => ({ model, stream, max_tokens: 20, messages: [{ role: 'user', content: 'Say hello' }] });
const gemini = { contents: [{ parts: [{ text: 'Say hello' }] }] };

/** The value of one sample, by exact name and label subset. */
function sample(name: string, labels: Record<string, string>): number | undefined {
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

beforeAll(async () => {
  t = await startTestGateway();
  const answers = [
    await post('/openai/v1/chat/completions', bearer(t.key), chat('gpt-4o-mini', false)),
    await post('/openai/v1/chat/completions', bearer(t.key), chat('gpt-4o-mini', true)),
    await post('/xai/v1/chat/completions', bearer(t.key), chat('grok-4', false)),
    await post('/xai/v1/chat/completions', bearer(t.key), chat('grok-4', true)),
    await post('/gemini/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': t.key }, gemini),
    await post('/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', { 'x-goog-api-key': t.key }, gemini),
    // Unknown to the catalog: priced by the fallback, labelled "other".
    await post('/openai/v1/chat/completions', bearer(t.key), chat('tollgate-unlisted-model', false)),
  ];
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);

  // A key whose own budget is spent: denied with 429, counted by level.
  const key = await admin(t, 'POST', '/keys', { name: 'metrics-denied' });
  await admin(t, 'POST', '/budgets', { level: 'key', entityId: key.id, period: 'daily', limitUsd: '0' });
  expect((await post('/openai/v1/chat/completions', bearer(key.secret), chat('gpt-4o-mini', false))).status).toBe(429);
  // A wrong key never reaches accounting; the HTTP counter still sees it.
  expect((await post('/openai/v1/chat/completions', bearer('tg_not_a_key'), chat('gpt-4o-mini', false))).status).toBe(401);

  // Tokens and cost are counted when the settle lands, just after each response. The
  // reconciliation gauges appear once the first pass has completed; a pass that failed on a
  // loaded machine is retried after 10 s, hence the 30 s deadline.
  const deadline = Date.now() + 30_000;
  for (;;) {
    scrape = await (await fetch(`${t.url}/metrics`)).text();
    exported = readExposition(scrape);
    const settled = sample('tollgate_cost_usd_total', { gen_ai_request_model: 'other' }) && sample('tollgate_ledger_rows_written_total', {})! >= 7;
    // The dependency gauges are sampled every 5 s, each check bounded by 1 s: a loaded machine
    // can miss one, which the next sample corrects.
    const redisUp = sample('tollgate_dependency_up', { dependency: 'redis' }) === 1;
    const reconciled = sample('tollgate_reconcile_last_success_timestamp_seconds', {})! > 0;
    if ((settled && redisUp && reconciled) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(async () => {
  await t?.close();
});

describe('the Grafana dashboard against a live scrape', () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../grafana/dashboards/tollgate.json', import.meta.url), 'utf8'));
  const { exprs, variables } = dashboardQueries(dashboard);

  it('has queries to check', () => {
    expect(exprs.length).toBeGreaterThan(20);
    expect(variables.length).toBeGreaterThan(0);
  });

  it('every panel query reads only exported metrics, with labels they carry', () => {
    const problems = exprs.flatMap((expr) => checkQuery(expr, exported));
    expect(problems).toEqual([]);
  });

  it('every template variable reads an exported metric and label', () => {
    for (const query of variables) {
      const ref = readLabelValues(query);
      expect(ref, query).toBeDefined();
      expect(exported.get(ref!.metric), query).toBeDefined();
      expect(exported.get(ref!.metric)!.has(ref!.label), query).toBe(true);
    }
  });

  it('the scrape is Prometheus text with the default process metrics', async () => {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    await response.text();
    expect(exported.has('process_cpu_user_seconds_total')).toBe(true);
    expect(exported.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });
});

describe('what the traffic left in the metrics', () => {
  it('requests by provider, catalog model, operation and status', () => {
    expect(sample('tollgate_requests_total', { gen_ai_system: 'openai', gen_ai_request_model: 'gpt-4o-mini', gen_ai_operation_name: 'chat', http_response_status_code: '200' })).toBe(2);
    expect(sample('tollgate_requests_total', { gen_ai_system: 'xai', gen_ai_request_model: 'grok-4', http_response_status_code: '200' })).toBe(2);
    expect(sample('tollgate_requests_total', { gen_ai_system: 'gemini', gen_ai_request_model: 'gemini-2.5-flash', gen_ai_operation_name: 'generate_content' })).toBe(2);
    expect(sample('tollgate_requests_total', { gen_ai_system: 'openai', gen_ai_request_model: 'other', http_response_status_code: '200' })).toBe(1);
    expect(sample('tollgate_requests_total', { gen_ai_system: 'openai', http_response_status_code: '429' })).toBe(1);
    expect(sample('tollgate_http_requests_total', { http_route: '/openai/v1/*', http_response_status_code: '401' })).toBe(1);
    // The model the client invented is never a label.
    expect(scrape).not.toContain('tollgate-unlisted-model');
  });

  it('time to first token for each provider\'s stream, tokens by type, cost, fallback, denial by level', () => {
    // openai also forwarded the fallback-priced call: three upstream exchanges.
    for (const [system, model, forwarded] of [['openai', 'gpt-4o-mini', 3], ['xai', 'grok-4', 2], ['gemini', 'gemini-2.5-flash', 2]] as const) {
      expect(sample('gen_ai_server_time_to_first_token_seconds_count', { gen_ai_system: system, gen_ai_request_model: model }), system).toBe(1);
      expect(sample('gen_ai_client_token_usage_count', { gen_ai_system: system, gen_ai_token_type: 'input' }), system).toBe(2);
      expect(sample('gen_ai_client_token_usage_sum', { gen_ai_system: system, gen_ai_token_type: 'output' }), system).toBeGreaterThan(0);
      expect(sample('tollgate_cost_usd_total', { gen_ai_system: system, gen_ai_request_model: model }), system).toBeGreaterThan(0);
      expect(sample('tollgate_upstream_duration_seconds_count', { gen_ai_system: system }), system).toBe(forwarded);
      expect(sample('tollgate_gateway_overhead_seconds_count', { gen_ai_system: system }), system).toBe(forwarded);
    }
    expect(sample('tollgate_fallback_priced_requests_total', { gen_ai_system: 'openai' })).toBeGreaterThanOrEqual(1);
    expect(sample('tollgate_budget_denials_total', { budget_level: 'key' })).toBe(1);
    expect(sample('tollgate_budget_denials_total', { budget_level: 'team' })).toBe(0);
    expect(sample('tollgate_reservations_outstanding', {})).toBe(0);
    expect(sample('tollgate_dependency_up', { dependency: 'postgresql' })).toBe(1);
    expect(sample('tollgate_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(sample('tollgate_ledger_rows_written_total', {})).toBeGreaterThanOrEqual(7);
    expect(sample('tollgate_database_migrations_pending', {})).toBe(0);
  });
});
