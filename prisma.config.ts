// Prisma CLI configuration. Prisma's native schema-engine binary cannot be downloaded here, so
// the CLI runs the WASM schema engine (`engine: "js"`) through a driver adapter; see
// ../shared/reference/prisma-offline.md and prisma/cli-adapter.ts.
import { defineConfig } from 'prisma/config';
import { createCliAdapter, unrefLongTimers } from './prisma/cli-adapter.js';

// `prisma generate` never connects, but the schema's `env("DATABASE_URL")` must resolve or the
// CLI tries to download an engine. Commands that do connect refuse the placeholder below.
const configuredUrl = process.env.DATABASE_URL;
if (!configuredUrl) process.env.DATABASE_URL = 'postgresql://placeholder@localhost:5432/placeholder';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => {
    if (!configuredUrl) {
      throw new Error('DATABASE_URL is not set: point it at the PostgreSQL database to migrate.');
    }
    unrefLongTimers();
    return createCliAdapter(configuredUrl);
  },
});
