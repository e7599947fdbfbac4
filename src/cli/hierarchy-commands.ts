/**
 * `tollgate org|project|team|user create|list`: the organization → project → team → user
 * hierarchy that budgets and keys hang from. Thin wrappers over admin/hierarchy.ts.
 */
import { createEntity, listEntities, type HierarchyKind } from '../admin/hierarchy.js';
import { parse, type Command, type CommandContext } from './context.js';
import { asUsageError, describePrismaError, printJson, printTable, required, subcommandGroup, withStorage } from './support.js';

type Field = 'org' | 'project' | 'team' | 'email';

interface KindSpec {
  command: string;
  kind: HierarchyKind;
  plural: string;
  /** Options `create` accepts besides --name, and which are required. */
  createFields: readonly Field[];
  requiredFields: readonly Field[];
  /** Whether `list` can filter by --org. */
  listByOrg: boolean;
}

const SPECS: readonly KindSpec[] = [
  { command: 'org', kind: 'organization', plural: 'organizations', createFields: [], requiredFields: [], listByOrg: false },
  { command: 'project', kind: 'project', plural: 'projects', createFields: ['org'], requiredFields: ['org'], listByOrg: true },
  { command: 'team', kind: 'team', plural: 'teams', createFields: ['org', 'project'], requiredFields: ['org'], listByOrg: true },
  { command: 'user', kind: 'user', plural: 'users', createFields: ['org', 'team', 'email'], requiredFields: ['org'], listByOrg: true },
];

/** Service field → the option a user typed, for validation messages. */
const OPTION_OF: Record<string, string> = { name: '--name', organizationId: '--org', projectId: '--project', teamId: '--team', email: '--email' };
const INPUT_FIELD: Record<Field, string> = { org: 'organizationId', project: 'projectId', team: 'teamId', email: 'email' };
const PLACEHOLDER: Record<Field, string> = { org: 'ID', project: 'ID', team: 'ID', email: 'E' };

function synopsisOf(spec: KindSpec): string {
  const fields = spec.createFields.map((f) => (spec.requiredFields.includes(f) ? `--${f} ${PLACEHOLDER[f]}` : `[--${f} ${PLACEHOLDER[f]}]`));
  // The organization comes first, as in the hierarchy; the other fields after --name.
  const before = fields.filter((_, i) => spec.createFields[i] === 'org');
  const after = fields.filter((_, i) => spec.createFields[i] !== 'org');
  return ['create', ...before, '--name N', ...after, '[--quiet]'].join(' ');
}

const article = (kind: HierarchyKind) => (kind === 'organization' ? 'an' : 'a');

function hierarchyCommand(spec: KindSpec): Command {
  return subcommandGroup({
    name: spec.command,
    summary: `Create and list ${spec.plural}`,
    subcommands: {
      create: {
        synopsis: synopsisOf(spec),
        description: `Creates ${article(spec.kind)} ${spec.kind} and prints its id; --quiet prints only the id, for scripts.`,
        run: (args, ctx) => create(spec, args, ctx),
      },
      list: {
        synopsis: `list${spec.listByOrg ? ' [--org ID]' : ''} [--json]`,
        description: `Lists ${spec.plural}, oldest first${spec.listByOrg ? '; --org keeps one organization\'s' : ''}.`,
        run: (args, ctx) => list(spec, args, ctx),
      },
    },
    notes: 'Exit codes: 0 success, 1 failure (a referenced entity does not exist, a duplicate name), 2 wrong usage.',
  });
}

async function create(spec: KindSpec, args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    name: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    ...Object.fromEntries(spec.createFields.map((f) => [f, { type: 'string' as const }])),
  });
  const given = values as Record<string, string | boolean | undefined>;
  const input: Record<string, string> = { name: required(given.name as string | undefined, '--name') };
  for (const field of spec.createFields) {
    const value = spec.requiredFields.includes(field) ? required(given[field] as string | undefined, `--${field}`) : (given[field] as string | undefined);
    if (value !== undefined) input[INPUT_FIELD[field]] = value;
  }
  const created = await withStorage(ctx, async ({ storage }) => {
    try {
      return await createEntity(storage.prisma, spec.kind, input);
    } catch (error) {
      const where = input.organizationId ? ` in organization ${input.organizationId}` : '';
      throw describePrismaError(asUsageError(error, OPTION_OF), {
        conflict: `${article(spec.kind)} ${spec.kind} named "${input.name}" already exists${where}`,
        missingReference: `organization ${input.organizationId} does not exist`,
      });
    }
  });
  if (values.quiet) ctx.stdout(`${created.id}\n`);
  else ctx.stdout(`Created ${spec.kind} "${created.name}" (id ${created.id}).\n`);
  return 0;
}

async function list(spec: KindSpec, args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean', default: false }, ...(spec.listByOrg ? { org: { type: 'string' as const } } : {}) });
  const org = (values as { org?: string }).org;
  const rows = (await withStorage(ctx, ({ storage }) => listEntities(storage.prisma, spec.kind, org))) as Array<Record<string, unknown> & { id: string; name: string; createdAt: Date }>;
  if (values.json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    ctx.stdout(`No ${spec.plural}${org ? ` in organization ${org}` : ''} yet. Create one: npx tollgate ${spec.command} ${synopsisOf(spec)}\n`);
    return 0;
  }
  const extra = spec.createFields.map((f) => INPUT_FIELD[f]);
  printTable(ctx, [
    ['ID', 'NAME', ...extra.map((f) => f.replace(/Id$/, '').toUpperCase()), 'CREATED'],
    ...rows.map((row) => [row.id, row.name, ...extra.map((f) => String(row[f] ?? '-')), row.createdAt.toISOString()]),
  ]);
  return 0;
}

export const [orgCommand, projectCommand, teamCommand, userCommand] = SPECS.map(hierarchyCommand) as [Command, Command, Command, Command];
