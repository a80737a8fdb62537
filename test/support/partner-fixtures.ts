import { TestStack } from './test-stack';
import { waitFor } from './wait-for';

export interface TestPartner {
  id: string;
  api_keys: { test: string; live: string };
}

/** Creates a checkout, pays it on the emulator and waits until the order's invoice PDF exists. */
export async function paidOrder(stack: TestStack, token: string, ref = `REF-${Math.random().toString(36).slice(2, 8)}`) {
  const checkout = await stack.createCheckout(token, { partner_order_ref: ref });
  await stack.emulator.completeCheckoutSession(checkout.checkout_session_id);
  const [invoice] = await waitFor('the invoice PDF', () =>
    stack.sql<{ id: string; number: string }>('SELECT id, number FROM invoices WHERE order_id = $1 AND pdf_rendered_at IS NOT NULL', [checkout.order_id]),
  );
  return { orderId: checkout.order_id, invoiceId: invoice.id, invoiceNumber: invoice.number, ref };
}

/** The messages of one order, in creation order. */
export async function messagesOf(stack: TestStack, orderId: string) {
  return stack.sql<{ id: string; type: string }>('SELECT id, type FROM messages WHERE order_id = $1 ORDER BY created_at, id', [orderId]);
}
