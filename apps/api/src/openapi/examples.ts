/** Example bodies for the OpenAPI reference (documentation only). */
export const EXAMPLE_ENDPOINT = {
  id: 'ep_7Hq2mXcV9rT4kLp8NwZb3d',
  object: 'endpoint',
  url: 'https://shop.example.com/webhooks/comptappart',
  environment: 'staging',
  description: 'Order sync',
  event_types: ['order.paid', 'invoice.issued'],
  enabled: true,
  max_in_flight: 10,
  rate_limit_per_second: null,
  created_at: '2026-11-21T10:00:00.000Z',
};

export const EXAMPLE_ORDER = {
  id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  object: 'order',
  environment: 'staging',
  status: 'paid',
  partner_order_ref: 'CMD-1001',
  amount_total: 11750,
  currency: 'eur',
  customer: { email: 'camille@example.com', name: 'Camille Martin', stripe_customer_id: 'cus_R2d4f6h8j0k2m4' },
  line_items: [
    { name: 'Lampe Aurore', quantity: 2, unit_amount: 4990, vat_rate: 20, amount_total: 9980 },
    { name: 'Ampoule LED', quantity: 3, unit_amount: 590, vat_rate: 20, amount_total: 1770 },
  ],
  source: 'checkout',
  stripe: { event_id: 'evt_1QxYz2AbCdEf', checkout_session_id: 'cs_test_a1B2c3D4', payment_intent_id: 'pi_3QxYz2AbCdEf' },
  failure_reason: null,
  decline_code: null,
  next_action: null,
  customer_id: 'cust_Vb8nM2kL4pQ6rS8tU0wX2y',
  subscription: null,
  locale: 'fr',
  invoice: { id: 'inv_qZWKiSZAWweTAKdFYRkFae', number: 'TEST-ATL-2026-000001' },
  paid_at: '2026-11-21T10:00:03.000Z',
  created_at: '2026-11-21T09:58:41.000Z',
};

export const EXAMPLE_INVOICE = {
  id: 'inv_qZWKiSZAWweTAKdFYRkFae',
  object: 'invoice',
  number: 'TEST-ATL-2026-000001',
  environment: 'staging',
  order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  currency: 'eur',
  amount_total: 11750,
  amount_excluding_tax: 9792,
  amount_tax: 1958,
  issued_at: '2026-11-21T10:00:03.120Z',
  paid_at: '2026-11-21T10:00:03.000Z',
  payment_method: 'card',
  pdf_url: 'https://api.comptappart.example/v1/invoices/inv_qZWKiSZAWweTAKdFYRkFae/pdf',
  emailed_at: '2026-11-21T10:00:03.480Z',
};

export const EXAMPLE_MESSAGE = {
  id: 'msg_hH9df0fCBZEs3GRzaAS98v',
  object: 'message',
  type: 'order.paid',
  environment: 'staging',
  order_id: 'ord_mQbAK6GYT2HwtVRTXVSAD0',
  created_at: '2026-11-21T10:00:03.130Z',
  payload: { type: 'order.paid', timestamp: '2026-11-21T10:00:03.130Z', data: { id: 'ord_mQbAK6GYT2HwtVRTXVSAD0' } },
  deliveries: [{ endpoint_id: 'ep_7Hq2mXcV9rT4kLp8NwZb3d', status: 'delivered', attempts: 1, last_attempt_at: '2026-11-21T10:00:03.200Z', next_attempt_at: null, delivered_at: '2026-11-21T10:00:03.240Z' }],
};

export const EXAMPLE_ATTEMPT = {
  id: 'att_5kP2nQ8rS1tU4vW7xY0zA3',
  object: 'attempt',
  message_id: 'msg_hH9df0fCBZEs3GRzaAS98v',
  endpoint_id: 'ep_7Hq2mXcV9rT4kLp8NwZb3d',
  attempted_at: '2026-11-21T10:00:03.200Z',
  status_code: 200,
  duration_ms: 38,
  response_body: '{"ok":true}',
  error: null,
};

export const EXAMPLE_API_KEY = {
  id: 'key_9aB8cD7eF6gH5iJ4kL3mN2',
  object: 'api_key',
  environment: 'staging',
  prefix: 'ca_test_Cynt',
  last_used_at: '2026-11-21T10:00:00.000Z',
  created_at: '2026-11-01T08:00:00.000Z',
};

export const list = (item: unknown) => ({ object: 'list', data: [item], has_more: false, next_cursor: null });
