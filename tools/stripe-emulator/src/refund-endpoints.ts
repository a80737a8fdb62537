import { ApiContext } from './api-request-handler';
import { EmulatorStore } from './emulator-store';
import { LIST_PARAMS, listPage } from './list-page';
import { REFUND_REASONS, RefundFlow } from './refund-flow';
import { StripeApiError } from './stripe-api-error';
import { ListObject, PaymentIntentObject, RefundObject, StripeEventLike } from './stripe-objects';

/** /v1/refunds: create (by payment_intent or charge), retrieve, list. */
export class RefundEndpoints {
  constructor(
    private readonly store: EmulatorStore,
    private readonly flow: RefundFlow,
    /** Sends the events a request caused; awaited, as on Stripe a webhook may arrive before the response. */
    private readonly deliver: (events: StripeEventLike[]) => Promise<void>,
  ) {}

  async create(ctx: ApiContext): Promise<RefundObject> {
    const { params, livemode } = ctx;
    params.assertKnown({ payment_intent: true, charge: true, amount: true, reason: true, metadata: 'map', expand: [true] });
    const intentId = params.string('payment_intent');
    const chargeId = params.string('charge');
    if (!intentId && !chargeId) throw StripeApiError.parameterMissing('payment_intent', 'One of the following params should be provided for this request: payment_intent or charge.');
    if (intentId && chargeId) throw StripeApiError.invalid('charge', 'You passed both payment_intent and charge; pass only one.');
    const intent = intentId ? this.store.paymentIntents.get(intentId, livemode, 'payment_intent') : this.intentOfCharge(chargeId!, livemode);
    const { refund, events } = this.flow.refund(
      intent,
      { amount: params.int('amount', 1) ?? undefined, reason: params.enum('reason', REFUND_REASONS), metadata: params.metadata('metadata') },
      ctx.request,
    );
    await this.deliver(events);
    return { ...refund };
  }

  retrieve(ctx: ApiContext): RefundObject {
    ctx.params.assertKnown({ expand: [true] });
    return { ...this.store.refunds.get(ctx.path.id, ctx.livemode) };
  }

  list(ctx: ApiContext): ListObject<RefundObject> {
    ctx.params.assertKnown({ ...LIST_PARAMS, payment_intent: true, charge: true, created: true });
    const intent = ctx.params.string('payment_intent');
    const charge = ctx.params.string('charge');
    const refunds = this.store.refunds
      .list(ctx.livemode)
      .filter((r) => (intent === null || r.payment_intent === intent) && (charge === null || r.charge === charge));
    return listPage(refunds, ctx.params, '/v1/refunds', 'refund');
  }

  private intentOfCharge(chargeId: string, livemode: boolean): PaymentIntentObject {
    const intent = this.store.paymentIntents.list(livemode).find((pi) => pi.latest_charge === chargeId);
    if (!intent) throw StripeApiError.resourceMissing('charge', chargeId, 'charge');
    return intent;
  }
}
