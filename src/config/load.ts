import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { adapters as registeredAdapters } from '../providers/registry.js';
import { configSchema, type GatewayConfig } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** What the loader needs to know of a provider adapter: its id and its key's variable. */
export interface ProviderIdentity {
  readonly id: string;
  readonly apiKeyEnv: string;
}

/** The file a gateway reads: TOLLGATE_CONFIG, else gateway.config.yaml in the working folder. */
export function configPath(env: Env = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.TOLLGATE_CONFIG ?? 'gateway.config.yaml');
}

/**
 * Reads, merges with the environment, validates once and freezes. A wrong field fails fast
 * with a message naming the field and the file.
 */
export function loadConfig(
  options: { path?: string; env?: Env; cwd?: string; adapters?: readonly ProviderIdentity[] } = {},
): Readonly<GatewayConfig> {
  const env = options.env ?? process.env;
  const adapters = options.adapters ?? registeredAdapters;
  const path = options.path ?? configPath(env, options.cwd);
  const explicit = options.path !== undefined || env.TOLLGATE_CONFIG !== undefined;
  let raw: unknown = {};
  if (existsSync(path)) {
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (error) {
      throw new ConfigError(`${path}: not valid YAML: ${(error as Error).message}`);
    }
  } else if (explicit) {
    throw new ConfigError(`${path}: config file not found`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${path}: the top level must be a mapping`);
  }
  const merged = applyEnv(structuredClone(raw) as Record<string, any>, env, path, envOverrides(adapters));
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `  ${field}: ${issue.message}`;
    });
    throw new ConfigError(`${path}: invalid configuration\n${lines.join('\n')}`);
  }
  const known = new Set(adapters.map((adapter) => adapter.id));
  const unknown = Object.keys(result.data.providers).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const lines = unknown.map((id) => `  providers.${id}: unknown provider (registered: ${[...known].join(', ')})`);
    throw new ConfigError(`${path}: invalid configuration\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

export interface EnvOverride {
  env: string;
  field: string[];
  type: 'string' | 'int' | 'bool';
}

/** Environment variables win over the file; each maps to exactly one field. */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { env: 'HOST', field: ['server', 'host'], type: 'string' },
  { env: 'PORT', field: ['server', 'port'], type: 'int' },
  { env: 'TOLLGATE_SHUTDOWN_GRACE_MS', field: ['server', 'shutdownGraceMs'], type: 'int' },
  { env: 'DATABASE_URL', field: ['storage', 'databaseUrl'], type: 'string' },
  { env: 'REDIS_URL', field: ['storage', 'redisUrl'], type: 'string' },
  { env: 'TOLLGATE_REDIS_KEY_PREFIX', field: ['storage', 'redisKeyPrefix'], type: 'string' },
  { env: 'TOLLGATE_DATA_DIR', field: ['storage', 'dataDir'], type: 'string' },
  { env: 'TOLLGATE_KEY_SECRET', field: ['security', 'keyHashSecret'], type: 'string' },
  { env: 'TOLLGATE_ADMIN_TOKEN', field: ['security', 'adminToken'], type: 'string' },
  { env: 'TOLLGATE_BUDGET_FAIL_MODE', field: ['budgets', 'failMode'], type: 'string' },
  { env: 'TOLLGATE_SIMULATE_WHEN_NO_KEY', field: ['upstream', 'simulateWhenNoKey'], type: 'bool' },
  { env: 'TOLLGATE_UPSTREAM_HEADERS_TIMEOUT_MS', field: ['upstream', 'headersTimeoutMs'], type: 'int' },
  { env: 'TOLLGATE_ALERT_WEBHOOK_URL', field: ['alerts', 'webhook', 'url'], type: 'string' },
  { env: 'TOLLGATE_ALERT_WEBHOOK_SECRET', field: ['alerts', 'webhook', 'secret'], type: 'string' },
  { env: 'TOLLGATE_ALERT_SLACK_WEBHOOK_URL', field: ['alerts', 'slack', 'webhookUrl'], type: 'string' },
  { env: 'TOLLGATE_ALERT_SMTP_URL', field: ['alerts', 'email', 'smtpUrl'], type: 'string' },
  { env: 'TOLLGATE_ALERT_EMAIL_FROM', field: ['alerts', 'email', 'from'], type: 'string' },
  { env: 'TOLLGATE_ALERT_EMAIL_TO', field: ['alerts', 'email', 'to'], type: 'string' },
  { env: 'LOG_LEVEL', field: ['logging', 'level'], type: 'string' },
];

/**
 * Two variables per provider adapter, so that a new adapter needs no line here:
 * TOLLGATE_<ID>_BASE_URL (the id upper-cased, other characters as "_") and its own apiKeyEnv.
 */
export function providerEnvOverrides(adapters: readonly ProviderIdentity[]): EnvOverride[] {
  return adapters.flatMap(({ id, apiKeyEnv }) => [
    { env: `TOLLGATE_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BASE_URL`, field: ['providers', id, 'baseUrl'], type: 'string' as const },
    { env: apiKeyEnv, field: ['providers', id, 'apiKey'], type: 'string' as const },
  ]);
}

/** Every variable the loader reads for these adapters (the registered ones by default). */
export function envOverrides(adapters: readonly ProviderIdentity[] = registeredAdapters): EnvOverride[] {
  return [...ENV_OVERRIDES, ...providerEnvOverrides(adapters)];
}

function applyEnv(raw: Record<string, any>, env: Env, path: string, overrides: readonly EnvOverride[]): Record<string, any> {
  for (const { env: name, field, type } of overrides) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let parsed: unknown = value;
    if (type === 'int') {
      if (!/^\d+$/.test(value)) throw new ConfigError(`${path}: environment ${name}=${JSON.stringify(value)} is not a whole number`);
      parsed = Number(value);
    } else if (type === 'bool') {
      if (!/^(true|false|1|0)$/.test(value)) throw new ConfigError(`${path}: environment ${name} must be true or false`);
      parsed = value === 'true' || value === '1';
    }
    let node = raw;
    for (const key of field.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key];
    }
    node[field.at(-1)!] = parsed;
  }
  return raw;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
