import { Injectable, Logger } from '@nestjs/common';
import { newId, Order, Partner, TenantScope, Tx } from '@app/database';
import { INVOICE_NUMBER_PLACEHOLDER, InvoiceRequest, InvoiceService } from '@app/invoicing';
import { currentLogContext, LogFields, withLogContext } from '@app/observability';
import { OutboxService } from '@app/webhooks';
import { orderPaidData, orderPaymentFailedData } from './order-event.mapper';
import { OrderRepository } from './order.repository';
import { canTransition } from './order-transitions';

/**
 * Work the caller schedules once the transaction is committed: the deliveries it wrote. Invoices and credit notes
 * need nothing here (their issuing statement wakes the DocumentStage).
 */
export interface Payment {
  eventId: string;
  paidAt: Date;
  paymentMethodType: string | null;
}

/**
 * What a batch of Stripe events puts off to the end of its transaction: the orders' changes (written together in
 * one statement) and the invoice issuances (see markPaid).
 */
export interface ApplyingBatch {
  /** The invoice is issued at the end of the batch, with the batch's other invoices of the scope (issueDeferred). */
  defer(scope: TenantScope, partner: Partner, invoice: DeferredInvoice): void;
  /** The order was changed; the batch writes it with the others (OrderRepository.saveApplied). */
  changed(scope: TenantScope, order: Order): void;
}

/** An invoice a batch issues at its end; logged, once issued, in the log context of the event that paid. */
export interface DeferredInvoice {
  request: InvoiceRequest;
  eventId: string;
  logContext: LogFields;
}

export interface PaymentFailure {
  reason: string;
  declineCode: string | null;
}

/**
 * The end of every payment flow, whichever Stripe object reported it: the order becomes paid (invoice number,
 * `order.paid`) or failed (`order.payment_failed`), once, in the caller's transaction.
 */
@Injectable()
export class OrderSettlement {
  private readonly logger = new Logger(OrderSettlement.name);

  constructor(
    private readonly invoices: InvoiceService,
    private readonly outbox: OutboxService,
    private readonly orders: OrderRepository,
  ) {}

  /**
   * `batch`, when given, receives the order's change and the invoice's issuance instead of running them now: a
   * batch of events runs them all at the end of its transaction, so the partner's invoice-number lock is held for
   * those statements only, not for the whole batch.
   */
  async markPaid(tx: Tx, partner: Partner, scope: TenantScope, order: Order, payment: Payment, batch?: ApplyingBatch): Promise<string | null> {
    if (!canTransition(order.status, 'paid')) return `order already ${order.status}`;
    order.status = 'paid';
    order.paidAt = payment.paidAt;
    order.paidEventId = payment.eventId;
    order.failureReason = null;
    order.declineCode = null;
    order.nextAction = null;
    order.paymentMethodType = payment.paymentMethodType ?? order.paymentMethodType;
    await this.save(tx, scope, order, batch);
    // Everything that does not need the invoice number is done before it is taken: the number's row lock then lasts
    // one statement (number, invoice, order.paid and its deliveries) and the commit.
    const invoiceId = newId('inv');
    const announcement = this.outbox.prepare('order.paid', order.id, orderPaidData(order, { id: invoiceId, number: INVOICE_NUMBER_PLACEHOLDER }));
    const deferred: DeferredInvoice = {
      request: { order, paymentMethod: order.paymentMethodType, invoiceId, message: announcement },
      eventId: payment.eventId,
      logContext: currentLogContext(),
    };
    if (batch) batch.defer(scope, partner, deferred);
    else await this.issueDeferred(tx, scope, partner, [deferred]);
    return null;
  }

  /**
   * Issues these invoices of the scope's partner, in this order, in one statement (the partner's number lock is
   * then held for that statement and the commit, however many there are).
   */
  async issueDeferred(tx: Tx, scope: TenantScope, partner: Partner, deferred: DeferredInvoice[]): Promise<void> {
    const issued = await this.invoices.issueAndAnnounceAll(tx, scope, partner, deferred.map((d) => d.request));
    for (const [i, { invoice }] of issued.entries()) {
      const { request, eventId, logContext } = deferred[i];
      withLogContext(logContext, () => this.logger.log(`Order ${request.order.id} paid (${eventId}); invoice ${invoice.number}`));
    }
  }

  async markFailed(tx: Tx, scope: TenantScope, order: Order, failure: PaymentFailure, batch?: ApplyingBatch): Promise<string | null> {
    if (!canTransition(order.status, 'failed')) return `order already ${order.status}`;
    order.status = 'failed';
    order.failureReason = failure.reason;
    order.declineCode = failure.declineCode;
    // A saved card charged while the customer was away: only the customer can fix it (authenticate, change card).
    order.nextAction = order.source === 'off_session_charge' ? 'customer_action_required' : null;
    await this.save(tx, scope, order, batch);
    await this.outbox.record(tx, scope, 'order.payment_failed', order.id, orderPaymentFailedData(order));
    return null;
  }

  private async save(tx: Tx, scope: TenantScope, order: Order, batch: ApplyingBatch | undefined): Promise<void> {
    if (batch) batch.changed(scope, order);
    else await this.orders.saveApplied(tx, [{ scope, order }]);
  }
}
