#!/usr/bin/env node
/*
 * Makes sure PostgreSQL and Redis answer at the configured URLs before
 * `npm start` or `npm test`. Where nothing answers it stops with a message
 * saying exactly what to install or set. It starts nothing itself:
 * docker-compose.yml is the production deployment (secrets from
 * .env.production, no published database port), not a development database.
 * Plain JavaScript on purpose: it runs before anything is compiled.
 */
const { existsSync } = require('node:fs');
const net = require('node:net');

if (existsSync('.env')) process.loadEnvFile('.env');
const databaseUrl = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/comptappart');
const redisUrl = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');

function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function main() {
  const services = [
    { name: 'PostgreSQL', compose: 'postgres', host: databaseUrl.hostname, port: databaseUrl.port || 5432, variable: 'DATABASE_URL' },
    { name: 'Redis', compose: 'redis', host: redisUrl.hostname, port: redisUrl.port || 6379, variable: 'REDIS_URL' },
  ];
  const missing = [];
  for (const s of services) if (!(await reachable(s.host, s.port))) missing.push(s);
  if (missing.length === 0) return;

  const lines = missing.map(
    (s) => `  - ${s.name} does not answer on ${s.host}:${s.port} (${s.variable}).`,
  );
  console.error(
    [
      'Cannot start: a service the platform needs is not running.',
      ...lines,
      'Install and start them: PostgreSQL 15+ (e.g. `apt-get install postgresql`) and Redis 7+ (`apt-get install redis-server`),',
      'or with a Docker engine: `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16-alpine` and',
      '`docker run -d -p 6379:6379 redis:7-alpine`; then point DATABASE_URL / REDIS_URL at them if they are not on the defaults',
      '(in the environment or in .env; see .env.example).',
    ].join('\n'),
  );
  process.exit(1);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
