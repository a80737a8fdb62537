import { STRIPE_LIVE_WEBHOOK_SECRET, STRIPE_WEBHOOK_SECRET, TestStack } from '../support/test-stack';
import { waitFor } from '../support/wait-for';

const OLD_TEST_SECRET = 'whsec_rotated_out_test';
const OLD_LIVE_SECRET = 'whsec_rotated_out_live';

/**
 * Someone holding the test-mode webhook secret (it sits in staging configs) tries to mint live-mode
 * payments, and with them invoices in the legal series. Real HTTP to the api, real PostgreSQL and Redis.
 */
describe('abuse: Stripe events signed with the other mode\'s secret', () => {
  let stack: TestStack;
  let partner: { id: string; api_keys: { test: string; live: string } };
  const tried: string[] = [];
  const refused: string[] = [];
  /** Vectors that must be accepted (genuine events, or harmless ones); the rest must all be refused. */
  const genuine: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({
      env: {
        // During a rotation each mode accepts its new and its old secret.
        STRIPE_WEBHOOK_SECRETS_TEST: `${STRIPE_WEBHOOK_SECRET},${OLD_TEST_SECRET}`,
        STRIPE_WEBHOOK_SECRETS_LIVE: `${STRIPE_LIVE_WEBHOOK_SECRET},${OLD_LIVE_SECRET}`,
        // The relabelled session below fails (Stripe has no such test-mode session): let it end failed quickly.
        STRIPE_EVENT_MAX_ATTEMPTS: '2',
      },
    });
    partner = await stack.createPartner({ invoice_prefix: 'FRG' });
  });

  afterAll(async () => {
    const forged = tried.filter((v) => !genuine.includes(v));
    console.log(`Stripe mode forgery: ${forged.length} forged vectors tried, ${forged.filter((v) => refused.includes(v)).length} refused; ${genuine.length} genuine or harmless deliveries accepted`);
    await stack?.stop();
  });

  afterEach(() => stack.emulator.setAutoSend(true));

  const rows = async (id: string) => (await stack.sql<{ n: number }>('SELECT count(*)::int AS n FROM stripe_events WHERE id = $1', [id]))[0].n;

  async function post(vector: string, body: string, signature: string) {
    tried.push(vector);
    const res = await fetch(`${stack.apiUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
    const json = (await res.json()) as { error?: { code: string; message: string } };
    if (res.status >= 400) refused.push(vector);
    return { status: res.status, code: json.error?.code, message: json.error?.message };
  }

  it('refuses a live payment signed with the test secret: 400 stripe_mode_mismatch, no row (the worker\'s only source of work), no invoice', async () => {
    const checkout = await stack.createCheckout(partner.api_keys.live);
    stack.emulator.setAutoSend(false);
    const events = await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
    const completed = events.find((e) => e.type === 'checkout.session.completed')!;
    expect(completed.livemode).toBe(true);
    const body = JSON.stringify(completed);

    for (const [vector, secret] of [['live event, current test secret', STRIPE_WEBHOOK_SECRET], ['live event, rotated-out test secret', OLD_TEST_SECRET]] as const) {
      const res = await post(vector, body, stack.emulator.signPayload(body, secret));
      expect(res).toMatchObject({ status: 400, code: 'stripe_mode_mismatch' });
      expect(res.message).not.toContain('whsec_');
    }
    // A header carrying a good test-mode signature next to a made-up one, as during a rotation.
    const t = Math.floor(Date.now() / 1000);
    const both = `${stack.emulator.signPayload(body, STRIPE_WEBHOOK_SECRET, t)},v1=${'0'.repeat(64)}`;
    expect(await post('live event, test signature plus a junk v1', body, both)).toMatchObject({ status: 400, code: 'stripe_mode_mismatch' });
    // Through the emulator's own sender too: the exact bytes and headers Stripe would send.
    tried.push('live event via the sender, test secret');
    const sent = await stack.emulator.sendEvent(completed.id, { secret: STRIPE_WEBHOOK_SECRET });
    expect(sent.status).toBe(400);
    refused.push('live event via the sender, test secret');
    expect(JSON.parse(sent.body).error.code).toBe('stripe_mode_mismatch');

    expect(await rows(completed.id)).toBe(0);

    // The same live session relabelled test mode and signed with the test secret is a genuine test-mode event:
    // accepted, but it is routed to staging, where the live order does not exist (nor, on Stripe, the session):
    // it ends failed and the live order is untouched.
    const relabelled = JSON.stringify({ ...completed, id: 'evt_relabelled_live_session', livemode: false });
    const accepted = await post('live session relabelled test mode, test secret', relabelled, stack.emulator.signPayload(relabelled, STRIPE_WEBHOOK_SECRET));
    expect(accepted.status).toBe(200);
    genuine.push('live session relabelled test mode, test secret');
    const settled = await waitFor('the relabelled event processed', async () => {
      const [row] = await stack.sql<{ status: string }>('SELECT status FROM stripe_events WHERE id = $1', ['evt_relabelled_live_session']);
      return row && row.status !== 'received' ? row : null;
    });
    expect(settled.status).toBe('failed');
    const [order] = await stack.sql<{ status: string }>('SELECT status FROM orders WHERE id = $1', [checkout.order_id]);
    expect(order.status).toBe('pending');
    expect(await stack.sql('SELECT 1 FROM invoices WHERE order_id = $1', [checkout.order_id])).toEqual([]);

    // The genuine delivery, signed with the live endpoint's secret, goes through: legal series, no TEST prefix.
    tried.push('live event, live secret (genuine)');
    genuine.push('live event, live secret (genuine)');
    expect((await stack.emulator.sendEvent(completed.id)).status).toBe(200);
    const [invoice] = await waitFor('the live invoice', () => stack.sql<{ number: string; environment: string }>('SELECT number, environment FROM invoices WHERE order_id = $1', [checkout.order_id]));
    expect(invoice.environment).toBe('production');
    expect(invoice.number).toMatch(/^FRG-\d{4}-\d{6}$/);
  });

  it('refuses a test event signed with a live secret, and malformed modes, storing nothing', async () => {
    const t = Math.floor(Date.now() / 1000);
    const event = (livemode: unknown, id: string) => JSON.stringify({ ...stack.emulator.buildEvent('checkout.session.expired', { object: 'checkout.session', id: 'cs_test_x', metadata: {} }, false), id, livemode });
    const vectors: [string, string, string, string][] = [
      ['test event, live secret', event(false, 'evt_forge_1'), STRIPE_LIVE_WEBHOOK_SECRET, 'stripe_mode_mismatch'],
      ['test event, rotated-out live secret', event(false, 'evt_forge_2'), OLD_LIVE_SECRET, 'stripe_mode_mismatch'],
      ['livemode "true" as a string, test secret', event('true', 'evt_forge_3'), STRIPE_WEBHOOK_SECRET, 'validation_failed'],
      ['livemode 1, live secret', event(1, 'evt_forge_4'), STRIPE_LIVE_WEBHOOK_SECRET, 'validation_failed'],
      ['livemode missing, test secret', event(undefined, 'evt_forge_5'), STRIPE_WEBHOOK_SECRET, 'validation_failed'],
      ['live event, unknown secret', event(true, 'evt_forge_6'), 'whsec_guessed', 'invalid_stripe_signature'],
      ['live event, live secret but stale', event(true, 'evt_forge_7'), STRIPE_LIVE_WEBHOOK_SECRET, 'invalid_stripe_signature'],
    ];
    for (const [vector, body, secret, code] of vectors) {
      const stale = vector.includes('stale') ? t - 301 : t;
      expect({ vector, ...(await post(vector, body, stack.emulator.signPayload(body, secret, stale))) }).toMatchObject({ vector, status: 400, code });
      expect(await rows(JSON.parse(body).id)).toBe(0);
    }
  });

  it('accepts each mode with its current and its rotated-out secret', async () => {
    const cases = [
      ['evt_rot_test_new', false, STRIPE_WEBHOOK_SECRET],
      ['evt_rot_test_old', false, OLD_TEST_SECRET],
      ['evt_rot_live_new', true, STRIPE_LIVE_WEBHOOK_SECRET],
      ['evt_rot_live_old', true, OLD_LIVE_SECRET],
    ] as const;
    for (const [id, livemode, secret] of cases) {
      const body = JSON.stringify({ ...stack.emulator.buildEvent('customer.created', { object: 'customer', id: 'cus_x', metadata: {} }, livemode), id });
      genuine.push(`genuine ${livemode ? 'live' : 'test'} event, ${secret}`);
      expect((await post(`genuine ${livemode ? 'live' : 'test'} event, ${secret}`, body, stack.emulator.signPayload(body, secret))).status).toBe(200);
      expect(await stack.sql('SELECT livemode FROM stripe_events WHERE id = $1', [id])).toEqual([{ livemode }]);
    }
  });
});
