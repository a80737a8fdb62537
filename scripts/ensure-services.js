#!/usr/bin/env node
/*
 * Makes sure PostgreSQL and Redis answer at the configured URLs before
 * `npm start` or `npm test`. Where nothing answers it starts them with
 * `docker compose up -d` if a Docker engine runs; otherwise it stops with a
 * message saying exactly what to install or set. Plain JavaScript on purpose:
 * it runs before anything is compiled.
 */
const { execFileSync, spawnSync } = require('node:child_process');
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

function dockerEngineRuns() {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10000 }).status === 0;
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 2; i++) {
    if (await reachable(host, port)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main() {
  const services = [
    { name: 'PostgreSQL', compose: 'postgres', host: databaseUrl.hostname, port: databaseUrl.port || 5432, variable: 'DATABASE_URL' },
    { name: 'Redis', compose: 'redis', host: redisUrl.hostname, port: redisUrl.port || 6379, variable: 'REDIS_URL' },
  ];
  const missing = [];
  for (const s of services) if (!(await reachable(s.host, s.port))) missing.push(s);
  if (missing.length === 0) return;

  if (dockerEngineRuns()) {
    console.log(`Starting ${missing.map((s) => s.name).join(' and ')} with docker compose...`);
    execFileSync('docker', ['compose', 'up', '-d', ...missing.map((s) => s.compose)], { stdio: 'inherit' });
    for (const s of missing) {
      if (!(await waitFor(s.host, s.port, 60))) throw new Error(`${s.name} did not come up on ${s.host}:${s.port}`);
    }
    return;
  }
  const lines = missing.map(
    (s) => `  - ${s.name} does not answer on ${s.host}:${s.port} (${s.variable}).`,
  );
  console.error(
    [
      'Cannot start: a service the platform needs is not running, and no Docker engine is available to start it.',
      ...lines,
      'Either:',
      '  - start a Docker engine, and run this command again (docker compose will start them), or',
      '  - install and start them yourself: PostgreSQL 15+ (e.g. `apt-get install postgresql`) and Redis 7+ (`apt-get install redis-server`),',
      '    then point DATABASE_URL / REDIS_URL at them (in the environment or in .env; see .env.example).',
    ].join('\n'),
  );
  process.exit(1);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
