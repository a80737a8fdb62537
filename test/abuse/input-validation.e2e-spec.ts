import { ADMIN_TOKEN, TestStack } from '../support/test-stack';
import { changes, snapshot } from './side-effects';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

/**
 * Bad input is a 400 `validation_failed` naming the field, checked before any
 * side effect: no row written, no object left on Stripe. Each vector below
 * was a 500 (PostgreSQL refuses U+0000; dates outside timestamptz) or a refusal
 * of a valid address.
 */
describe('abuse: bad input is refused before any side effect', () => {
  let stack: TestStack;
  let token: string;
  let liveToken: string;
  let partnerId: string;
  let endpointId: string;
  const tried: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    const partner = await stack.createPartner();
    ({ id: partnerId } = partner);
    ({ test: token, live: liveToken } = partner.api_keys);
    endpointId = (await stack.createEndpoint(token)).id;
  });

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`input-validation vectors tried: ${tried.length}, all refused with no side effect`);
    await stack?.stop();
  });

  async function refused(method: string, path: string, field: string, opts: { body?: unknown; token?: string } = {}) {
    const before = await snapshot(stack);
    const res = await stack.http(method, path, { token: opts.token ?? token, body: opts.body });
    tried.push(`${method} ${path} ${field}`);
    expect({ vector: `${method} ${path}`, status: res.status, code: res.json?.error?.code }).toEqual({ vector: `${method} ${path}`, status: 400, code: 'validation_failed' });
    expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(changes(before, await snapshot(stack))).toEqual([]);
  }

  const checkout = (over: Record<string, unknown>) => ({
    customer: { email: 'camille@example.test', name: 'Camille Martin' },
    line_items: [{ name: 'Lampe Aurore', quantity: 1, unit_amount: 4990 }],
    success_url: 'https://shop.example.test/merci',
    ...over,
  });

  it('refuses NUL and other control characters in every text field, creating nothing on Stripe', async () => {
    await refused('POST', '/v1/checkout-sessions', 'line_items.0.name', { body: checkout({ line_items: [{ name: 'Lampe\u0000Aurore', quantity: 1, unit_amount: 4990 }] }) });
    await refused('POST', '/v1/checkout-sessions', 'customer.name', { body: checkout({ customer: { email: 'camille@example.test', name: 'Camille\u0000' } }) });
    await refused('POST', '/v1/checkout-sessions', 'partner_order_ref', { body: checkout({ partner_order_ref: 'CMD\u00001001' }) });
    await refused('POST', '/v1/checkout-sessions', 'customer.address.city', { body: checkout({ customer: { email: 'c@example.test', address: { line1: '1 rue', postal_code: '75001', city: 'Paris\u001b[2J', country: 'FR' } } }) });
    await refused('POST', '/v1/checkout-sessions', 'line_items.0.name', { token: liveToken, body: checkout({ success_url: 'https://shop.example.test/ok', line_items: [{ name: 'x\ud800', quantity: 1, unit_amount: 1 }] }) });
    await refused('POST', '/v1/customers', 'name', { body: { external_id: 'u-1', email: 'camille@example.test', name: 'Camille\u0000Martin' } });
    await refused('POST', '/v1/customers', 'external_id', { body: { external_id: 'u\u00001', email: 'camille@example.test' } });
    await refused('POST', '/v1/payment-intents', 'line_items.0.name', { body: { customer: { email: 'c@example.test' }, line_items: [{ name: 'Bip\u0007', quantity: 1, unit_amount: 100 }] } });
    await refused('POST', '/v1/payment-intents', 'description', { body: { customer: { email: 'c@example.test' }, line_items: [{ name: 'Bip', quantity: 1, unit_amount: 100 }], description: 'a\u0000' } });
    await refused('POST', '/v1/endpoints', 'url', { body: { url: `${stack.receiverUrl}/hook\u0000x` } });
    await refused('POST', '/v1/endpoints', 'description', { body: { url: stack.receiverUrl, description: 'Order\u0000sync' } });
    await refused('PATCH', `/v1/endpoints/${endpointId}`, 'url', { body: { url: `${stack.receiverUrl}/hook\u0000x` } });
    await refused('PATCH', `/v1/endpoints/${endpointId}`, 'description', { body: { description: 'Order\u0000sync' } });
    await refused('POST', `/v1/messages/msg_x/resend`, 'endpoint_id', { body: { endpoint_id: 'ep\u0000' } });
    await refused('PATCH', `/admin/partners/${partnerId}`, 'name', { token: ADMIN_TOKEN, body: { name: 'Atelier\u0000' } });
    await refused('GET', '/v1/orders?partner_order_ref=CMD%001001', 'partner_order_ref');
    await refused('GET', '/v1/messages?type=order.paid%00', 'type');
  });

  it('refuses dates outside 1970-9999 in queries, cursors and bodies', async () => {
    await refused('GET', '/v1/orders?created_after=-271821-04-20T00:00:00Z', 'created_after');
    await refused('GET', '/v1/orders?created_before=%2B275760-09-13T00:00:00Z', 'created_before');
    await refused('GET', '/v1/messages?created_after=0000-01-01T00:00:00Z', 'created_after');
    await refused('GET', '/v1/invoices?issued_before=10000-01-01', 'issued_before');
    await refused('GET', '/v1/invoices?issued_after=yesterday', 'issued_after');
    await refused('POST', `/v1/endpoints/${endpointId}/recover`, 'since', { body: { since: '-271821-04-20T00:00:00Z' } });
    await refused('POST', `/v1/endpoints/${endpointId}/recover`, 'until', { body: { since: '2026-01-01T00:00:00Z', until: 1e20 } });
    const forged = [b64('-271821-04-20T00:00:00.000Z|ord_x'), b64('2026-11-21T10:00:00.000Z|ord\u0000x'), b64('+275760-09-13T00:00:00.000Z|x'), 'not-a-cursor', b64('2026-11-21T10:00:00.000Z|')];
    for (const route of ['/v1/orders', '/v1/invoices', '/v1/messages', '/v1/customers', '/v1/subscriptions']) {
      for (const cursor of forged) await refused('GET', `${route}?cursor=${encodeURIComponent(cursor)}`, 'cursor');
    }
  });

  it('accepts an internationalised email (RFC 6531) and stores it as given; refuses garbage', async () => {
    const res = await stack.http('POST', '/v1/customers', { token, body: { external_id: 'idn-1', email: 'contact@café-crème.fr', name: 'Crème' } });
    expect([res.status, res.json.email]).toEqual([201, 'contact@café-crème.fr']);
    const [row] = await stack.sql<{ email: string }>(`SELECT email FROM customers WHERE external_id = 'idn-1'`);
    expect(row.email).toBe('contact@café-crème.fr');
    const session = await stack.http('POST', '/v1/checkout-sessions', { token, body: checkout({ customer: { email: 'jörg@bäckerei.de' } }) });
    expect(session.status).toBe(201);
    const found = await stack.http('GET', `/v1/orders?customer_email=${encodeURIComponent('jörg@bäckerei.de')}`, { token });
    expect([found.status, found.json.data.length]).toEqual([200, 1]);
    await refused('POST', '/v1/customers', 'email', { body: { external_id: 'idn-2', email: 'contact@café crème.fr' } });
    await refused('POST', '/v1/customers', 'email', { body: { external_id: 'idn-2', email: 'contact@-café.fr' } });
    await refused('POST', '/v1/checkout-sessions', 'customer.email', { body: checkout({ customer: { email: 'a..b@example.test' } }) });
    await refused('POST', '/admin/partners', 'email', { token: ADMIN_TOKEN, body: { name: 'X', legal_name: 'X SAS', address: { line1: '1 rue', postal_code: '75001', city: 'Paris', country: 'FR' }, siren: '123456789', email: 'compta@[127.0.0.1]' } });
  });

  it('answers 400 naming the path parameter, not 500, for ids carrying NUL or other control characters', async () => {
    for (const path of ['/v1/orders/%00', '/v1/invoices/inv_%00x', '/v1/invoices/%00/pdf', '/v1/endpoints/ep_%00', '/v1/messages/%00/attempts', '/v1/credit-notes/%00', '/v1/customers/%00', '/v1/subscriptions/sub_%1B', '/v1/orders/%00/credit-notes', `/admin/partners/%00`]) {
      const before = await snapshot(stack);
      const res = await stack.http('GET', path, { token: path.startsWith('/admin') ? ADMIN_TOKEN : token });
      tried.push(`GET ${path}`);
      expect({ path, status: res.status, field: res.json?.error?.details?.[0]?.field }).toEqual({ path, status: 400, field: 'id' });
      expect(changes(before, await snapshot(stack))).toEqual([]);
    }
  });
});
