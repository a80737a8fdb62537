import { WorkerHttpServer } from '../../apps/worker/src/worker-http.server';
import { RedisProcess } from '../support/redis-process';
import { TcpProxy } from '../support/tcp-proxy';
import { TestStack } from '../support/test-stack';
import { waitFor } from '../support/wait-for';

/**
 * Readiness as an orchestrator reads it, api and worker alike: PostgreSQL holds the truth, so without it the
 * process is not ready (503); without Redis it stays in rotation, `degraded`, naming what is down, because the
 * sweeper schedules again whatever was committed meanwhile.
 */
describe('abuse: readiness when a dependency goes away', () => {
  const redis = new RedisProcess();
  const postgres = new TcpProxy(5432);
  let stack: TestStack;
  let redisStopped = false;

  beforeAll(async () => {
    await Promise.all([redis.start(), postgres.start()]);
    stack = await TestStack.start({
      env: { REDIS_URL: redis.url },
      mapDatabaseUrl: (url) => url.replace('127.0.0.1:5432', `127.0.0.1:${postgres.port}`),
    });
  });

  afterAll(async () => {
    // Back first (closing the queues waits for Redis); a Redis already running is not started twice.
    await Promise.all([redisStopped ? redis.start() : null, postgres.start()]);
    await stack?.stop();
    await Promise.all([redis.stop(), postgres.stop()]);
  });

  const apiReady = async () => stack.http('GET', '/health/ready');
  const workerReady = async () => {
    const res = await fetch(`http://127.0.0.1:${stack.worker!.get(WorkerHttpServer).port}/health/ready`);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('reports Redis down as degraded (200) on both, and ok again once it is back', async () => {
    expect((await apiReady()).json.status).toBe('ok');
    expect((await workerReady()).json.status).toBe('ok');
    await redis.stop();
    redisStopped = true;
    const api = await waitFor('the api to see Redis down', async () => ((await apiReady()).json.status === 'degraded' ? apiReady() : null));
    expect(api.status).toBe(200);
    expect(api.json).toMatchObject({ status: 'degraded', down: ['redis'], info: { postgres: { status: 'up' }, redis: { status: 'down' } } });
    const worker = await workerReady();
    expect({ status: worker.status, body: worker.json }).toMatchObject({ status: 200, body: { status: 'degraded', down: ['redis'], postgres: true, redis: false } });
    await redis.start();
    redisStopped = false;
    await waitFor('the api ready again', async () => (await apiReady()).json.status === 'ok', 20_000);
    await waitFor('the worker ready again', async () => (await workerReady()).json.status === 'ok', 20_000);
  });

  it('is not ready (503) without PostgreSQL, naming it, and ready again once it is back', async () => {
    await postgres.stop();
    const api = await waitFor('the api to see PostgreSQL down', async () => {
      const res = await apiReady();
      return res.status === 503 ? res : null;
    });
    expect(api.json).toMatchObject({ status: 'unavailable', down: ['postgres'], info: { postgres: { status: 'down' }, redis: { status: 'up' } } });
    const worker = await waitFor('the worker to see PostgreSQL down', async () => {
      const res = await workerReady();
      return res.status === 503 ? res : null;
    });
    expect(worker.json).toMatchObject({ status: 'unavailable', down: ['postgres'], postgres: false, redis: true });
    await postgres.start();
    await waitFor('the api ready again', async () => (await apiReady()).status === 200, 20_000);
    await waitFor('the worker ready again', async () => (await workerReady()).status === 200, 20_000);
  });
});
