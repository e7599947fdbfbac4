import type { GatewayConfig } from '../config/schema.js';
import { createKey } from '../admin/keys.js';
import type { ProviderRuntime } from '../proxy/forward.js';
import type { RunningGateway } from './gateway.js';

/**
 * What a person starting the gateway needs to see: where it listens, what it talks to, and
 * how to make a first call. On a fresh embedded setup with no key yet, a demo key is created
 * so the first call works at once.
 */
export async function announceStart(
  gateway: RunningGateway,
  config: Readonly<GatewayConfig>,
  providers: readonly ProviderRuntime[],
  print: (text: string) => void,
): Promise<void> {
  const lines = [`Tollgate is listening on ${gateway.url}`];
  lines.push(
    `  storage: ${config.storage.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${config.storage.dataDir}/pglite`}; ` +
      `budgets: ${config.storage.redisUrl ? 'Redis (REDIS_URL)' : 'in process'}`,
  );
  for (const provider of providers) {
    lines.push(`  ${provider.adapter.id}: ${provider.simulated ? `local simulator (no ${provider.adapter.apiKeyEnv} set)` : provider.baseUrl}`);
  }
  let demoKey: string | undefined;
  if (!config.storage.databaseUrl && (await gateway.storage.prisma.apiKey.count()) === 0) {
    demoKey = (await createKey(gateway.storage.prisma, gateway.keyHashSecret, { name: 'demo' })).secret;
    lines.push('', `A demo key was created (shown once): ${demoKey}`);
  }
  const key = demoKey ?? '<your tollgate key>';
  lines.push(
    '',
    'Try it:',
    `  curl ${gateway.url}/v1/chat/completions -H "Authorization: Bearer ${key}" \\`,
    `    -H "Content-Type: application/json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`,
    '',
    'More keys: npx tollgate keys create --name <name>  (with the embedded database, stop the gateway first)',
    '',
  );
  print(lines.join('\n'));
}
