import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';
import type { PostalAddress } from './partner.entity';

export type OrderStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'partially_refunded' | 'refunded';

/** What a (business) customer gives at checkout beyond email and name, printed on the invoice. */
export interface OrderBuyer {
  address?: PostalAddress | null;
  /** Set for a business buyer: the company invoiced. */
  company_name?: string | null;
  vat_number?: string | null;
  siren?: string | null;
}
export type Locale = 'fr' | 'en';

/** How the order was paid for: a Checkout Session, a saved card charged later, the Payment Element, a subscription period. */
export type OrderSource = 'checkout' | 'off_session_charge' | 'payment_element' | 'subscription';

/** What the partner should do about a failed payment. */
export type OrderNextAction = 'customer_action_required';

export interface OrderLine {
  name: string;
  quantity: number;
  /** Unit price in minor units, VAT-inclusive unless the order says otherwise (pricesIncludeTax). */
  unit_amount: number;
  /** Percent. */
  vat_rate: number;
  amount_total: number;
}

const bigint = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('orders')
export class Order {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text') status: OrderStatus;
  @Column('text', { nullable: true }) partnerOrderRef: string | null;
  @Column('text') currency: string;
  @Column('bigint', { transformer: bigint }) amountTotal: number;
  @Column('jsonb') lineItems: OrderLine[];
  @Column('text', { nullable: true }) customerId: string | null;
  @Column('text', { nullable: true }) customerEmail: string | null;
  @Column('text', { nullable: true }) customerName: string | null;
  @Column('text', { nullable: true }) stripeCustomerId: string | null;
  @Column('text') locale: Locale;
  @Column('text', { nullable: true, unique: true }) checkoutSessionId: string | null;
  @Column('text', { nullable: true }) paymentIntentId: string | null;
  @Column('text', { nullable: true }) paymentMethodType: string | null;
  @Column('text', { nullable: true }) failureReason: string | null;
  /** The Stripe event that made the order paid, for the partner's reconciliation. */
  @Column('text', { nullable: true }) paidEventId: string | null;
  @Column('timestamptz', { nullable: true }) paidAt: Date | null;
  /** Sum of the refunds that have a credit note, minor units. */
  @Column('bigint', { transformer: bigint, default: 0 }) amountRefunded: number;
  @Column('boolean', { default: true }) pricesIncludeTax: boolean;
  @Column('jsonb', { nullable: true }) buyer: OrderBuyer | null;
  @Column('text', { default: 'checkout' }) source: OrderSource;
  /** Stripe's decline code of the last failed payment (`insufficient_funds`, `authentication_required`, …). */
  @Column('text', { nullable: true }) declineCode: string | null;
  @Column('text', { nullable: true }) nextAction: OrderNextAction | null;
  /** The partner's Idempotency-Key of the charge that created the order. */
  @Column('text', { nullable: true }) idempotencyKey: string | null;
  @Column('text', { nullable: true }) subscriptionId: string | null;
  /** For a subscription period: the Stripe invoice it pays (one order per Stripe invoice). */
  @Column('text', { nullable: true, unique: true }) stripeInvoiceId: string | null;
  @Column('timestamptz', { nullable: true }) periodStart: Date | null;
  @Column('timestamptz', { nullable: true }) periodEnd: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
