import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '../config/schema.js';

export interface DeploymentSecrets {
  keyHashSecret: string;
  adminToken: string;
  /** True when a secret was generated into the data folder rather than configured. */
  generated: boolean;
}

/**
 * The key-hashing secret and the admin token. Configured values win; otherwise they are
 * generated once into `<dataDir>/secrets.json` (mode 600) so a demo works with no setup.
 * Several instances sharing one database must share TOLLGATE_KEY_SECRET.
 */
export function loadSecrets(config: Readonly<GatewayConfig>): DeploymentSecrets {
  const { keyHashSecret, adminToken } = config.security;
  if (keyHashSecret && adminToken) return { keyHashSecret, adminToken, generated: false };
  const file = join(config.storage.dataDir, 'secrets.json');
  let stored: Partial<DeploymentSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DeploymentSecrets>;
  const next = {
    keyHashSecret: stored.keyHashSecret ?? randomBytes(32).toString('base64url'),
    adminToken: stored.adminToken ?? `tga_${randomBytes(24).toString('base64url')}`,
  };
  if (next.keyHashSecret !== stored.keyHashSecret || next.adminToken !== stored.adminToken) {
    mkdirSync(config.storage.dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  }
  return { keyHashSecret: keyHashSecret ?? next.keyHashSecret, adminToken: adminToken ?? next.adminToken, generated: true };
}
