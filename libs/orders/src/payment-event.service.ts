import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { newId, Order, OrderLine, Partner, scopeFromEventRouting, StripeEventStatus, TenantScope, Tx, UnitOfWork } from '@app/database';
import { PartnerRepository } from '@app/partners';
import { StripeClient, StripeEventOutcome, StripeEventRepository } from '@app/stripe';
import { OutboxService } from '@app/webhooks';
import { CustomerRepository } from './customer.repository';
import { orderExpiredData } from './order-event.mapper';
import { OrderEventKeys, OrderRepository } from './order.repository';
import { OrderSettlement } from './order-settlement';
import { canTransition } from './order-transitions';
import { isRefundEvent, refundPaymentIntentOf } from './refund-event-fields';
import { RefundService, RefundWaiting } from './refund.service';
import { SavedCardHandler, SavedCardPrefetch } from './saved-card.handler';
import { collectedAddressOf, declineCodeOf, declineReasonOf, EventSubject, idOf, onlyPaymentMethodOf, paymentMethodTypeOf, subjectOf } from './stripe-event-fields';
import { SubscriptionEventHandler } from './subscription-event.handler';
import { addLogContext, metrics, withLogContext } from '@app/observability';
import { BatchWrites, KnownOrders, mapLimit, orderKeysOf } from './inbox-batch.util';


interface Route {
  partner: Partner;
  scope: TenantScope;
}

/** What must be fetched from Stripe before the transaction (no network calls while rows are locked). */
interface Prefetched {
  lines: OrderLine[] | null;
  paymentIntent: Stripe.PaymentIntent | null;
  /** For charge.refunded: the payment's refunds, which the charge no longer carries. */
  refunds: Stripe.Refund[] | null;
  savedCard: SavedCardPrefetch | null;
  /** For payment_intent.succeeded of a Checkout order: its session, for what the customer typed there. */
  checkoutSession: Stripe.Checkout.Session | null;
}

/** A claimed inbox row. */
export interface InboxEvent {
  id: string;
  status: StripeEventStatus;
  payload: Record<string, unknown>;
}

/** An event routed and prefetched, ready for the transaction. */
interface Prepared {
  id: string;
  event: Stripe.Event;
  subject: EventSubject;
  route: Route | null;
  prefetched: Prefetched;
}

function tenantKey(p: Prepared): string {
  return p.route ? `${p.route.partner.id}/${p.route.scope.environment}` : '';
}

/** Stripe calls of a batch in flight at once (in tests and in production they are network round trips). */
const PREFETCH_CONCURRENCY = 4;

const NOTHING_FETCHED: Prefetched = { lines: null, paymentIntent: null, refunds: null, savedCard: null, checkoutSession: null };

const PAID_SESSION_STATUSES = new Set(['paid', 'no_payment_required']);

/** Events still to process: just received, or a refund waiting for its invoice (see RefundWaiting). */
const PENDING = new Set<StripeEventStatus>(['received', 'waiting']);

/**
 * Turns a batch of stored Stripe events into order changes, and those into
 * invoices and partner messages, in one transaction. Running an event twice,
 * or running events out of order, changes nothing more.
 */
@Injectable()
export class PaymentEventService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly partnerRows: PartnerRepository,
    private readonly stripe: StripeClient,
    private readonly outbox: OutboxService,
    private readonly refunds: RefundService,
    private readonly settlement: OrderSettlement,
    private readonly savedCards: SavedCardHandler,
    private readonly subscriptions: SubscriptionEventHandler,
    private readonly orders: OrderRepository,
    private readonly customers: CustomerRepository,
    private readonly inbox: StripeEventRepository,
  ) {}

  /**
   * Applies these events, in this order, in ONE transaction (the messages it records wake the delivery engine at commit). The
   * Stripe calls and the routing reads run before it (no network calls while rows are locked); in it, one
   * statement locks the events, one the orders they name, one records every outcome. Throws when any event
   * fails: nothing of the batch is then committed, and the caller applies the events one by one.
   */
  async applyBatch(events: InboxEvent[]): Promise<void> {
    const pending = events.filter((e) => PENDING.has(e.status));
    if (pending.length === 0) return;
    const partners = await this.partnersNamedBy(pending);
    const routed = await mapLimit(pending, PREFETCH_CONCURRENCY, (e) => this.routeStored(e, partners));
    // What the Stripe calls are decided on, in one read for the batch (the transaction locks and reads them again).
    const before = new KnownOrders(await this.orders.findAllByKeys(this.orderLookups(routed)));
    const prepared = await mapLimit(routed, PREFETCH_CONCURRENCY, (r) => withLogContext({ stripe_event_id: r.id }, () => this.prefetchRouted(r, before)));
    const counted: { type: string; status: StripeEventStatus }[] = [];

    await this.uow.run(async (tx) => {
      const still = await this.inbox.lockStillPending(tx, prepared.map((p) => p.id));
      // Grouped by tenant, each group in the inbox's order: two batches then take partners' invoice-number locks
      // in the same order (no deadlock between workers), and events of one order keep their order.
      const todo = prepared.filter((p) => still.has(p.id)).sort((x, y) => tenantKey(x).localeCompare(tenantKey(y)));
      const known = new KnownOrders(await this.orders.lockAllByKeys(tx, this.orderLookups(todo)));
      const batch = new BatchWrites(tx, this.orders, this.settlement);
      const outcomes: StripeEventOutcome[] = [];
      for (const p of todo) {
        // A refund, saved-card or subscription handler reads orders and invoices itself: the batch's writes come first.
        if (!this.usesOrderPath(p.event, p.subject)) await batch.flush();
        outcomes.push(await withLogContext({ stripe_event_id: p.id }, () => this.applyOne(tx, p, known, batch)));
        counted.push({ type: p.event.type, status: outcomes[outcomes.length - 1].status });
      }
      await batch.flushOrders();
      await this.inbox.recordOutcomes(tx, outcomes);
      await batch.flush();
    });
    for (const c of counted) metrics.stripeEventsProcessed.inc({ type: c.type, result: c.status });
  }

  private async routeStored(stored: InboxEvent, partners: Map<string, Partner>): Promise<Omit<Prepared, 'prefetched'>> {
    const event = stored.payload as unknown as Stripe.Event;
    const subject = subjectOf(event);
    return { id: stored.id, event, subject, route: await this.route(event, subject, partners) };
  }

  private async prefetchRouted(routed: Omit<Prepared, 'prefetched'>, before: KnownOrders): Promise<Prepared> {
    const prefetched = routed.route ? await this.prefetch(routed.route, routed.event, routed.subject, before) : NOTHING_FETCHED;
    return { ...routed, prefetched };
  }

  /** The orders the batch's order-path events name, each under its event's scope. */
  private orderLookups(events: Omit<Prepared, 'prefetched'>[]): { scope: TenantScope; keys: OrderEventKeys }[] {
    return events.filter((p) => p.route && this.usesOrderPath(p.event, p.subject)).map((p) => ({ scope: p.route!.scope, keys: orderKeysOf(p.subject) }));
  }

  private async applyOne(tx: Tx, p: Prepared, known: KnownOrders, batch: BatchWrites): Promise<StripeEventOutcome> {
    const { id, event, subject, route } = p;
    if (!route) {
      const detail = subject.metadata.partner_id ? `unknown partner ${subject.metadata.partner_id}` : 'no partner_id in metadata';
      return { id, status: 'unrouted', detail, partnerId: null };
    }
    const outcome = await this.apply(tx, route, event, subject, p.prefetched, known, batch);
    if (outcome instanceof RefundWaiting) return { id, status: 'waiting', detail: outcome.reason, partnerId: route.partner.id };
    if (outcome) return { id, status: 'ignored', detail: outcome, partnerId: route.partner.id };
    return { id, status: 'processed', detail: null, partnerId: route.partner.id };
  }

  /** The partners the events' metadata names, in one read (the others are found through their order or customer). */
  private async partnersNamedBy(events: InboxEvent[]): Promise<Map<string, Partner>> {
    const ids = [...new Set(events.map((e) => subjectOf(e.payload as unknown as Stripe.Event).metadata.partner_id).filter((id): id is string => !!id))];
    const found = await this.partnerRows.byIds(ids);
    return new Map(found.map((p) => [p.id, p]));
  }

  private async route(event: Stripe.Event, subject: EventSubject, partners: Map<string, Partner>): Promise<Route | null> {
    const partnerId = subject.metadata.partner_id ?? (await this.partnerOfRefund(event)) ?? (await this.partnerOfCustomer(event));
    if (!partnerId) return null;
    const partner = partners.get(partnerId) ?? (await this.partnerRows.byId(partnerId));
    if (!partner) return null;
    return { partner, scope: scopeFromEventRouting(partner, event.livemode) };
  }

  /** Events that find their order through findOrder (the others' handlers read and write orders themselves). */
  private usesOrderPath(event: Stripe.Event, subject: EventSubject): boolean {
    return !isRefundEvent(event) && !this.savedCards.handles(event, subject) && !this.subscriptions.handles(event) && subject.checkoutSession?.mode !== 'subscription';
  }

  /** A refund carries none of our metadata: its payment's order says whose it is. */
  private async partnerOfRefund(event: Stripe.Event): Promise<string | null> {
    const paymentIntentId = refundPaymentIntentOf(event);
    if (!paymentIntentId) return null;
    return this.orders.partnerOfPaymentIntent(event.livemode ? 'production' : 'staging', paymentIntentId);
  }

  /**
   * Objects we did not create carry none of our metadata: a card (attached, or detached with the customer in
   * `previous_attributes`), or the PaymentIntent Stripe makes for a subscription's invoice. Their customer says
   * whose they are; the event is then recorded against that partner (processed or ignored), not left unrouted.
   */
  private async partnerOfCustomer(event: Stripe.Event): Promise<string | null> {
    if (!event.type.startsWith('payment_method.') && !event.type.startsWith('payment_intent.')) return null;
    const previous = event.data.previous_attributes as { customer?: string } | undefined;
    const stripeCustomerId = idOf((event.data.object as { customer?: string | { id: string } | null }).customer) ?? previous?.customer ?? null;
    if (!stripeCustomerId) return null;
    return this.customers.partnerOfStripeCustomer(event.livemode ? 'production' : 'staging', stripeCustomerId);
  }

  private async prefetch(route: Route, event: Stripe.Event, subject: EventSubject, before: KnownOrders): Promise<Prefetched> {
    const stripe = this.stripe.for(route.scope.environment);
    if (this.savedCards.handles(event, subject)) return { ...NOTHING_FETCHED, savedCard: await this.savedCards.prefetch(route.scope, event, subject) };
    if (this.subscriptions.handles(event)) return { ...NOTHING_FETCHED, paymentIntent: await this.subscriptions.prefetch(route.scope, subject) };
    if (subject.checkoutSession?.mode === 'subscription') return NOTHING_FETCHED;
    if (isRefundEvent(event)) {
      const paymentIntentId = refundPaymentIntentOf(event);
      const listed = event.type === 'charge.refunded' && paymentIntentId
        ? await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }).autoPagingToArray({ limit: 1000 })
        : null;
      return { ...NOTHING_FETCHED, refunds: listed };
    }
    let lines: OrderLine[] | null = null;
    const session = subject.checkoutSession;
    if (session && !before.find(route.scope, orderKeysOf(subject))) {
      // A session we did not create (or whose order insert failed): its lines come from Stripe.
      const items = await stripe.checkout.sessions.listLineItems(session.id, { limit: 100 });
      lines = items.data.map((li) => ({
        name: li.description ?? 'Article',
        quantity: li.quantity ?? 1,
        unit_amount: li.price?.unit_amount ?? Math.round(li.amount_total / (li.quantity ?? 1)),
        vat_rate: route.partner.defaultVatRate,
        amount_total: li.amount_total,
      }));
    }
    let paymentIntent = subject.paymentIntent;
    const piId = idOf(session?.payment_intent);
    // Only to learn how it was paid: a session that allowed a single method already says (a round trip saved per order).
    if (!paymentIntent && piId && this.isPaymentEvent(event, session) && !onlyPaymentMethodOf(session)) {
      paymentIntent = await stripe.paymentIntents.retrieve(piId);
    }
    return { ...NOTHING_FETCHED, lines, paymentIntent, checkoutSession: await this.sessionOfCheckoutPayment(route, event, subject, before) };
  }

  /**
   * Stripe sends a Checkout payment's payment_intent.succeeded and checkout.session.completed in either order, and
   * the first one issues the invoice. Only the session carries what the customer typed on the page (the address),
   * so a PaymentIntent event for an order still to be paid reads its session first.
   */
  private async sessionOfCheckoutPayment(route: Route, event: Stripe.Event, subject: EventSubject, before: KnownOrders): Promise<Stripe.Checkout.Session | null> {
    if (event.type !== 'payment_intent.succeeded' || subject.checkoutSession) return null;
    const order = before.find(route.scope, orderKeysOf(subject));
    if (!order?.checkoutSessionId || !canTransition(order.status, 'paid') || order.buyer?.address) return null;
    return this.stripe.for(route.scope.environment).checkout.sessions.retrieve(order.checkoutSessionId);
  }

  private isPaymentEvent(event: Stripe.Event, session: Stripe.Checkout.Session | null): boolean {
    return event.type === 'checkout.session.async_payment_succeeded' ||
      (event.type === 'checkout.session.completed' && PAID_SESSION_STATUSES.has(session?.payment_status ?? ''));
  }

  /** Returns null when the event changed something, or why it was ignored. */
  private async apply(tx: Tx, route: Route, event: Stripe.Event, subject: EventSubject, pre: Prefetched, known: KnownOrders, batch: BatchWrites): Promise<string | null | RefundWaiting> {
    // These handlers change orders behind the batch's copies: later events of the batch read them again.
    if (!this.usesOrderPath(event, subject)) known.forget();
    if (isRefundEvent(event)) return this.refunds.apply(tx, route.partner, route.scope, event, pre.refunds);
    if (this.savedCards.handles(event, subject)) return this.savedCards.apply(tx, route.scope, event, subject, pre.savedCard);
    if (this.subscriptions.handles(event)) return this.subscriptions.apply(tx, route.partner, route.scope, event, subject, pre.paymentIntent);
    // The subscription's own events (customer.subscription.*, invoice.*) drive it; its session adds nothing.
    if (subject.checkoutSession?.mode === 'subscription') return 'a subscription checkout: its subscription and invoice events drive it';
    const session = subject.checkoutSession;
    const order = session
      ? await this.findOrCreateSessionOrder(tx, route, event, session, pre.lines, known)
      : await this.lockedOrder(tx, route.scope, orderKeysOf(subject), known);
    if (!order) return `no order for ${event.type}`;
    addLogContext({ order_id: order.id });
    const piId = idOf(session?.payment_intent) ?? subject.paymentIntent?.id ?? null;
    if (piId && !order.paymentIntentId) order.paymentIntentId = piId;
    if (session?.customer_details?.email && !order.customerEmail) order.customerEmail = session.customer_details.email;
    if (session?.customer_details?.name && !order.customerName) order.customerName = session.customer_details.name;
    // The invoice states the buyer's address: the one the partner gave wins, else the one Stripe collected.
    const collected = collectedAddressOf(session ?? pre.checkoutSession);
    if (collected && !order.buyer?.address) order.buyer = { ...order.buyer, address: collected };

    switch (event.type) {
      case 'checkout.session.completed':
        if (PAID_SESSION_STATUSES.has(session!.payment_status)) return this.markPaid(tx, route, order, event, pre.paymentIntent, batch, session);
        batch.changed(route.scope, order); // delayed method (SEPA debit): stays pending until async_payment_*
        return null;
      case 'checkout.session.async_payment_succeeded':
      case 'payment_intent.succeeded':
        return this.markPaid(tx, route, order, event, pre.paymentIntent, batch, session);
      case 'checkout.session.async_payment_failed':
        return this.settlement.markFailed(tx, route.scope, order, { reason: declineReasonOf(pre.paymentIntent) ?? 'async_payment_failed', declineCode: declineCodeOf(pre.paymentIntent) }, batch);
      case 'payment_intent.payment_failed':
        return this.settlement.markFailed(tx, route.scope, order, { reason: declineReasonOf(subject.paymentIntent) ?? 'payment_failed', declineCode: declineCodeOf(subject.paymentIntent) }, batch);
      case 'payment_intent.canceled':
      case 'checkout.session.expired':
        if (!canTransition(order.status, 'expired')) return `order already ${order.status}`;
        order.status = 'expired';
        batch.changed(route.scope, order);
        await this.outbox.record(tx, route.scope, 'order.expired', order.id, orderExpiredData(order));
        return null;
      default:
        return `event type ${event.type} is not handled`;
    }
  }

  private markPaid(
    tx: Tx,
    route: Route,
    order: Order,
    event: Stripe.Event,
    intent: Stripe.PaymentIntent | null,
    batch: BatchWrites,
    session: Stripe.Checkout.Session | null,
  ): Promise<string | null> {
    const payment = { eventId: event.id, paidAt: new Date(event.created * 1000), paymentMethodType: paymentMethodTypeOf(intent) ?? onlyPaymentMethodOf(session) };
    return this.settlement.markPaid(tx, route.partner, route.scope, order, payment, batch);
  }

  /**
   * The order, locked: the batch's copy when it locked it already, else read (and locked) now and shared from then
   * on, since the batch writes its changes at the end (a second event of the batch must see the first's).
   */
  private async lockedOrder(tx: Tx, scope: TenantScope, keys: OrderEventKeys, known: KnownOrders): Promise<Order | null> {
    const hit = known.find(scope, keys);
    if (hit) return hit;
    const order = await this.orders.findByKeys(tx, scope, keys, true);
    if (order) known.add(order);
    return order;
  }

  private async findOrCreateSessionOrder(tx: Tx, route: Route, event: Stripe.Event, session: Stripe.Checkout.Session, lines: OrderLine[] | null, known: KnownOrders): Promise<Order | null> {
    const subject = subjectOf(event);
    const existing = await this.lockedOrder(tx, route.scope, orderKeysOf(subject), known);
    if (existing || !lines) return existing;
    await this.orders.insertIfAbsent(tx, route.scope, {
      id: session.metadata?.order_id ?? newId('ord'),
      status: 'pending',
      partnerOrderRef: session.client_reference_id ?? null,
      currency: session.currency ?? 'eur',
      amountTotal: session.amount_total ?? lines.reduce((s, l) => s + l.amount_total, 0),
      lineItems: lines,
      customerEmail: session.customer_details?.email ?? session.customer_email ?? null,
      customerName: session.customer_details?.name ?? null,
      stripeCustomerId: idOf(session.customer),
      locale: session.locale === 'en' ? 'en' : 'fr',
      checkoutSessionId: session.id,
    });
    // By session id within the routed scope: another partner's order for this session stays out of reach.
    return this.lockedOrder(tx, route.scope, { checkoutSessionId: session.id }, known);
  }
}
