/**
 * `tollgate budgets set|list|remove|status|effective`: wrappers over admin/budgets.ts,
 * admin/budget-status.ts and admin/effective-budgets.ts. Changes are announced on the change feed so running gateways
 * reload their budget directory at once instead of at the next refresh.
 */
import { budgetStatuses } from '../admin/budget-status.js';
import { createBudget, listBudgets, removeBudget } from '../admin/budgets.js';
import { effectiveBudgets } from '../admin/effective-budgets.js';
import { BudgetDirectory } from '../budgets/directory.js';
import { UsageError, parse, type CommandContext } from './context.js';
import {
  announceChange,
  asUsageError,
  cliConfig,
  oneOf,
  printJson,
  printTable,
  required,
  subcommandGroup,
  usd,
  withSharedStore,
  withStorage,
} from './support.js';

const LEVELS = ['organization', 'project', 'team', 'user', 'key'] as const;
const PERIODS = ['daily', 'weekly', 'monthly', 'total'] as const;
const FAIL_MODES = ['open', 'closed'] as const;

/** Service field → the option a user typed, for validation messages. */
const OPTION_OF: Record<string, string> = {
  level: '--level',
  entityId: '--entity',
  appliesTo: '--default-for',
  period: '--period',
  timezone: '--timezone',
  limitUsd: '--limit',
  hard: '--soft',
  thresholds: '--thresholds',
  modelScope: '--model',
  providerScope: '--provider',
  failMode: '--fail-mode',
};

interface BudgetRowLike {
  id: string;
  level: string;
  entityId: string;
  appliesTo: string | null;
  period: string;
  timezone: string;
  limitUsd: { toFixed(): string };
  hard: boolean;
  thresholds: number[];
  modelScope: string | null;
  providerScope: string | null;
  failMode: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A plain view of a row: the limit as an exact decimal string (Decimal's toString may use exponents). */
function view(row: BudgetRowLike) {
  return { ...row, limitUsd: row.limitUsd.toFixed() };
}

function describeBudget(b: ReturnType<typeof view>): string {
  const scope = [b.providerScope && `provider ${b.providerScope}`, b.modelScope && `model ${b.modelScope}`].filter(Boolean).join(', ');
  return (
    `${b.level} ${b.entityId}${b.appliesTo ? ` (default for each ${b.appliesTo} below it)` : ''}: ${b.period} limit ${usd(b.limitUsd)}, ` +
    `${b.hard ? 'hard' : 'soft'}, ${b.timezone}, thresholds ${b.thresholds.join(',') || 'none'}${scope ? `, ${scope}` : ''}` +
    `${b.failMode ? `, fail ${b.failMode}` : ''}`
  );
}

function parseThresholds(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') return [];
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--thresholds: "${part.trim()}" is not a whole percent between 1 and 1000`);
    return n;
  });
}

async function set(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    level: { type: 'string' },
    entity: { type: 'string' },
    period: { type: 'string' },
    limit: { type: 'string' },
    timezone: { type: 'string' },
    soft: { type: 'boolean', default: false },
    thresholds: { type: 'string' },
    model: { type: 'string' },
    provider: { type: 'string' },
    'fail-mode': { type: 'string' },
    'default-for': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  });
  const input = {
    level: oneOf(required(values.level, '--level'), LEVELS, '--level'),
    entityId: required(values.entity, '--entity'),
    period: oneOf(required(values.period, '--period'), PERIODS, '--period'),
    limitUsd: required(values.limit, '--limit'),
    hard: !values.soft,
    ...(values['default-for'] !== undefined && { appliesTo: oneOf(values['default-for'], LEVELS, '--default-for') }),
    ...(values.timezone !== undefined && { timezone: values.timezone }),
    ...(values.thresholds !== undefined && { thresholds: parseThresholds(values.thresholds) }),
    ...(values.model !== undefined && { modelScope: values.model }),
    ...(values.provider !== undefined && { providerScope: values.provider }),
    ...(values['fail-mode'] !== undefined && { failMode: oneOf(values['fail-mode'], FAIL_MODES, '--fail-mode') }),
  };
  const config = cliConfig(ctx);
  const created = await withStorage(
    ctx,
    async ({ storage }) => {
      try {
        return view(await createBudget(storage.prisma, input));
      } catch (error) {
        throw asUsageError(error, OPTION_OF);
      }
    },
    config,
  );
  await announceChange(config, 'budgets', ctx);
  if (values.quiet) ctx.stdout(`${created.id}\n`);
  else ctx.stdout(`Created budget ${created.id}\n  ${describeBudget(created)}\n`);
  return 0;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { level: { type: 'string' }, entity: { type: 'string' }, json: { type: 'boolean', default: false } });
  const level = oneOf(values.level, LEVELS, '--level');
  const rows = await withStorage(ctx, async ({ storage }) => (await listBudgets(storage.prisma, { level, entityId: values.entity })).map(view));
  if (values.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout('No budgets match. Create one: npx tollgate budgets set --level <level> --entity <id> --period <period> --limit <usd>\n');
    return 0;
  }
  printTable(ctx, [
    ['ID', 'LEVEL', 'ENTITY', 'DEFAULT FOR', 'PERIOD', 'LIMIT', 'KIND', 'TIMEZONE', 'SCOPE'],
    ...rows.map((b) => [
      b.id,
      b.level,
      b.entityId,
      b.appliesTo ?? '-',
      b.period,
      usd(b.limitUsd),
      b.hard ? 'hard' : 'soft',
      b.timezone,
      [b.providerScope && `provider=${b.providerScope}`, b.modelScope && `model=${b.modelScope}`].filter(Boolean).join(' ') || '-',
    ]),
  ]);
  return 0;
}

async function remove(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals } = parse(args, {}, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one budget id');
  const id = positionals[0]!;
  const config = cliConfig(ctx);
  const removed = await withStorage(ctx, ({ storage }) => removeBudget(storage.prisma, id), config);
  if (!removed) {
    ctx.stderr(`No budget with id ${id}.\n`);
    return 1;
  }
  await announceChange(config, 'budgets', ctx);
  ctx.stdout(`Removed budget ${id}.\n`);
  return 0;
}

async function status(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(args, { entity: { type: 'string' }, json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one budget id');
  const id = positionals[0]!;
  const got = await withSharedStore(ctx, 'budgets status', async ({ storage, shared }) => {
    // Checked here so the advice names the CLI option rather than the API's query parameter.
    const row = await storage.prisma.budget.findUnique({ where: { id }, select: { appliesTo: true } });
    if (row?.appliesTo && !values.entity) {
      throw new UsageError(`budget ${id} is a default for each ${row.appliesTo}; pass --entity <${row.appliesTo} id> to read one ${row.appliesTo}'s counter`);
    }
    return budgetStatuses(storage.prisma, shared.store, id, values.entity);
  });
  if (!got) return 1;
  const result = got.value;
  if (values.json) {
    printJson(ctx, result);
    return 0;
  }
  const from = result.source.from;
  const overridden = result.source.applies === false ? '; not binding it now: a budget of its own (or a nearer default) covers the same scope' : '';
  const source = from ? `inherited: a default set on ${from.level} ${from.entityId} for each ${result.level}${overridden}` : 'own budget of this entity';
  printTable(ctx, [
    ['budget', result.budgetId],
    ['counter', `${result.level} ${result.entityId} (${source})`],
    ['period', `${result.period} ${result.periodId} (${result.timezone}, ${result.hard ? 'hard' : 'soft'})`],
    ['limit', usd(result.limitUsd)],
    ['spent', usd(result.spentUsd)],
    ['reserved', usd(result.reservedUsd)],
    ['remaining', usd(result.remainingUsd)],
    ['utilization', result.utilizationPercent === null ? 'n/a (zero limit)' : `${result.utilizationPercent}%`],
    ['resets at', result.resetsAt ?? 'never (total budget)'],
  ]);
  return 0;
}

async function effective(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { level: { type: 'string' }, entity: { type: 'string' }, json: { type: 'boolean', default: false } });
  const level = oneOf(required(values.level, '--level'), LEVELS, '--level')!;
  const entity = required(values.entity, '--entity');
  const got = await withSharedStore(ctx, 'budgets effective', async ({ storage, shared }) => {
    // The gateway's own resolution, over the budgets as they are in the database now.
    const directory = new BudgetDirectory();
    directory.replace(await storage.prisma.budget.findMany());
    return effectiveBudgets(storage.prisma, shared.store, directory, level, entity);
  });
  if (!got) return 1;
  const rows = got.value;
  if (values.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout(`No budget binds ${level} ${entity}: neither its own nor a default of a level above it.\n`);
    return 0;
  }
  for (const r of rows) {
    const from = r.inheritedFrom ? `inherited from ${r.inheritedFrom.level} ${r.inheritedFrom.entityId}` : 'own';
    const scope = [r.scope.provider, r.scope.model].filter(Boolean).join('/') || 'all models';
    ctx.stdout(
      `${r.budgetId}  ${from}  ${r.period} ${r.hard ? 'hard' : 'soft'} (${scope})  limit ${usd(r.limitUsd)}  spent ${usd(r.spentUsd)}` +
        `  reserved ${usd(r.reservedUsd)}  remaining ${usd(r.remainingUsd)}  resets ${r.resetsAt ?? 'never'}\n`,
    );
  }
  return 0;
}

export const budgetsCommand = subcommandGroup({
  name: 'budgets',
  summary: 'Set, list, remove and inspect spending budgets',
  subcommands: {
    set: {
      synopsis:
        'set --level <organization|project|team|user|key> --entity <id> --period <daily|weekly|monthly|total> --limit <usd>\n' +
        '        [--timezone Area/City] [--soft] [--thresholds 50,75,90,100] [--model M] [--provider P]\n' +
        '        [--fail-mode open|closed] [--default-for <level>] [--quiet]',
      description:
        'Creates a budget on the entity and prints its id (--quiet: only the id). --limit is USD with at most\n' +
        '9 decimals. --timezone (default UTC) is where periods start. --soft only counts and alerts; hard\n' +
        '(the default) denies requests. --thresholds are alert percents. --model/--provider limit it to\n' +
        'that traffic. --fail-mode overrides the gateway\'s when Redis is down. --default-for <level>\n' +
        'makes it an inherited default: every <level> below the entity without a budget of its own gets\n' +
        'its own counter with this limit (e.g. --level team --entity T --default-for user).',
      run: set,
    },
    list: {
      synopsis: 'list [--level L] [--entity ID] [--json]',
      description: 'Lists budgets, oldest first, optionally of one level and/or entity.',
      run: list,
    },
    remove: {
      synopsis: 'remove <budget id>',
      description: 'Removes a budget; running gateways stop applying it at once. Exit 1 when no such budget.',
      run: remove,
    },
    status: {
      synopsis: 'status <budget id> [--entity <child id>] [--json]',
      description:
        'Limit, spent, reserved, remaining, utilization and reset time of the current period, and\n' +
        'whether the counter is the entity\'s own budget or an inherited default. For a default\n' +
        '(--default-for) pass --entity with the child whose counter to read. Needs Redis.',
      run: status,
    },
    effective: {
      synopsis: 'effective --level <organization|project|team|user|key> --entity <id> [--json]',
      description:
        'Every budget that binds one entity as the gateway resolves it: its own, and the defaults it\n' +
        'inherits and from where, each with its live limit, spent, reserved, remaining and reset. Needs Redis.',
      run: effective,
    },
  },
  notes:
    'Money is printed as the exact decimal USD the services return.\n' +
    'Exit codes: 0 success, 1 failure (no such budget or entity, no shared budget store), 2 wrong usage\n' +
    '(a missing option, or a value such as --level, --limit or --timezone that is not valid).',
});
