import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { AppConfig } from '@app/config';
import { Partner, TenantScope, Tx } from '@app/database';
import { CreditNoteService, creditNotePdfUrl } from '@app/invoicing';
import { OutboxService } from '@app/webhooks';
import { orderCore } from './order-event.mapper';
import { OrderRepository } from './order.repository';
import { refundPaymentIntentOf } from './refund-event-fields';

/** Refund statuses that mean money went back; a pending one waits for its refund.updated. */
const DONE = 'succeeded';

/**
 * The refund cannot be credited yet: its order has no invoice, because the payment's own events have not
 * been processed (Stripe sends events in any order). The event is parked, not ignored, and processed again
 * once the invoice exists: a credit note needs the invoice it corrects.
 */
export class RefundWaiting {
  constructor(readonly reason: string) {}
}

/**
 * Stripe refund events -> one credit note per refund, the order's refunded
 * amount and status, and `order.refunded` for the partner, all in the
 * caller's transaction.
 */
@Injectable()
export class RefundService {
  private readonly logger = new Logger(RefundService.name);

  constructor(
    private readonly creditNotes: CreditNoteService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly orders: OrderRepository,
  ) {}

  /**
   * `listed` are the payment's refunds fetched from Stripe before the
   * transaction (for `charge.refunded`, whose charge does not carry them).
   * Returns null when something changed, why the event was ignored, or that it must wait for the invoice.
   */
  async apply(tx: Tx, partner: Partner, scope: TenantScope, event: Stripe.Event, listed: Stripe.Refund[] | null): Promise<string | null | RefundWaiting> {
    const paymentIntentId = refundPaymentIntentOf(event);
    if (!paymentIntentId) return `${event.type} without a payment_intent`;
    // Before its payment is processed the order does not know its PaymentIntent yet; a charge carries our order id.
    const orderId = (event.data.object as { metadata?: Record<string, string> | null }).metadata?.order_id;
    const order = await this.orders.lockForRefund(tx, scope, paymentIntentId, orderId);
    if (!order) return new RefundWaiting(`no order for payment ${paymentIntentId} yet`);
    const invoice = await this.orders.invoiceOfOrder(tx, scope, order.id);
    if (!invoice) return new RefundWaiting(`order ${order.id} has no invoice to credit yet (status ${order.status})`);

    const refunds = event.type === 'charge.refunded' ? (listed ?? []) : [event.data.object as Stripe.Refund];
    const done = refunds.filter((r) => r.status === DONE).sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
    let changed = false;
    const refusals: string[] = [];
    for (const refund of done) {
      const outcome = await this.creditNotes.issueForRefund(tx, scope, order, invoice, partner, {
        id: refund.id,
        amount: refund.amount,
        refundedAt: new Date(refund.created * 1000),
        reason: refund.reason ?? null,
      });
      if ('refused' in outcome) {
        refusals.push(outcome.refused);
        continue;
      }
      if (!outcome.created) continue;
      const cn = outcome.creditNote;
      order.amountRefunded += cn.amountTotal;
      order.status = order.amountRefunded >= order.amountTotal ? 'refunded' : 'partially_refunded';
      await this.orders.recordRefunded(tx, scope, order);
      await this.outbox.record(tx, scope, 'order.refunded', order.id, {
        order: { ...orderCore(order), amount_refunded: order.amountRefunded },
        credit_note: {
          id: cn.id,
          number: cn.number,
          amount: cn.amountTotal,
          pdf_url: creditNotePdfUrl(this.config.publicBaseUrl, cn.id),
          stripe_refund_id: cn.stripeRefundId,
        },
      });
      this.logger.log(`Order ${order.id} ${order.status} (${refund.id}); credit note ${cn.number}`);
      changed = true;
    }
    if (changed) return null;
    if (refusals.length) return refusals.join('; ');
    return done.length ? 'refunds already credited' : 'no succeeded refund yet';
  }
}
