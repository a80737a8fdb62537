import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { JobQueue } from './job-queue';

/** A port nothing listens on: taken from the OS, then released. */
async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('JobQueue while no Redis Cluster node answers', () => {
  let sut: JobQueue;

  beforeAll(async () => {
    // The outage is the point of this spec: its warnings would only be noise.
    Logger.overrideLogger(false);
    const port = await deadPort();
    sut = new JobQueue(AppConfig.fromEnv({ REDIS_CLUSTER_NODES: `127.0.0.1:${port}`, QUEUE_PREFIX: '{unit}', LOG_LEVEL: 'error' }));
  });

  afterAll(async () => {
    await sut.onModuleDestroy();
  });

  it('answers the readiness probe and gives up an enqueue within seconds, leaving the work to the sweeper', async () => {
    const started = Date.now();
    const [ping, enqueued, bulk] = await Promise.all([
      sut.ping(),
      sut.tryEnqueue('wake-endpoint', { endpointId: 'ep_unit', at: 0 }),
      sut.tryEnqueueBulk('wake-endpoint', [{ endpointId: 'ep_unit', at: 1 }]),
    ]);
    expect({ ping, enqueued, bulk }).toEqual({ ping: false, enqueued: false, bulk: false });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
