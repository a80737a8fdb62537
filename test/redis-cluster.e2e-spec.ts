import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { QUEUE_NAMES } from '@app/queue';
import { pdfText } from './support/pdf-text';
import { RedisClusterProcess, redisToolsAvailable } from './support/redis-process';
import { REDIS_URL, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

const tools = redisToolsAvailable();

/**
 * The relay on a real Redis Cluster (three masters, no replicas): the api and
 * the worker reach it only through REDIS_CLUSTER_NODES, and the hash-tagged
 * QUEUE_PREFIX keeps every queue's keys in one slot, as BullMQ's scripts need.
 */
(tools ? describe : describe.skip)('the relay on a Redis Cluster', () => {
  const cluster = new RedisClusterProcess();
  const prefix = `{t${randomBytes(4).toString('hex')}}`;
  let stack: TestStack;

  beforeAll(async () => {
    await cluster.start();
    stack = await TestStack.start({ env: { REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: prefix } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster.stop();
  });

  it('turns a paid checkout into a paid order, an emailed invoice and signed webhooks, with the queues on the cluster', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'CLU' });
    const endpoint = await stack.createEndpoint(partner.api_keys.test);
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);

    const paid = await waitFor('order.paid at the partner', () => stack.receiver.ofType('order.paid')[0]);
    const issued = await waitFor('invoice.issued at the partner', () => stack.receiver.ofType('invoice.issued')[0]);
    const mail = await waitFor('the invoice email', () => stack.smtp.messages[0]);

    const verifier = new Webhook(endpoint.secret);
    const paidEvent = verifier.verify(paid.body, paid.headers as Record<string, string>) as any;
    const issuedEvent = verifier.verify(issued.body, issued.headers as Record<string, string>) as any;
    expect(paidEvent.data).toMatchObject({ id: checkout.order_id, status: 'paid', amount_total: 2 * 4990 + 3 * 590 });
    const number = paidEvent.data.invoice.number as string;
    expect(number).toMatch(/^TEST-CLU-\d{4}-000001$/);
    expect(issuedEvent.data).toMatchObject({ number, order_id: checkout.order_id });
    expect(mail.subject).toContain(number);
    expect(await pdfText(mail.attachments[0].content)).toContain(number);
    const order = await stack.http('GET', `/v1/orders/${checkout.order_id}`, { token: partner.api_keys.test });
    expect(order.json).toMatchObject({ status: 'paid', invoice: { number } });

    // The jobs ran through the cluster: every queue's keys sit in the prefix's one slot, on one master.
    const client = new IORedis({ port: cluster.ports[0], host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', `${prefix}:deliveries:meta`));
      const perNode = await cluster.keysPerNode();
      const owners = Object.entries(perNode).filter(([, n]) => n > 0);
      expect(owners).toHaveLength(1);
      const owner = new IORedis({ port: Number(owners[0][0]), host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        expect(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(owners[0][1]);
        const keys = await owner.keys(`${prefix}:*`);
        for (const queue of QUEUE_NAMES.filter((q) => q !== 'deliveries' || keys.some((k) => k.includes(':deliveries:')))) {
          expect(keys.some((k) => k.startsWith(`${prefix}:${queue}:`))).toBe(true);
        }
      } finally {
        owner.disconnect();
      }
    } finally {
      client.disconnect();
    }
    // Nothing of this run reached the standalone Redis at REDIS_URL (queues, rate limiter).
    const standalone = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      expect(await standalone.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      standalone.disconnect();
    }
  });
});

if (!tools) {
  describe('the relay on a Redis Cluster', () => {
    it.skip('SKIPPED: redis-server or redis-cli not found on PATH', () => undefined);
    // One plain line, so a green run without the tools is not taken for a full one.
    process.stderr.write('SKIPPED the relay on a Redis Cluster: needs redis-server and redis-cli (the redis-server package)\n');
  });
}
