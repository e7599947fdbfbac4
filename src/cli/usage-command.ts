/**
 * `tollgate usage show|recent`: the usage ledger, one row per request, read through
 * ledger/queries.ts (costs come back as exact decimal strings and are printed as they are).
 */
import { MAX_RECENT, recentUsage, usageByRequestId, type UsageView } from '../ledger/queries.js';
import { UsageError, parse, type CommandContext } from './context.js';
import { parseDate, printJson, printTable, subcommandGroup, usd, withStorage } from './support.js';

const count = (n: number | null) => (n === null ? '-' : String(n));

async function show(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one request id');
  const requestId = positionals[0]!;
  const row = await withStorage(ctx, ({ storage }) => usageByRequestId(storage.prisma, requestId));
  if (!row) {
    ctx.stderr(`No usage row with request id ${requestId}.\n`);
    return 1;
  }
  if (values.json) {
    printJson(ctx, row);
    return 0;
  }
  const model = row.responseModel && row.responseModel !== row.requestedModel ? `${row.requestedModel ?? '-'} (answered by ${row.responseModel})` : (row.requestedModel ?? row.responseModel ?? '-');
  printTable(ctx, [
    ['request', row.requestId],
    ['at', row.createdAt.toISOString()],
    ['provider', `${row.provider} ${row.endpoint}${row.stream ? ' (stream)' : ''}`],
    ['model', model],
    ['status', `${row.status}${row.errorCode ? ` ${row.errorCode}` : ''}`],
    ['key / user', `${row.apiKeyId ?? '-'} / ${row.userId ?? '-'}`],
    ['team / project / org', `${row.teamId ?? '-'} / ${row.projectId ?? '-'} / ${row.organizationId ?? '-'}`],
    [
      'tokens',
      `input ${count(row.inputTokens)}, cached input ${count(row.cachedInputTokens)}, cache write ${count(row.cacheWriteTokens)}, ` +
        `output ${count(row.outputTokens)}, reasoning ${count(row.reasoningTokens)}` +
        (row.otherTokens ? `, ${Object.entries(row.otherTokens).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''),
    ],
    ['cost', `${usd(row.costTotalUsd)} (input ${usd(row.costInputUsd)}, output ${usd(row.costOutputUsd)}, cached ${usd(row.costCachedUsd)}, other ${usd(row.costOtherUsd)})`],
    ['cost source', `${row.costSource}; price ${row.priceSource}${row.priceId ? ` ${row.priceId}` : ''}${row.computedCostUsd !== null ? `; computed ${usd(row.computedCostUsd)}` : ''}`],
    ['latency', `${row.latencyMs} ms${row.ttftMs !== null ? `, first token ${row.ttftMs} ms` : ''}`],
  ]);
  return 0;
}

async function recent(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    limit: { type: 'string' },
    provider: { type: 'string' },
    model: { type: 'string' },
    key: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT) throw new UsageError(`--limit: "${values.limit}" is not a whole number from 1 to ${MAX_RECENT}`);
  }
  const since = parseDate(values.since, '--since');
  const rows = await withStorage(ctx, ({ storage }) =>
    recentUsage(storage.prisma, { limit, provider: values.provider, model: values.model, keyId: values.key, since }),
  );
  if (values.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout('No usage rows match.\n');
    return 0;
  }
  printTable(ctx, [
    ['AT', 'REQUEST', 'PROVIDER', 'MODEL', 'STATUS', 'IN', 'OUT', 'COST', 'KEY'],
    ...rows.map((r: UsageView) => [
      r.createdAt.toISOString(),
      r.requestId,
      r.provider,
      r.requestedModel ?? r.responseModel ?? '-',
      String(r.status),
      count(r.inputTokens),
      count(r.outputTokens),
      usd(r.costTotalUsd),
      r.apiKeyId ?? '-',
    ]),
  ]);
  return 0;
}

export const usageCommand = subcommandGroup({
  name: 'usage',
  summary: 'Show the usage ledger: one request, or the most recent ones',
  subcommands: {
    show: {
      synopsis: 'show <request id> [--json]',
      description: 'One request\'s row: tokens, cost breakdown, price used, latency. Exit 1 when there is none.',
      run: show,
    },
    recent: {
      synopsis: 'recent [--limit N] [--provider P] [--model M] [--key ID] [--since ISO] [--json]',
      description:
        `The newest rows first (--limit: default 50, at most ${MAX_RECENT}). --model matches the requested or\n` +
        'the answering model; --key is an API key id; --since keeps rows at or after that instant.',
      run: recent,
    },
  },
  notes: 'Costs are the exact decimal USD stored in the ledger.\nExit codes: 0 success, 1 failure (no such request), 2 wrong usage.',
});
