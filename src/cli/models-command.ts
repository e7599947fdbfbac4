/**
 * `tollgate models sync|list`: the providers' model lists → the Model table (src/sync/models.ts),
 * and what the table holds. Thin on purpose: parsing, printing, exit codes.
 */
import { SYNC_EXIT } from '../sync/exit-codes.js';
import { syncModels, type ProviderModels } from '../sync/models.js';
import { isProviderId, providerIds, providersInScope } from '../sync/providers.js';
import { UsageError, parse, type CommandContext } from './context.js';
import { announceChange, cliConfig, printJson, printTable, subcommandGroup, withStorage, type Subcommand } from './support.js';

function providerOption(value: string | undefined): string | undefined {
  if (value !== undefined && !isProviderId(value)) throw new UsageError(`--provider: unknown provider "${value}" (${providerIds().join(', ')})`);
  return value;
}

const MARK = { new: '+', updated: '~', restored: '^', retired: '-' } as const;

function printResults(ctx: CommandContext, results: readonly ProviderModels[], dryRun: boolean): void {
  for (const r of results) {
    if (r.unavailable) {
      ctx.stdout(`${r.provider}: UNAVAILABLE (${r.unavailable}); its models were left unchanged\n`);
      continue;
    }
    ctx.stdout(`${r.provider}: ${r.listed} listed, ${r.changes.length} change${r.changes.length === 1 ? '' : 's'}\n`);
    for (const c of r.changes) ctx.stdout(`  ${MARK[c.kind]} ${c.name}  ${c.kind}${c.details.length > 0 ? `: ${c.details.join(', ')}` : ''}\n`);
  }
  const all = results.flatMap((r) => r.changes);
  const count = (kind: keyof typeof MARK) => all.filter((c) => c.kind === kind).length;
  ctx.stdout(`${count('new')} new, ${count('updated')} updated, ${count('restored')} restored, ${count('retired')} retired.${dryRun ? ' Dry run: nothing was changed.' : ''}\n`);
}

async function sync(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { provider: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } });
  const provider = providerOption(values.provider);
  const config = cliConfig(ctx);
  const dryRun = values['dry-run'];
  const results = await withStorage(
    ctx,
    ({ storage }) =>
      syncModels(storage.prisma, providersInScope(config, provider), {
        dryRun,
        pageSize: config.sync.pageSize,
        timeoutMs: config.sync.timeoutMs,
        progress: (line) => ctx.stderr(`${line}\n`),
      }),
    config,
  );
  if (values.json) printJson(ctx, results.map(({ changes, ...r }) => ({ ...r, changes: changes.map(({ listed: _listed, ...c }) => c) })));
  else printResults(ctx, results, dryRun);
  // Aliases feed the price catalog's name resolution: running gateways reload them with prices.
  if (!dryRun && results.some((r) => r.changes.length > 0)) await announceChange(config, 'prices', ctx);
  return results.some((r) => r.unavailable) ? SYNC_EXIT.partial : SYNC_EXIT.ok;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { provider: { type: 'string' }, retired: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } });
  const provider = providerOption(values.provider);
  const models = await withStorage(ctx, ({ storage }) =>
    storage.prisma.model.findMany({
      where: { ...(provider && { providerId: provider }), ...(!values.retired && { retiredAt: null }) },
      orderBy: [{ providerId: 'asc' }, { name: 'asc' }],
    }),
  );
  if (values.json) {
    printJson(ctx, models);
    return 0;
  }
  if (models.length === 0) {
    ctx.stdout('No models stored. Run "tollgate models sync".\n');
    return 0;
  }
  printTable(ctx, [
    ['PROVIDER', 'MODEL', 'MODE', 'CONTEXT', 'MAX OUTPUT', 'ALIASES', 'RETIRED'],
    ...models.map((m) => [m.providerId, m.name, m.mode ?? '-', String(m.contextWindow ?? '-'), String(m.maxOutput ?? '-'), m.aliases.join(',') || '-', m.retiredAt?.toISOString() ?? '-']),
  ]);
  return 0;
}

export const MODELS_SUBCOMMANDS: Record<string, Subcommand> = {
  sync: {
    synopsis: 'sync [--provider P] [--dry-run] [--json]',
    description:
      'Reads each provider\'s model list (OpenAI/xAI GET /models, Gemini GET /models page by page) into the\n' +
      'model table: new models added, changed facts updated, models no longer listed retired (never\n' +
      'deleted). A provider whose list cannot be read is left unchanged and reported.',
    run: sync,
  },
  list: {
    synopsis: 'list [--provider P] [--retired] [--json]',
    description: 'The stored models (with --retired, retired ones too).',
    run: list,
  },
};

export const modelsCommand = subcommandGroup({
  name: 'models',
  summary: 'Sync and list the providers\' models',
  subcommands: MODELS_SUBCOMMANDS,
  notes: 'Exit codes: 0 done, 1 failure, 2 wrong usage, 4 a provider\'s list was unavailable (the others were synced).',
});
