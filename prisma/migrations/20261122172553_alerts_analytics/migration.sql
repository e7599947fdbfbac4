-- CreateTable
CREATE TABLE "BudgetAlert" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "budgetId" TEXT,
    "level" TEXT,
    "entityId" TEXT,
    "periodId" TEXT,
    "threshold" INTEGER,
    "provider" TEXT,
    "model" TEXT,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "deliveries" JSONB NOT NULL DEFAULT '{}',
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UsageHourly" (
    "hour" TIMESTAMP(3) NOT NULL,
    "apiKeyId" TEXT NOT NULL DEFAULT '',
    "organizationId" TEXT NOT NULL DEFAULT '',
    "projectId" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "userId" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "fallbackPriced" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedInputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "costInputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOutputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costCachedUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOtherUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costTotalUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,

    CONSTRAINT "UsageHourly_pkey" PRIMARY KEY ("hour","apiKeyId","organizationId","projectId","teamId","userId","provider","model")
);

-- CreateTable
CREATE TABLE "UsageDaily" (
    "day" TIMESTAMP(3) NOT NULL,
    "apiKeyId" TEXT NOT NULL DEFAULT '',
    "organizationId" TEXT NOT NULL DEFAULT '',
    "projectId" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "userId" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "fallbackPriced" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedInputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "costInputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOutputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costCachedUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOtherUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costTotalUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,

    CONSTRAINT "UsageDaily_pkey" PRIMARY KEY ("day","apiKeyId","organizationId","projectId","teamId","userId","provider","model")
);

-- CreateTable
CREATE TABLE "UsageHourlyTeam" (
    "hour" TIMESTAMP(3) NOT NULL,
    "organizationId" TEXT NOT NULL DEFAULT '',
    "projectId" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "fallbackPriced" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedInputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "costInputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOutputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costCachedUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOtherUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costTotalUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,

    CONSTRAINT "UsageHourlyTeam_pkey" PRIMARY KEY ("hour","organizationId","projectId","teamId","provider","model")
);

-- CreateTable
CREATE TABLE "UsageDailyTeam" (
    "day" TIMESTAMP(3) NOT NULL,
    "organizationId" TEXT NOT NULL DEFAULT '',
    "projectId" TEXT NOT NULL DEFAULT '',
    "teamId" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "fallbackPriced" BIGINT NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "cachedInputTokens" BIGINT NOT NULL DEFAULT 0,
    "cacheWriteTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "reasoningTokens" BIGINT NOT NULL DEFAULT 0,
    "latencyMsSum" BIGINT NOT NULL DEFAULT 0,
    "costInputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOutputUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costCachedUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costOtherUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,
    "costTotalUsd" DECIMAL(30,18) NOT NULL DEFAULT 0,

    CONSTRAINT "UsageDailyTeam_pkey" PRIMARY KEY ("day","organizationId","projectId","teamId","provider","model")
);

-- CreateTable
CREATE TABLE "RollupWatermark" (
    "name" TEXT NOT NULL,
    "lastId" BIGINT NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RollupWatermark_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "BudgetAlert_dedupeKey_key" ON "BudgetAlert"("dedupeKey");

-- CreateIndex
CREATE INDEX "BudgetAlert_createdAt_idx" ON "BudgetAlert"("createdAt");

-- CreateIndex
CREATE INDEX "BudgetAlert_status_nextAttemptAt_idx" ON "BudgetAlert"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "UsageHourly_organizationId_hour_idx" ON "UsageHourly"("organizationId", "hour");

-- CreateIndex
CREATE INDEX "UsageHourly_teamId_hour_idx" ON "UsageHourly"("teamId", "hour");

-- CreateIndex
CREATE INDEX "UsageDaily_organizationId_day_idx" ON "UsageDaily"("organizationId", "day");

-- CreateIndex
CREATE INDEX "UsageDaily_teamId_day_idx" ON "UsageDaily"("teamId", "day");

-- CreateIndex
CREATE INDEX "UsageHourlyTeam_organizationId_hour_idx" ON "UsageHourlyTeam"("organizationId", "hour");

-- CreateIndex
CREATE INDEX "UsageHourlyTeam_teamId_hour_idx" ON "UsageHourlyTeam"("teamId", "hour");

-- CreateIndex
CREATE INDEX "UsageDailyTeam_organizationId_day_idx" ON "UsageDailyTeam"("organizationId", "day");

-- CreateIndex
CREATE INDEX "UsageDailyTeam_teamId_day_idx" ON "UsageDailyTeam"("teamId", "day");
