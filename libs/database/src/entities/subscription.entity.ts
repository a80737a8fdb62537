import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';
import type { Locale, OrderLine } from './order.entity';

export type SubscriptionInterval = 'month' | 'year';

/**
 * A recurring basket. `incomplete` until the customer completes its Checkout Session; then Stripe's status
 * (active, past_due, unpaid, canceled, …). Each paid period becomes an order and our invoice.
 */
@Entity('subscriptions')
export class Subscription {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text') customerId: string;
  @Column('text', { nullable: true, unique: true }) checkoutSessionId: string | null;
  @Column('text', { nullable: true, unique: true }) stripeSubscriptionId: string | null;
  @Column('text') status: string;
  @Column('text', { nullable: true }) partnerRef: string | null;
  @Column('text') currency: string;
  @Column('jsonb') lineItems: OrderLine[];
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) amountTotal: number;
  @Column('boolean') pricesIncludeTax: boolean;
  @Column('text') interval: SubscriptionInterval;
  @Column('text') locale: Locale;
  @Column('timestamptz', { nullable: true }) currentPeriodStart: Date | null;
  @Column('timestamptz', { nullable: true }) currentPeriodEnd: Date | null;
  @Column('boolean', { default: false }) cancelAtPeriodEnd: boolean;
  @Column('timestamptz', { nullable: true }) canceledAt: Date | null;
  @Column('timestamptz', { nullable: true }) endedAt: Date | null;
  /** `created` of the Stripe event that last set the state (seconds). */
  @Column('bigint', { default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) stripeStateAt: number;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
