import type { TestCard } from '@app/stripe-emulator';
import { TestStack } from './test-stack';
import { waitFor } from './wait-for';

/** What every payments test file starts from: the stack, a partner, and its staging endpoint at the stack's receiver. */
export async function startPaymentsStack(): Promise<{ stack: TestStack; token: string }> {
  const stack = await TestStack.start();
  const token = (await stack.createPartner()).api_keys.test;
  await stack.createEndpoint(token);
  return { stack, token };
}

/** POST that must succeed; the body on failure says why. */
export async function post(stack: TestStack, token: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await stack.http('POST', path, { token, body, headers });
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${res.buffer.toString()}`);
  return res.json;
}

export async function createCustomer(stack: TestStack, token: string, body: Record<string, unknown> = {}) {
  return post(stack, token, '/v1/customers', {
    external_id: `user-${Math.random().toString(36).slice(2, 8)}`,
    email: 'camille@example.test',
    name: 'Camille Martin',
    ...body,
  });
}

/** The seed's `me/payment` flow: a setup-mode checkout the customer completes with `card`. */
export async function saveCard(stack: TestStack, token: string, customerId: string, card: TestCard = 'visa') {
  const session = await post(stack, token, '/v1/checkout-sessions', { mode: 'setup', customer_id: customerId, success_url: 'https://shop.example.test/carte' });
  await stack.emulator.completeCheckoutSession(session.checkout_session_id, { card });
  await waitFor('the saved card', async () => {
    const res = await stack.http('GET', `/v1/customers/${customerId}`, { token });
    return res.json.payment_method?.saved_at ? res.json : null;
  });
  return session;
}

/** The partner's webhooks of one type whose data matches `pick`, parsed. */
export function eventsOf(stack: TestStack, type: string, pick: (data: any) => boolean = () => true): any[] {
  return stack.receiver
    .ofType(type)
    .map((r) => JSON.parse(r.body))
    .filter((e) => pick(e.data));
}

/**
 * Stripe events an operator would have to look at: neither processed nor knowingly ignored, once every event
 * received has been applied (the inbox claims a moment after each commit: one still `received` is on its way,
 * not stuck; one that stays so past the wait is reported).
 */
export async function stuckStripeEvents(stack: TestStack) {
  const inbox = () => stack.sql<{ n: number }>(`SELECT count(*)::int AS n FROM stripe_events WHERE status = 'received'`);
  await waitFor('every Stripe event received to be applied', async () => (await inbox())[0].n === 0 || null, 10_000).catch(() => undefined);
  return stack.sql<{ type: string; status: string; detail: string }>(
    `SELECT type, status, detail FROM stripe_events WHERE status NOT IN ('processed', 'ignored') ORDER BY received_at`,
  );
}
