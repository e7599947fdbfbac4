import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, type GatewayConfig } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** The file a gateway reads: TOLLGATE_CONFIG, else gateway.config.yaml in the working folder. */
export function configPath(env: Env = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.TOLLGATE_CONFIG ?? 'gateway.config.yaml');
}

/**
 * Reads, merges with the environment, validates once and freezes. A wrong field fails fast
 * with a message naming the field and the file.
 */
export function loadConfig(options: { path?: string; env?: Env; cwd?: string } = {}): Readonly<GatewayConfig> {
  const env = options.env ?? process.env;
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
  const merged = applyEnv(structuredClone(raw) as Record<string, any>, env, path);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `  ${field}: ${issue.message}`;
    });
    throw new ConfigError(`${path}: invalid configuration\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

/** Environment variables win over the file; each maps to exactly one field. */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; field: string[]; type: 'string' | 'int' | 'bool' }> = [
  { env: 'HOST', field: ['server', 'host'], type: 'string' },
  { env: 'PORT', field: ['server', 'port'], type: 'int' },
  { env: 'TOLLGATE_SHUTDOWN_GRACE_MS', field: ['server', 'shutdownGraceMs'], type: 'int' },
  { env: 'DATABASE_URL', field: ['storage', 'databaseUrl'], type: 'string' },
  { env: 'REDIS_URL', field: ['storage', 'redisUrl'], type: 'string' },
  { env: 'TOLLGATE_REDIS_KEY_PREFIX', field: ['storage', 'redisKeyPrefix'], type: 'string' },
  { env: 'TOLLGATE_DATA_DIR', field: ['storage', 'dataDir'], type: 'string' },
  { env: 'TOLLGATE_OPENAI_BASE_URL', field: ['providers', 'openai', 'baseUrl'], type: 'string' },
  { env: 'TOLLGATE_GEMINI_BASE_URL', field: ['providers', 'gemini', 'baseUrl'], type: 'string' },
  { env: 'TOLLGATE_XAI_BASE_URL', field: ['providers', 'xai', 'baseUrl'], type: 'string' },
  { env: 'OPENAI_API_KEY', field: ['providers', 'openai', 'apiKey'], type: 'string' },
  { env: 'GEMINI_API_KEY', field: ['providers', 'gemini', 'apiKey'], type: 'string' },
  { env: 'XAI_API_KEY', field: ['providers', 'xai', 'apiKey'], type: 'string' },
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

function applyEnv(raw: Record<string, any>, env: Env, path: string): Record<string, any> {
  for (const { env: name, field, type } of ENV_OVERRIDES) {
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
