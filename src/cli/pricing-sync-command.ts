/**
 * `tollgate pricing sync` and `tollgate pricing migrate`: option parsing and wiring only; the
 * work is in src/sync (pricing-sync.ts, backup.ts). Registered in pricing-command.ts's map.
 */
import { resolve } from 'node:path';
import { validateCatalog } from '../admin/prices.js';
import type { GatewayConfig } from '../config/schema.js';
import { formatIssues } from '../pricing/index.js';
import { aiProviders, type AiSettings } from '../sync/ai-extraction.js';
import { readBackup, restoreBackup, writeBackup } from '../sync/backup.js';
import { terminalConfirm } from '../sync/confirm.js';
import { parseSourceSpec, type AiPlan, type SourceSpec } from '../sync/discovery.js';
import { SYNC_EXIT, SYNC_EXIT_HELP } from '../sync/exit-codes.js';
import { runPricingSync } from '../sync/pricing-sync.js';
import { isProviderId, providerIds } from '../sync/providers.js';
import { UsageError, parse, type CommandContext } from './context.js';
import { announceChange, cliConfig, withStorage, type Subcommand } from './support.js';

export { SYNC_EXIT_HELP };

function providerOption(value: string | undefined): string | undefined {
  if (value !== undefined && !isProviderId(value)) throw new UsageError(`--provider: unknown provider "${value}" (${providerIds().join(', ')})`);
  return value;
}

function thresholdOption(value: string | undefined, config: Readonly<GatewayConfig>): string {
  const text = value ?? String(config.sync.changeThresholdPercent);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`--threshold: "${text}" is not a percent such as 20 or 12.5`);
  return text;
}

function sourceOptions(values: string[] | undefined, config: Readonly<GatewayConfig>): SourceSpec[] {
  const configured = config.sync.discovery.enabled ? config.sync.discovery.sources : [];
  try {
    return [...configured, ...(values ?? [])].map(parseSourceSpec);
  } catch (error) {
    throw new UsageError(`--source: ${(error as Error).message}`);
  }
}

interface AiFlags {
  enable: boolean;
  force: boolean;
  pages: string[] | undefined;
  gatewayUrl: string | undefined;
  gatewayKey: string | undefined;
  model: string | undefined;
  provider: string | undefined;
  only: string | undefined;
}

/** The AI discovery plan, or undefined when not asked for. Misconfiguration is a usage error: nothing has run yet. */
function aiPlan(flags: AiFlags, config: Readonly<GatewayConfig>, ctx: CommandContext): AiPlan | undefined {
  if (!flags.enable && !flags.force) return undefined;
  const { discovery, timeoutMs } = config.sync;
  if (!discovery.enabled && !flags.force) {
    throw new UsageError('AI discovery is off: set sync.discovery.enabled: true in the configuration, or use --force-ai-discovery for this run');
  }
  const ai = discovery.ai;
  const provider = flags.provider ?? ai.provider;
  if (!aiProviders().includes(provider)) throw new UsageError(`--ai-provider: "${provider}" has no chat route for extraction (${aiProviders().join(', ')})`);
  const host = ['0.0.0.0', '::'].includes(config.server.host) ? '127.0.0.1' : config.server.host;
  const gatewayUrl = flags.gatewayUrl ?? ai.gatewayUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
  const gatewayKey = flags.gatewayKey ?? ctx.env.TOLLGATE_DISCOVERY_KEY ?? ai.apiKey;
  if (!gatewayKey) throw new UsageError('AI discovery needs a Tollgate key: --gateway-key, TOLLGATE_DISCOVERY_KEY or sync.discovery.ai.apiKey');
  const pages = Object.entries(ai.pages).map(([p, location]) => ({ provider: p, location }));
  for (const spec of flags.pages ?? []) {
    const eq = spec.indexOf('=');
    const pageProvider = spec.slice(0, Math.max(eq, 0));
    if (eq <= 0 || !isProviderId(pageProvider) || eq === spec.length - 1) throw new UsageError(`--page: expected <provider>=<file or URL>, e.g. openai=./pricing.html, got "${spec}"`);
    pages.push({ provider: pageProvider, location: spec.slice(eq + 1) });
  }
  const inScope = pages.filter((p) => !flags.only || p.provider === flags.only);
  if (inScope.length === 0) throw new UsageError('AI discovery needs a pricing page: --page <provider>=<file or URL> or sync.discovery.ai.pages');
  const settings: AiSettings = { gatewayUrl, gatewayKey, provider, model: flags.model ?? ai.model, maxOutputTokens: ai.maxOutputTokens, maxPageChars: ai.maxPageChars, timeoutMs };
  return { settings, pages: inScope };
}

async function sync(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    provider: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
    'show-pricing': { type: 'boolean', default: false },
    'validate-only': { type: 'boolean', default: false },
    threshold: { type: 'string' },
    source: { type: 'string', multiple: true },
    'enable-ai-discovery': { type: 'boolean', default: false },
    'force-ai-discovery': { type: 'boolean', default: false },
    page: { type: 'string', multiple: true },
    'gateway-url': { type: 'string' },
    'gateway-key': { type: 'string' },
    'ai-provider': { type: 'string' },
    'ai-model': { type: 'string' },
  });
  const config = cliConfig(ctx);
  const provider = providerOption(values.provider);
  const threshold = thresholdOption(values.threshold, config);
  const sources = sourceOptions(values.source, config);
  const ai = aiPlan(
    {
      enable: values['enable-ai-discovery'],
      force: values['force-ai-discovery'],
      pages: values.page,
      gatewayUrl: values['gateway-url'],
      gatewayKey: values['gateway-key'],
      model: values['ai-model'],
      provider: values['ai-provider'],
      only: provider,
    },
    config,
    ctx,
  );
  const result = await withStorage(
    ctx,
    ({ storage }) =>
      runPricingSync(storage.prisma, config, {
        ...(provider && { provider }),
        dryRun: values['dry-run'],
        yes: values.yes,
        showPricing: values['show-pricing'],
        validateOnly: values['validate-only'],
        threshold,
        sources,
        ...(ai && { ai }),
        cwd: ctx.cwd,
        confirm: terminalConfirm,
        out: ctx.stdout,
        err: ctx.stderr,
      }),
    config,
  );
  if (result.applied > 0) await announceChange(config, 'prices', ctx);
  return result.exitCode;
}

async function migrate(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parse(args, {
    backup: { type: 'string' },
    validate: { type: 'boolean', default: false },
    rollback: { type: 'string' },
    yes: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    threshold: { type: 'string' },
  });
  if (values.rollback !== undefined && (values.backup !== undefined || values['dry-run'])) {
    throw new UsageError('--rollback restores a backup and does nothing else: it cannot be combined with --backup or --dry-run');
  }
  const config = cliConfig(ctx);
  const threshold = thresholdOption(values.threshold, config);
  return withStorage(
    ctx,
    async ({ storage }) => {
      const prisma = storage.prisma;
      let code: number = SYNC_EXIT.ok;
      if (values.rollback !== undefined) {
        const file = resolve(ctx.cwd, values.rollback);
        const result = await restoreBackup(prisma, await readBackup(file));
        ctx.stdout(`Rolled back to ${file}: ${result.restored} price rows restored, ${result.deleted} rows not in the backup deleted.\n`);
        await announceChange(config, 'prices', ctx);
      } else {
        if (values.backup !== undefined) {
          const file = resolve(ctx.cwd, values.backup);
          const count = await writeBackup(prisma, file).catch((error: NodeJS.ErrnoException) => {
            throw new Error(error.code === 'EEXIST' ? `${file} exists already; a backup never overwrites a file` : `cannot write ${file}: ${error.message}`);
          });
          ctx.stdout(`Backed up ${count} price rows to ${file}.\n`);
        }
        const result = await runPricingSync(prisma, config, {
          dryRun: values['dry-run'],
          yes: values.yes,
          showPricing: false,
          validateOnly: false,
          threshold,
          sources: [],
          cwd: ctx.cwd,
          confirm: terminalConfirm,
          out: ctx.stdout,
          err: ctx.stderr,
        });
        if (result.applied > 0) await announceChange(config, 'prices', ctx);
        if (result.exitCode !== SYNC_EXIT.ok) return result.exitCode;
      }
      if (values.validate) {
        const issues = await validateCatalog(prisma);
        if (issues.length === 0) ctx.stdout('Validated: every price row and built-in is valid.\n');
        else ctx.stdout(`Validation found ${issues.length} issue${issues.length === 1 ? '' : 's'}:\n${formatIssues(issues)}\n`);
        if (issues.length > 0) code = SYNC_EXIT.failure;
      }
      return code;
    },
    config,
  );
}

export const pricingSyncSubcommand: Subcommand = {
  synopsis:
    'sync [--provider P] [--dry-run] [--yes] [--show-pricing] [--validate-only] [--threshold PCT]\n' +
    '        [--source litellm=<file|URL>] [--source xai-language-models] [--enable-ai-discovery | --force-ai-discovery]\n' +
    '        [--page <provider>=<file|URL>] [--gateway-url URL] [--gateway-key KEY] [--ai-provider P] [--ai-model M]',
  description:
    'Built-in prices → database rows (source sync), with a diff of every change (old, new, percent).\n' +
    'A change above --threshold (default sync.changeThresholdPercent, 20) needs --yes (or a yes at the\n' +
    'terminal); applied, it raises a price_change alert (sent to the configured alert channels)\n' +
    'and prints an ALERT line. Manual prices are never touched. --dry-run changes nothing;\n' +
    '--validate-only validates and exits. --source adds discovered prices (source discovered, with a\n' +
    'confidence; below sync.discovery.confidenceThreshold they are reported, not applied).\n' +
    'AI discovery sends each --page through the gateway to a model for structured extraction; it\n' +
    'needs sync.discovery.enabled (or --force-ai-discovery) and shows the estimated cost first\n' +
    '(confirm at the terminal or with --yes; a --dry-run shows it and never makes the call).\n' +
    'Key: --gateway-key or TOLLGATE_DISCOVERY_KEY.',
  run: sync,
};

export const pricingMigrateSubcommand: Subcommand = {
  synopsis: 'migrate [--backup FILE] [--validate] [--yes] [--dry-run] [--threshold PCT] | migrate --rollback FILE [--validate]',
  description:
    'The built-ins → database migration (as pricing sync without sources). --backup FILE first writes\n' +
    'every price row to FILE (JSON, exact strings; never overwrites). --validate checks every row after.\n' +
    '--rollback FILE restores exactly the backed-up rows (deletes the others) in one transaction.',
  run: migrate,
};
