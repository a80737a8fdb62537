import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { configSchema } from '@app/config';

const ROOT = join(__dirname, '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

/**
 * No Docker engine runs here, so the deployment files are checked for what
 * `docker compose config` would not catch anyway: that they agree with the
 * service's own configuration schema and start things in the right order.
 */
describe('deployment files', () => {
  const compose = load(read('docker-compose.yml')) as { services: Record<string, Record<string, any>> };
  const known = new Set(Object.keys(configSchema.shape));
  const example = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);

  it('.env.example documents exactly the variables the service reads', () => {
    expect(known.size).toBeGreaterThan(10);
    expect([...new Set(example)].sort()).toEqual([...known].sort());
  });

  it('compose runs every part, with health checks, and migrates once before the api and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'docs', 'mailpit', 'migrate', 'postgres', 'redis', 'worker']);
    expect(compose.services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    for (const name of ['postgres', 'redis', 'api', 'worker']) expect(compose.services[name].healthcheck).toBeDefined();
    for (const name of ['api', 'worker']) {
      expect(compose.services[name].depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(compose.services.migrate.command).toEqual(['node', 'dist/scripts/migrate.js']);
  });

  it('sets only variables the service knows, in every service built from our image', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!String(service.image ?? '').startsWith('comptappart:')) continue;
      for (const key of Object.keys(service.environment ?? {})) expect({ service: name, key, known: known.has(key) }).toEqual({ service: name, key, known: true });
      expect(service.env_file ?? ['.env.example']).toEqual(['.env.example']);
    }
  });

  it('runs the app as a non-root user from a multi-stage image that starts what compose starts', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    for (const entry of ['dist/apps/api/src/main.js', 'dist/apps/worker/src/main.js', 'dist/scripts/migrate.js']) {
      expect(JSON.stringify(compose.services)).toContain(entry);
    }
  });
});
