import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paidOrder } from '../support/partner-fixtures';
import { TestStack } from '../support/test-stack';
import { waitFor } from '../support/wait-for';

const DOC = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };

/**
 * Another partner's id (or the other environment's) is a 404 on every route
 * that takes one, lists under it included: an empty list would tell the caller
 * nothing is there, where the owner sees credit notes.
 */
describe("abuse: another partner's id is a 404 on every route under it", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('GET /v1/orders/<foreign order>/credit-notes and every other GET under an id answer 404 to anyone but the owner', async () => {
    const owner = await stack.createPartner();
    const intruder = await stack.createPartner({ invoice_prefix: 'INT' });
    const token = owner.api_keys.test;
    const endpointId = (await stack.createEndpoint(token)).id;
    const order = await paidOrder(stack, token);
    const [{ checkout_session_id }] = await stack.sql<{ checkout_session_id: string }>('SELECT checkout_session_id FROM orders WHERE id = $1', [order.orderId]);
    await stack.emulator.refundCheckoutSession(checkout_session_id, { amount: 1000 });
    const [creditNote] = await waitFor('the credit note', () => stack.sql<{ id: string }>('SELECT id FROM credit_notes WHERE order_id = $1', [order.orderId]));
    const [message] = await waitFor('a delivered message', () => stack.sql<{ id: string }>(`SELECT message_id AS id FROM deliveries WHERE endpoint_id = $1 AND status = 'delivered'`, [endpointId]));
    const customer = await stack.http('POST', '/v1/customers', { token, body: { external_id: 'owner-1', email: 'camille@example.test' } });

    const ownIds: Record<string, string> = {
      orders: order.orderId,
      invoices: order.invoiceId,
      'credit-notes': creditNote.id,
      endpoints: endpointId,
      messages: message.id,
      customers: customer.json.id,
    };
    const routes = Object.entries(DOC.paths)
      .filter(([path, methods]) => path.startsWith('/v1/') && path.includes('{id}') && 'get' in methods)
      .map(([path]) => ({ path, resource: path.split('/')[2] }))
      .filter(({ resource }) => resource in ownIds);
    expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/v1/orders/{id}/credit-notes', '/v1/messages/{id}/attempts', '/v1/endpoints/{id}/attempts']));

    for (const { path, resource } of routes) {
      const url = path.replace('{id}', ownIds[resource]);
      const mine = await stack.http('GET', url, { token });
      expect({ url, owner: mine.status < 300 }).toEqual({ url, owner: true });
      if (path === '/v1/orders/{id}/credit-notes') expect(mine.json.data).toHaveLength(1);
      for (const [who, key] of [['another partner', intruder.api_keys.test], ['the other environment', owner.api_keys.live]]) {
        const res = await stack.http('GET', url, { token: key });
        expect({ url, who, status: res.status, code: res.json?.error?.code }).toEqual({ url, who, status: 404, code: 'not_found' });
      }
    }
    const unknown = await stack.http('GET', '/v1/orders/ord_doesnotexist/credit-notes', { token });
    expect(unknown.status).toBe(404);
  });
});
