/**
 * `tollgate pricing list|history|set|validate|sync|migrate`: wrappers over admin/prices.ts and src/sync.
 *
 * Subcommands live in PRICING_SUBCOMMANDS so more (sync, migrate) are one entry each: the
 * help text is built from the map, and the dispatcher looks the action up in it.
 */
import { listPrices, priceHistory, setManualPrice, validateCatalog } from '../admin/prices.js';
import type { Price, Rates, ValidationIssue } from '../pricing/index.js';
import { UsageError, parse, type CommandContext } from './context.js';
import { SYNC_EXIT_HELP, pricingMigrateSubcommand, pricingSyncSubcommand } from './pricing-sync-command.js';
import { announceChange, cliConfig, parseDate, printJson, printTable, required, subcommandGroup, withStorage, type Subcommand } from './support.js';

/** Rate options of `pricing set` and the rate kind each fills. */
const RATE_OPTIONS = {
  input: 'input',
  output: 'output',
  'cached-input': 'cachedInput',
  'cache-write': 'cacheWrite',
  reasoning: 'reasoning',
} as const satisfies Record<string, keyof Rates>;

/** A validation issue's field → the option of `pricing set` that carried it. */
const OPTION_OF_FIELD: Record<string, string> = {
  ...Object.fromEntries(Object.entries(RATE_OPTIONS).map(([option, kind]) => [`rates.${kind}`, `--${option}`])),
  effectiveFrom: '--effective-from',
};

/** "rates.input=2.5 rates.output=10" → "input 2.5, output 10": rates as the exact strings stored. */
function formatRates(rates: Rates): string {
  return Object.entries(rates)
    .map(([kind, rate]) => `${kind} ${rate}`)
    .join(', ');
}

function formatIssue(issue: ValidationIssue): string {
  return `${issue.provider ? `${issue.provider}/` : ''}${issue.model}: ${issue.field}: ${issue.problem}`;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { provider: { type: 'string' }, json: { type: 'boolean', default: false } });
  const prices = await withStorage(ctx, ({ storage }) => listPrices(storage.prisma, { provider: values.provider }));
  if (values.json) {
    printJson(ctx, prices);
    return 0;
  }
  if (prices.length === 0) {
    ctx.stdout(`No prices${values.provider ? ` for provider "${values.provider}"` : ''}.\n`);
    return 0;
  }
  printTable(ctx, [
    ['PROVIDER', 'MODEL', 'SOURCE', 'EFFECTIVE FROM', 'UNIT', 'RATES (USD)'],
    ...prices.map((p) => [p.provider, p.model, p.source, p.effectiveFrom, p.unit, formatRates(p.rates)]),
  ]);
  return 0;
}

async function history(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 2) throw new UsageError('give a provider and a model, e.g. pricing history openai gpt-4o');
  const [provider, model] = positionals as [string, string];
  const versions = await withStorage(ctx, ({ storage }) => priceHistory(storage.prisma, provider, model));
  if (values.json) {
    printJson(ctx, versions);
    return versions.length === 0 ? 1 : 0;
  }
  if (versions.length === 0) {
    ctx.stderr(`No price of ${provider}/${model}, neither in the database nor built in.\n`);
    return 1;
  }
  printTable(ctx, [
    ['ID', 'SOURCE', 'EFFECTIVE FROM', 'EFFECTIVE TO', 'UNIT', 'RATES (USD)', 'NOTE'],
    ...versions.map((p: Price) => [p.id, p.source, p.effectiveFrom, p.effectiveTo ?? '-', p.unit, formatRates(p.rates), p.note ?? '']),
  ]);
  return 0;
}

async function set(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      input: { type: 'string' },
      output: { type: 'string' },
      'cached-input': { type: 'string' },
      'cache-write': { type: 'string' },
      reasoning: { type: 'string' },
      'effective-from': { type: 'string' },
      note: { type: 'string' },
    },
    true,
  );
  if (positionals.length !== 2) throw new UsageError('give a provider and a model, e.g. pricing set openai gpt-4o --input 2.5 --output 10');
  const [provider, model] = positionals as [string, string];
  required(values.input, '--input');
  required(values.output, '--output');
  const rates: Rates = {};
  for (const [option, kind] of Object.entries(RATE_OPTIONS)) {
    const value = values[option as keyof typeof RATE_OPTIONS];
    if (value !== undefined) rates[kind] = value; // kept as typed: the service validates exactly
  }
  const effectiveFrom = parseDate(values['effective-from'], '--effective-from')?.toISOString();
  const config = cliConfig(ctx);
  const result = await withStorage(
    ctx,
    ({ storage }) => setManualPrice(storage.prisma, { provider, model, rates, ...(effectiveFrom && { effectiveFrom }), ...(values.note && { note: values.note }) }),
    config,
  );
  if (!result.price) {
    // Refused before anything was stored: a wrong value typed on the command line.
    throw new UsageError(
      `price refused:\n${result.issues.map((i) => `  ${OPTION_OF_FIELD[i.field] ? `${OPTION_OF_FIELD[i.field]} (${i.field})` : i.field}: ${i.problem}`).join('\n')}`,
    );
  }
  await announceChange(config, 'prices', ctx);
  const p = result.price;
  ctx.stdout(
    `Set a manual price for ${p.provider}/${p.model} from ${p.effectiveFrom} (id ${p.id}): ${formatRates(p.rates)} per 1M tokens.\n` +
      'Price sync never overwrites a manual price.\n',
  );
  return 0;
}

async function validate(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const issues = await withStorage(ctx, ({ storage }) => validateCatalog(storage.prisma));
  if (values.json) printJson(ctx, { valid: issues.length === 0, issues });
  else if (issues.length === 0) ctx.stdout('The price catalog is valid (database rows and built-in prices).\n');
  else ctx.stdout(`The price catalog has ${issues.length} issue${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  ${formatIssue(i)}\n`).join('')}`);
  return issues.length === 0 ? 0 : 1;
}

/** Every `tollgate pricing` action; add one here and it is dispatched and documented. */
export const PRICING_SUBCOMMANDS: Record<string, Subcommand> = {
  list: {
    synopsis: 'list [--provider P] [--json]',
    description: 'The price in force now for every model: database rows, and built-ins no row overrides.',
    run: list,
  },
  history: {
    synopsis: 'history <provider> <model> [--json]',
    description: 'Every version of one model\'s price, newest first. Exit 1 when the model has none.',
    run: history,
  },
  set: {
    synopsis:
      'set <provider> <model> --input <usd per 1M> --output <usd per 1M> [--cached-input X] [--cache-write X]\n' +
      '        [--reasoning X] [--effective-from ISO] [--note T]',
    description:
      'Adds a manual price (USD per 1M tokens, exact decimals), in force from --effective-from\n' +
      '(default now); the model\'s previous open-ended row ends there. Sync never overwrites it.',
    run: set,
  },
  validate: {
    synopsis: 'validate [--json]',
    description: 'Checks every database row and built-in price; exit 1 and every issue (model, field) if invalid.',
    run: validate,
  },
  // Thin wrappers in pricing-sync-command.ts; the logic is in src/sync.
  sync: pricingSyncSubcommand,
  migrate: pricingMigrateSubcommand,
};

export const pricingCommand = subcommandGroup({
  name: 'pricing',
  summary: 'List, inspect, override and validate model prices',
  subcommands: PRICING_SUBCOMMANDS,
  notes:
    'Exit codes: 0 success, 1 failure (invalid catalog, unknown model), 2 wrong usage (incl. a refused rate).\n' +
    `Exit codes of sync and migrate: ${SYNC_EXIT_HELP}`,
});
