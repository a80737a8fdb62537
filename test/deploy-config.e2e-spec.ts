import { parseEnv } from 'node:util';
import { AppConfig, configSchema } from '@app/config';
import { API_NODE_FLAGS } from '../apps/api/src/node-flags';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/node-flags';
import { dockerIgnores, fillPlaceholders, imageEnvironment, loadCompose, readRoot, serviceEnvironment, stageLines } from './support/compose-file';

/**
 * No Docker engine runs here, so the deployment files are checked for what
 * `docker compose config` would not catch anyway: that they agree with the
 * service's own configuration schema, with each other, and start things in the
 * right order. test/deploy-compose.e2e-spec.ts runs the services themselves.
 */
describe('deployment files', () => {
  const compose = loadCompose();
  const known = new Set(Object.keys(configSchema.shape));
  const variables = (text: string) => [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
  const example = variables(readRoot('.env.example'));
  const production = readRoot('.env.production.example');
  const ours = Object.entries(compose.services).filter(([, s]) => String(s.image ?? '').startsWith('comptappart:'));
  const filled = fillPlaceholders(production);
  const envOf = (name: string, envFile = filled) => ({
    ...imageEnvironment('app'),
    ...serviceEnvironment(compose.services[name], (path) => (path === '.env.production' ? envFile : readRoot(path))),
  });

  it('.env.example documents exactly the variables the service reads', () => {
    expect(known.size).toBeGreaterThan(10);
    expect([...new Set(example)].sort()).toEqual([...known].sort());
  });

  it('compose runs every part, with health checks, and migrates once before the api and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'docs', 'mailpit', 'migrate', 'postgres', 'redis', 'worker']);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    for (const name of ['postgres', 'redis', 'api', 'worker', 'docs']) expect(compose.services[name].healthcheck).toBeDefined();
    for (const name of ['api', 'worker']) {
      expect(compose.services[name].depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(compose.services.migrate.command).toEqual(['node', 'dist/scripts/migrate.js']);
    expect(compose.services.migrate.restart).toBe('no');
  });

  it('gives migrate, api and worker the same production configuration, from the operator file, with no development default', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
    for (const [name, service] of ours) {
      expect({ name, env_file: service.env_file }).toEqual({ name, env_file: ['.env.production'] });
      const env = envOf(name);
      expect(env).toEqual(envOf('api'));
      const config = AppConfig.fromEnv(env);
      expect({ name, production: config.isProduction, generated: config.generated }).toEqual({ name, production: true, generated: [] });
      expect(config.stripeApiUrl).toBeUndefined();
      // Variables of the container that the service does not read: the database's own password only.
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual(['POSTGRES_PASSWORD']);
    }
  });

  it('.env.production.example sets every variable production requires, each with a comment, and nothing unknown', () => {
    const set = variables(production.replace(/^#.*$/gm, ''));
    const required = configSchema.safeParse({ NODE_ENV: 'production' }).error!.issues.map((i) => String(i.path[0]));
    expect(required.length).toBeGreaterThan(3);
    for (const key of required) expect({ key, set: set.includes(key) }).toEqual({ key, set: true });
    for (const key of variables(production)) expect({ key, known: known.has(key) || key === 'POSTGRES_PASSWORD' }).toEqual({ key, known: true });
    const lines = production.split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z]/.test(line)) expect({ line, commented: lines[i - 1].startsWith('#') }).toEqual({ line, commented: true });
    });
  });

  it('refuses the example until its placeholders are replaced, naming each one, and accepts it with live mode enabled', () => {
    const placeholders = Object.entries(parseEnv(production)).filter(([, v]) => /^__[A-Z0-9_]+__$/.test(v ?? ''));
    expect(placeholders.length).toBeGreaterThanOrEqual(4);
    let message = '';
    try {
      AppConfig.fromEnv({ ...parseEnv(production), NODE_ENV: 'production' });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const [key] of placeholders) if (key !== 'POSTGRES_PASSWORD') expect(message).toMatch(new RegExp(`^  ${key}[.:]`, 'm'));
    const live = AppConfig.fromEnv({ ...parseEnv(fillPlaceholders(production, { uncomment: true })), NODE_ENV: 'production' });
    expect(live.stripeLiveSecretKey).toMatch(/^sk_live_/);
    expect(live.generated).toEqual([]);
  });

  it('uses one PostgreSQL password, the one in DATABASE_URL, and publishes nothing but the api port', () => {
    const postgres = serviceEnvironment(compose.services.postgres, (path) => (path === '.env.production' ? filled : readRoot(path)));
    const url = new URL(envOf('migrate').DATABASE_URL);
    expect(postgres.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{64}$/);
    expect({ host: url.hostname, port: url.port || '5432', user: url.username, password: decodeURIComponent(url.password), db: url.pathname.slice(1) }).toEqual({
      host: 'postgres',
      port: '5432',
      user: postgres.POSTGRES_USER ?? 'postgres',
      password: postgres.POSTGRES_PASSWORD,
      db: postgres.POSTGRES_DB ?? postgres.POSTGRES_USER ?? 'postgres',
    });
    expect(new URL(envOf('api').REDIS_URL).hostname).toBe('redis');
    for (const name of ['postgres', 'redis', 'worker', 'migrate']) expect({ name, ports: compose.services[name].ports }).toEqual({ name });
    // Metrics answer on the compose network for a Prometheus there, and are not published.
    expect(compose.services.api.ports).toEqual([`${envOf('api').PORT}:${envOf('api').PORT}`]);
    for (const name of ['api', 'worker']) expect(envOf(name).METRICS_HOST).toBe('0.0.0.0');
  });

  it('builds on Node 24 LTS with npm ci and runs the app as a non-root user, in production mode', () => {
    const dockerfile = readRoot('Dockerfile');
    for (const from of dockerfile.match(/^FROM node:\S+/gm)!) expect(from).toBe('FROM node:24-bookworm-slim');
    expect(dockerfile).not.toMatch(/npm install/);
    expect(stageLines('build')).toContain('RUN npm ci --no-audit --no-fund');
    expect(stageLines('app')).toContain('USER node');
    expect(imageEnvironment('app')).toEqual({ NODE_ENV: 'production' });
    for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/scripts/migrate.js']) {
      expect(JSON.stringify(compose.services)).toContain(entry);
    }
  });

  it('runs the api with its node flags in the image and in compose, as npm start and the benchmarks do', () => {
    const api = ['node', ...API_NODE_FLAGS, 'dist/apps/api/src/main.js'];
    const cmd = stageLines('app').find((line) => line.startsWith('CMD '))!;
    expect(JSON.parse(cmd.slice('CMD '.length))).toEqual(api);
    expect(compose.services.api.command).toEqual(api);
  });

  it('runs the worker with its node flags in compose, as npm start and the benchmarks do', () => {
    expect(compose.services.worker.command).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/apps/worker/src/main.js']);
  });

  it('keeps the host install, build output, environment files and history out of the build context', () => {
    for (const path of ['node_modules', 'node_modules/pg/package.json', 'docs-site/node_modules', 'dist', 'dist/scripts/migrate.js', 'docs-site/build', '.env', '.env.production', 'var/mail/x.eml', 'coverage', 'test-artifacts', '.git', '.git/HEAD']) {
      expect({ path, ignored: dockerIgnores(path) }).toEqual({ path, ignored: true });
    }
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'apps/api/src/main.ts', 'migrations', 'docs/openapi.json', 'docs-site/package-lock.json', 'docs-site/docs/webhook.md']) {
      expect({ path, ignored: dockerIgnores(path) }).toEqual({ path, ignored: false });
    }
  });

  it('builds the partner docs in the image and serves them with nginx, page URLs without .html included', () => {
    const build = stageLines('docs-build');
    expect(build).toEqual(expect.arrayContaining(['COPY docs/ ./docs/', 'RUN npm --prefix docs-site ci --no-audit --no-fund', 'RUN npm --prefix docs-site run build']));
    const docs = stageLines('docs');
    expect(docs).toContain('COPY --from=docs-build /app/docs-site/build /usr/share/nginx/html');
    const nginx = docs.join('\n');
    expect(nginx).toMatch(/root \/usr\/share\/nginx\/html;/);
    // Docusaurus writes /docs/webhook as docs/webhook.html when trailingSlash is false.
    expect(readRoot('docs-site/docusaurus.config.js')).toMatch(/trailingSlash: false/);
    expect(nginx).toMatch(/try_files \$uri \$uri\.html \$uri\/ =404;/);
    expect(compose.services.docs).toMatchObject({ build: { target: 'docs' }, ports: ['3100:80'] });
  });
});
