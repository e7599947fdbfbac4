import { xaiModel } from './xai.js';

/**
 * Price documents for `tollgate pricing sync` tests, served beside the provider APIs:
 *   GET /pricing/litellm.json          a price list in LiteLLM's catalog format (USD per token)
 *   GET /pricing/<provider>.html       a provider pricing page (USD per 1M tokens, one table)
 * Query knobs, so a test can provoke a change without files: `scale=<integer percent>`
 * (default 100) multiplies the prices of the models named in `models=a,b` (default all);
 * `garbage=1` (pages only) plants the marker that makes the extraction reply unusable.
 * The figures are the simulator's own models at the built-in list prices (xAI from the same
 * tick table /language-models serves), so an unscaled sync agrees with the built-ins.
 */

type Row = readonly [model: string, input: string, cached: string | undefined, output: string];

const XAI_IDS = ['grok-4.3', 'grok-4-1-fast-reasoning', 'grok-4-1-fast-non-reasoning', 'grok-4-0709', 'grok-code-fast-1', 'grok-3', 'grok-3-mini'];

/** Ticks per token (1e-10 USD) → USD per 1M tokens: ticks / 10^4, as exact text. */
const ticksPer1M = (ticks: number): string => shift(BigInt(ticks), 4);

const PRICES: Readonly<Record<'openai' | 'gemini' | 'xai', readonly Row[]>> = {
  openai: [
    ['gpt-4o', '2.5', '1.25', '10'],
    ['gpt-4o-mini', '0.15', '0.075', '0.6'],
    ['gpt-4.1', '2', '0.5', '8'],
    ['gpt-4.1-mini', '0.4', '0.1', '1.6'],
    ['o3', '2', '0.5', '8'],
    ['o4-mini', '1.1', '0.275', '4.4'],
    ['gpt-5', '1.25', '0.125', '10'],
    ['gpt-5-mini', '0.25', '0.025', '2'],
    ['text-embedding-3-small', '0.02', undefined, '0'],
    ['text-embedding-3-large', '0.13', undefined, '0'],
  ],
  gemini: [
    ['gemini-2.5-pro', '1.25', '0.125', '10'],
    ['gemini-2.5-flash', '0.3', '0.03', '2.5'],
    ['gemini-2.5-flash-lite', '0.1', '0.01', '0.4'],
    ['gemini-2.0-flash', '0.1', '0.025', '0.4'],
    ['gemini-3-pro-preview', '2', '0.2', '12'],
    ['gemini-embedding-001', '0.15', undefined, '0'],
  ],
  xai: XAI_IDS.map((id): Row => {
    const m = xaiModel(id);
    return [id, ticksPer1M(m.input), ticksPer1M(m.cached), ticksPer1M(m.output)];
  }),
};

/** `value` × 10^-places as plain decimal text without trailing zeros. */
function shift(value: bigint, places: number): string {
  const text = value.toString().padStart(places + 1, '0');
  const whole = text.slice(0, text.length - places);
  const frac = text.slice(text.length - places).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** Decimal text × percent / 100, exact at 18 places (enough for any test scale). */
function scaleDecimal(text: string, percent: bigint): string {
  const [whole = '0', frac = ''] = text.split('.');
  const fixed = BigInt(whole) * 10n ** 18n + BigInt(frac.padEnd(18, '0'));
  return shift((fixed * percent) / 100n, 18);
}

function scaled(rows: readonly Row[], query: Record<string, string>): Row[] {
  const percent = /^\d+$/.test(query.scale ?? '') ? BigInt(query.scale!) : 100n;
  const only = query.models ? new Set(query.models.split(',')) : undefined;
  return rows.map((row) => {
    if (percent === 100n || (only && !only.has(row[0]))) return row;
    const [model, input, cached, output] = row;
    return [model, scaleDecimal(input, percent), cached === undefined ? undefined : scaleDecimal(cached, percent), scaleDecimal(output, percent)];
  });
}

/** Per 1M → per token for the catalog, written as a JSON number literal of the exact decimal. */
function perToken(per1M: string): string {
  const [whole = '0', frac = ''] = per1M.split('.');
  return shift(BigInt(`${whole}${frac}`), frac.length + 6);
}

/** OpenAI entries are keyed by bare model id, the others as "<provider>/<model>", as LiteLLM does. */
const KEY_PREFIX = { openai: '', gemini: 'gemini/', xai: 'xai/' } as const;

function litellmCatalog(query: Record<string, string>): string {
  const entries: string[] = [];
  for (const [provider, rows] of Object.entries(PRICES)) {
    for (const [model, input, cached, output] of scaled(rows, query)) {
      const key = `${KEY_PREFIX[provider as keyof typeof KEY_PREFIX]}${model}`;
      const fields = [
        `"litellm_provider": ${JSON.stringify(provider)}`,
        `"mode": ${JSON.stringify(model.includes('embedding') ? 'embedding' : 'chat')}`,
        `"input_cost_per_token": ${perToken(input)}`,
        ...(cached === undefined ? [] : [`"cache_read_input_token_cost": ${perToken(cached)}`]),
        `"output_cost_per_token": ${perToken(output)}`,
      ];
      entries.push(`  ${JSON.stringify(key)}: { ${fields.join(', ')} }`);
    }
  }
  return `{\n${entries.join(',\n')}\n}\n`;
}

const TITLES = { openai: 'OpenAI API pricing', gemini: 'Gemini Developer API pricing', xai: 'xAI API pricing' } as const;

function pricingPage(provider: keyof typeof PRICES, query: Record<string, string>): string {
  const rows = scaled(PRICES[provider], query)
    .map(([model, input, cached, output]) => `      <tr><td>${model}</td><td>$${input}</td><td>${cached === undefined ? '-' : `$${cached}`}</td><td>$${output}</td></tr>`)
    .join('\n');
  const marker = query.garbage === '1' ? '\n    <p>sim-extraction-garbage</p>' : '';
  return `<!doctype html>
<html>
  <head><title>${TITLES[provider]}</title><style>td { padding: 4px }</style><script>var tracking = "$999";</script></head>
  <body>
    <h1>${TITLES[provider]}</h1>
    <p>Prices in USD per 1M tokens.</p>${marker}
    <table>
      <tr><th>Model</th><th>Input</th><th>Cached input</th><th>Output</th></tr>
${rows}
    </table>
  </body>
</html>
`;
}

export interface Document {
  status: number;
  contentType: string;
  body: string;
}

/** The document at `path`, or undefined when the path is not one of these. */
export function pricingDocument(method: string, path: string, query: Record<string, string>): Document | undefined {
  if (method !== 'GET' || !path.startsWith('/pricing/')) return undefined;
  const name = path.slice('/pricing/'.length);
  if (name === 'litellm.json') return { status: 200, contentType: 'application/json', body: litellmCatalog(query) };
  const page = /^(openai|gemini|xai)\.html$/.exec(name);
  if (page) return { status: 200, contentType: 'text/html; charset=utf-8', body: pricingPage(page[1] as keyof typeof PRICES, query) };
  return undefined;
}
