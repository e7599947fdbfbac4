import { createKey, listKeys, resolveKeyOwners, revokeKey } from '../admin/keys.js';
import { loadConfig } from '../config/load.js';
import { openStorage } from '../runtime/storage.js';
import { loadSecrets } from '../runtime/secrets.js';
import { parse, UsageError, type Command, type CommandContext } from './context.js';
import { announceChange } from './support.js';

const USAGE = `Usage:
  tollgate keys create --name <name> [--org <org>] [--project <project>] [--team <team>] [--user <user>]
        [--models m1,m2] [--providers p1,p2] [--expires <ISO date>] [--quiet]
  tollgate keys list [--json]
  tollgate keys revoke <key id or prefix>

  create   Creates a key and prints its secret ONCE. --quiet prints only the secret,
           so a script can capture it: KEY=$(npx tollgate keys create --name ci --quiet)
           --org, --project, --team and --user bind it (each an id or a name; names are
           looked up in the organization given or implied). The levels not named are read
           from the ones that are: a key bound only to --user answers to that user's team,
           project and organization budgets. A --team name not yet known is created.
  list     Lists keys (never their secrets).
  revoke   Revokes a key; running gateways are told at once (with Redis), and stop accepting
           it within security.keyCacheSeconds in any case.
`;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create, list and revoke Tollgate API keys',
  usage: USAGE,
  async run(args, ctx) {
    const [action, ...rest] = args;
    if (action === 'create') return create(rest, ctx);
    if (action === 'list') return list(rest, ctx);
    if (action === 'revoke') return revoke(rest, ctx);
    throw new UsageError(action ? `unknown action "${action}"` : 'an action is required');
  },
};

async function withStorage<T>(ctx: CommandContext, work: (storage: Awaited<ReturnType<typeof openStorage>>, hashSecret: string) => Promise<T>) {
  const config = loadConfig({ env: ctx.env, cwd: ctx.cwd });
  const secrets = loadSecrets(config);
  const storage = await openStorage(config);
  try {
    return await work(storage, secrets.keyHashSecret);
  } finally {
    await storage.close();
  }
}

async function create(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    name: { type: 'string' },
    org: { type: 'string' },
    project: { type: 'string' },
    team: { type: 'string' },
    user: { type: 'string' },
    models: { type: 'string' },
    providers: { type: 'string' },
    expires: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  });
  if (!values.name) throw new UsageError('--name is required');
  const expiresAt = values.expires ? new Date(values.expires) : undefined;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError('--expires is not a date');
  const created = await withStorage(ctx, async (storage, hashSecret) => {
    const owners = await resolveKeyOwners(storage.prisma, { organization: values.org, project: values.project, user: values.user });
    return createKey(storage.prisma, hashSecret, {
      name: values.name!,
      team: values.team,
      // Only what was named is stored; the organization implied by a project or user is passed
      // along just to scope the --team lookup (createKey then stores the team's organization).
      organizationId: owners.organizationId ?? (values.team ? owners.scopeOrganizationId : undefined),
      projectId: owners.projectId,
      userId: owners.userId,
      allowedModels: splitList(values.models),
      allowedProviders: splitList(values.providers),
      expiresAt,
    });
  });
  if (values.quiet) {
    ctx.stdout(`${created.secret}\n`);
  } else {
    ctx.stdout(
      `Created key "${created.name}" (id ${created.id}, prefix ${created.prefix}${boundTo(values)}).\n` +
        `Secret (shown once, store it now):\n\n  ${created.secret}\n\n`,
    );
  }
  return 0;
}

async function list(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean', default: false } });
  const keys = await withStorage(ctx, (storage) => listKeys(storage.prisma));
  if (values.json) {
    ctx.stdout(`${JSON.stringify(keys, null, 2)}\n`);
    return 0;
  }
  if (keys.length === 0) {
    ctx.stdout('No keys yet. Create one: npx tollgate keys create --name <name>\n');
    return 0;
  }
  for (const key of keys) {
    ctx.stdout(`${key.id}  ${key.prefix}…  ${key.status.padEnd(7)}  ${key.name}${key.team ? `  (team ${key.team})` : ''}\n`);
  }
  return 0;
}

async function revoke(args: string[], ctx: CommandContext): Promise<number> {
  const { positionals } = parse(args, {}, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one key id or prefix');
  const count = await withStorage(ctx, (storage) => revokeKey(storage.prisma, positionals[0]!));
  if (count === 0) {
    ctx.stderr(`No active key matches "${positionals[0]}".\n`);
    return 1;
  }
  // Running gateways drop their cached copy of the key at once instead of at cache expiry.
  await announceChange(loadConfig({ env: ctx.env, cwd: ctx.cwd }), 'keys', ctx);
  ctx.stdout(`Revoked ${count} key${count === 1 ? '' : 's'}.\n`);
  return 0;
}

/** ", organization acme, user ada" for the owners named on the command line, in hierarchy order. */
function boundTo(values: { org?: string; project?: string; team?: string; user?: string }): string {
  const named = [['organization', values.org], ['project', values.project], ['team', values.team], ['user', values.user]] as const;
  return named.map(([level, value]) => (value ? `, ${level} ${value}` : '')).join('');
}

function splitList(value: string | undefined): string[] | undefined {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}
