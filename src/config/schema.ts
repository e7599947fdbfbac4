import { z } from 'zod';

/**
 * The shape of gateway.config.yaml. Every field has a default so that an empty file (or
 * none) starts a working gateway; environment variables override the file (see load.ts).
 */
const providerSchema = z
  .object({
    /** Provider base URL including its version root. */
    baseUrl: z.url().optional(),
    /** Prefer the environment variable; a key in the file is accepted for local setups. */
    apiKey: z.string().min(1).optional(),
    /** Turn a provider off: its routes answer 404. */
    enabled: z.boolean().default(true),
  })
  .strict();

/** Budget alerts: where they go and how delivery retries (see src/alerts). */
const alertsSchema = z
  .object({
    enabled: z.boolean().default(true),
    webhook: z
      .object({
        /** Receives each alert as JSON, signed with `secret` (x-tollgate-signature). */
        url: z.url().optional(),
        /** HMAC-SHA256 key for the signature; required with `url`. */
        secret: z.string().min(16).optional(),
        timeoutMs: z.number().int().positive().default(5000),
      })
      .strict()
      .prefault({})
      .refine((w) => !w.url || w.secret, { message: 'required when alerts.webhook.url is set', path: ['secret'] }),
    slack: z
      .object({
        /** A Slack-compatible incoming webhook: receives {"text": ...}. */
        webhookUrl: z.url().optional(),
      })
      .strict()
      .prefault({}),
    email: z
      .object({
        /** smtp://user:pass@host:587 or smtps://...; unset: no email. */
        smtpUrl: z.string().min(1).optional(),
        from: z.string().min(3).default('tollgate@localhost'),
        /** Comma-separated recipients; required with `smtpUrl`. */
        to: z.string().min(3).optional(),
      })
      .strict()
      .prefault({})
      .refine((e) => !e.smtpUrl || e.to, { message: 'required when alerts.email.smtpUrl is set', path: ['to'] }),
    /** Attempts per channel before an alert's delivery is marked failed. */
    maxAttempts: z.number().int().positive().max(50).default(8),
    /** First retry delay; doubled per attempt up to retryMaxMs. */
    retryBaseMs: z.number().int().positive().default(1000),
    retryMaxMs: z.number().int().positive().default(300_000),
    /** Alerts waiting for delivery in memory; beyond it they wait in the table for the sweeper. */
    queueSize: z.number().int().positive().default(1000),
    /** A pending alert not delivered within this is taken over by any instance. */
    leaseSeconds: z.number().int().positive().default(120),
    /** How often each instance looks for pending alerts whose lease ran out. */
    sweepSeconds: z.number().int().positive().default(30),
    velocity: z
      .object({
        enabled: z.boolean().default(true),
        /** How often budgets are checked for running out before their period ends. */
        checkSeconds: z.number().int().positive().default(60),
        /** Too early in a period the rate says little: wait for this share of it to pass. */
        minElapsedPercent: z.number().min(0).max(100).default(5),
      })
      .strict()
      .prefault({}),
    /** Alert once per provider/model per day when requests are priced by the fallback price. */
    fallbackPrice: z.boolean().default(true),
  })
  .strict()
  .prefault({});

/** `tollgate models sync` / `pricing sync`: timeouts, the change threshold, opt-in discovery (src/sync). */
const syncSchema = z
  .object({
    /** A price change above this percent (any rate) needs --yes and raises an alert. */
    changeThresholdPercent: z.number().nonnegative().default(20),
    /** Per HTTP request of a sync: model lists, price lists, pricing pages, the AI call. */
    timeoutMs: z.number().int().positive().default(30_000),
    /** Page size asked of paginated model lists (Gemini's maximum is 1000). */
    pageSize: z.number().int().min(1).max(1000).default(100),
    discovery: z
      .object({
        /** Off by default: discovered prices come from outside the shipped, reviewed data. */
        enabled: z.boolean().default(false),
        /** Sources every `pricing sync` reads while enabled: "litellm=<file or URL>", "xai-language-models". */
        sources: z.array(z.string().min(1)).default([]),
        /** Discovered prices below this confidence are reported, never applied. */
        confidenceThreshold: z.number().min(0).max(1).default(0.8),
        ai: z
          .object({
            /** The Tollgate gateway the extraction call goes through (default: this config's server address). */
            gatewayUrl: z.url().optional(),
            /** A Tollgate key for that call; prefer --gateway-key or TOLLGATE_DISCOVERY_KEY. */
            apiKey: z.string().min(1).optional(),
            /** A provider with an OpenAI-compatible chat route (openai, xai) and one of its models. */
            provider: z.string().min(1).default('openai'),
            model: z.string().min(1).default('gpt-4o-mini'),
            maxOutputTokens: z.number().int().positive().default(4096),
            /** Page text beyond this many characters is cut off before it is sent. */
            maxPageChars: z.number().int().positive().default(100_000),
            /** Pricing page (file or URL) per provider id. */
            pages: z.record(z.string(), z.string().min(1)).default({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Largest request body accepted, in bytes. */
        bodyLimitBytes: z.number().int().positive().default(10 * 1024 * 1024),
        /** Honour X-Forwarded-* from a trusted load balancer. */
        trustProxy: z.boolean().default(false),
        /** How long SIGTERM waits for in-flight requests and streams. */
        shutdownGraceMs: z.number().int().nonnegative().default(30_000),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, bodyLimitBytes: 10 * 1024 * 1024, trustProxy: false, shutdownGraceMs: 30_000 }),
    /**
     * Per provider adapter id ("openai", "gemini", "xai", and any adapter registered in
     * src/providers/registry.ts). A provider not named here is on, at its default base URL.
     * Ids are checked against the registered adapters by loadConfig.
     */
    providers: z.record(z.string(), providerSchema).default({}),
    upstream: z
      .object({
        connectTimeoutMs: z.number().int().positive().default(10_000),
        /** Time to the response headers; a model thinking for long before answering needs room. */
        headersTimeoutMs: z.number().int().positive().default(300_000),
        /** Longest silence between two body chunks. */
        bodyTimeoutMs: z.number().int().positive().default(300_000),
        /** Keep-alive connections per provider origin. */
        connections: z.number().int().positive().default(256),
        /**
         * When a provider has no API key and no base URL override, serve it from the built-in
         * simulator. Meant for the demo and tests; set false in production.
         */
        simulateWhenNoKey: z.boolean().default(true),
      })
      .strict()
      .default({ connectTimeoutMs: 10_000, headersTimeoutMs: 300_000, bodyTimeoutMs: 300_000, connections: 256, simulateWhenNoKey: true }),
    storage: z
      .object({
        /** PostgreSQL URL; unset: an embedded PostgreSQL (PGlite) in dataDir. */
        databaseUrl: z.string().min(1).optional(),
        /** Redis URL; unset: an in-process store with the same semantics. */
        redisUrl: z.string().min(1).optional(),
        /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
        redisKeyPrefix: z.string().regex(/^[A-Za-z0-9_:.-]{1,32}$/).default('tg:'),
        dataDir: z.string().min(1).default('.tollgate'),
      })
      .strict()
      .default({ dataDir: '.tollgate', redisKeyPrefix: 'tg:' }),
    security: z
      .object({
        /** Secret for HMAC-hashing key secrets. Unset: generated once into dataDir. */
        keyHashSecret: z.string().min(16).optional(),
        /** Token for /admin and /dashboard. Unset: generated once into dataDir. */
        adminToken: z.string().min(16).optional(),
        /** Seconds a verified key stays cached in memory (revocation reaches a gateway within this). */
        keyCacheSeconds: z.number().int().nonnegative().default(30),
      })
      .strict()
      .default({ keyCacheSeconds: 30 }),
    budgets: z
      .object({
        /** What happens when Redis cannot be reached: deny (closed) or admit (open). */
        failMode: z.enum(['open', 'closed']).default('closed'),
        /** A reservation whose settle never comes is released after this long. */
        reservationTtlSeconds: z.number().int().positive().default(900),
        /** Output allowance assumed when a request names no maximum. */
        defaultMaxOutputTokens: z.number().int().positive().default(4096),
        /** Minutes between reconciliations of live counters against the ledger (0: only at start). */
        reconcileMinutes: z.number().int().nonnegative().default(15),
      })
      .strict()
      .default({ failMode: 'closed', reservationTtlSeconds: 900, defaultMaxOutputTokens: 4096, reconcileMinutes: 15 }),
    pricing: z
      .object({
        /**
         * The least a model nobody priced costs, always flagged. USD per 1M tokens. Per provider
         * the dearest built-in rate applies when higher (src/pricing/fallback.ts): it raises the
         * fallback, never lowers it below a known model's price.
         */
        fallbackInputPer1M: z.string().regex(/^\d+(\.\d+)?$/).default('15'),
        fallbackOutputPer1M: z.string().regex(/^\d+(\.\d+)?$/).default('60'),
        /** How often each gateway re-reads database prices even without a change notice. */
        refreshSeconds: z.number().int().positive().default(60),
      })
      .strict()
      .default({ fallbackInputPer1M: '15', fallbackOutputPer1M: '60', refreshSeconds: 60 }),
    alerts: alertsSchema,
    analytics: z
      .object({
        /** Seconds between rollup passes (new usage rows into UsageHourly/UsageDaily). */
        rollupSeconds: z.number().int().positive().default(10),
        /** Usage row ids read per rollup transaction. */
        rollupBatchSize: z.number().int().positive().default(100_000),
      })
      .strict()
      .prefault({}),
    dashboard: z
      .object({
        enabled: z.boolean().default(true),
        /** How long a dashboard login lasts. */
        sessionHours: z.number().positive().max(24 * 30).default(12),
        /** How often the dashboard reloads its data. */
        refreshSeconds: z.number().int().positive().default(10),
      })
      .strict()
      .prefault({}),
    sync: syncSchema,
    metrics: z
      .object({
        /**
         * Budget ids whose utilization is exported one series per budget
         * (tollgate_budget_utilization_ratio{budget_id, budget_level}). Opt-in and capped, so the
         * label stays bounded; without it only the per-level gauges exist.
         */
        budgetGauges: z.array(z.string().min(1)).max(100).default([]),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type GatewayConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
