# Multi-stage image on the current Node LTS. The build stage runs the same commands as the
# README and the scripts (npm ci, prisma generate); the runtime stage keeps production
# dependencies only and runs as the unprivileged `node` user, on this image's own Node (the
# `node` npm package a checkout's scripts run on is a devDependency: pruned, not shipped twice).
FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json ./
COPY src ./src
COPY bin ./bin
# After `COPY src`: a client generated on the build machine (src/generated) must not replace
# this one, or bin/tollgate.mjs would find it older than the schema and regenerate at start.
RUN npx prisma generate
RUN npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 HOST=0.0.0.0 PORT=8080 TOLLGATE_DATA_DIR=/data
COPY --from=build --chown=node:node /app /app
COPY --chown=node:node gateway.config.yaml ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# SIGTERM (docker stop) lets in-flight requests and streams finish within
# TOLLGATE_SHUTDOWN_GRACE_MS, flushes the ledger, then exits 0.
STOPSIGNAL SIGTERM
# Migrations are applied at start (advisory-locked, safe with several replicas).
# `start` re-executes itself once with --max-semi-space-size=16 (bin/tollgate.mjs: V8's young
# generation capped at 2 x 16 MB, about 100-150 MB less resident memory under load; see
# bench/NOTES.md). A --max-semi-space-size in NODE_OPTIONS overrides it.
CMD ["node", "bin/tollgate.mjs", "start"]
