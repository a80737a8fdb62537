import { ADMIN_TOKEN, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

describe('queue dashboard', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is served at /admin/queues to the operator only, by Bearer token or Basic auth password', async () => {
    const anonymous = await stack.http('GET', '/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const partnerKey = await stack.http('GET', '/admin/queues', { token: 'ca_test_not_an_operator' });
    expect(partnerKey.status).toBe(401);
    const basic = await stack.http('GET', '/admin/queues', { headers: { authorization: `Basic ${Buffer.from(`ops:${ADMIN_TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    expect(basic.buffer.toString()).toMatch(/<html/i);
    const api = await stack.http('GET', '/admin/queues/api/queues', { token: ADMIN_TOKEN });
    expect(api.status).toBe(200);
    expect(api.json.queues.map((q: { name: string }) => q.name).sort()).toEqual(['deliveries', 'emails']);
  });
});

describe('operator overview', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ env: { WEBHOOK_MAX_ATTEMPTS: '1' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('counts unrouted events, failing endpoints and failed emails', async () => {
    const partner = await stack.createPartner({ invoice_prefix: 'OVW' });
    const endpoint = await stack.createEndpoint(partner.api_keys.test, stack.receiverUrl, { event_types: ['order.paid'] });
    stack.receiver.respondWith(500);
    stack.smtp.rejectWith = 550;
    const checkout = await stack.createCheckout(partner.api_keys.test);
    await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const orphan = stack.emulator.buildEvent('checkout.session.completed', { object: 'checkout.session', id: 'cs_test_orphan', metadata: {} }, false);
    await stack.emulator.sendEvent(orphan.id);
    const overview = await waitFor('the overview to show it all', async () => {
      const res = await stack.http('GET', '/admin/overview', { token: ADMIN_TOKEN });
      const o = res.json;
      return o.unrouted_events === 1 && o.failing_endpoints.length === 1 && o.emails_failed_24h === 1 ? o : null;
    });
    expect(overview.failing_endpoints[0]).toMatchObject({ endpoint_id: endpoint.id, partner_id: partner.id, failed_attempts: 1 });
    expect(overview.failed_jobs).toEqual({ emails: 0, deliveries: 0 });
    expect((await stack.http('GET', '/admin/overview', { token: partner.api_keys.test })).status).toBe(401);
  });
});
