#!/usr/bin/env node
// Runs before vitest (`npm test`): regenerates the Prisma client when it is missing or older than
// the schema, and fails fast with a clear message when PostgreSQL or Redis is not answering, instead
// of letting dozens of tests time out one by one.
import { connect } from 'node:net';
import { ensurePrismaClient } from './ensure-client.mjs';

ensurePrismaClient();

/** Resolves to an error message, or null when the service sent back what we expected. */
function probe(url, defaultPort, request, expected) {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port) || defaultPort });
    const finish = (message) => {
      socket.destroy();
      done(message);
    };
    socket.setTimeout(3000, () => finish('no answer within 3 s'));
    socket.on('error', (err) => finish(err.message));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (data) => finish(expected(data) ? null : `unexpected reply ${JSON.stringify(String(data).slice(0, 40))}`));
  });
}

const postgresUrl = process.env.TEST_DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
// PostgreSQL: an SSLRequest packet; a live server answers 'S' or 'N'. Redis: PING -> +PONG
// (-NOAUTH also proves a Redis is there; the tests' own connection handles credentials).
const sslRequest = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
const [pgError, redisError] = await Promise.all([
  probe(postgresUrl, 5432, sslRequest, (d) => d[0] === 0x53 || d[0] === 0x4e),
  probe(redisUrl, 6379, 'PING\r\n', (d) => /^(\+PONG|-NOAUTH)/.test(String(d))),
]);
if (pgError) console.error(`prepare-tests: PostgreSQL at ${new URL(postgresUrl).host} is not answering (${pgError}); start it or set TEST_DATABASE_ADMIN_URL.`);
if (redisError) console.error(`prepare-tests: Redis at ${new URL(redisUrl).host} is not answering (${redisError}); start it or set REDIS_URL.`);
if (pgError || redisError) process.exit(1);
