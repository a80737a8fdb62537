import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `waiting`: a refund parked until its invoice exists; `failed`: every attempt failed, an operator retries it. */
export type StripeEventStatus = 'received' | 'processed' | 'unrouted' | 'ignored' | 'waiting' | 'failed';

/** The inbox: every verified Stripe event, committed before Stripe gets its 2xx. */
@Entity('stripe_events')
export class StripeEvent {
  /** Stripe's `evt_…`: a duplicate delivery hits the primary key and is acknowledged. */
  @PrimaryColumn('text') id: string;
  @Column('text') type: string;
  @Column('boolean') livemode: boolean;
  /** The body Stripe signed, as text (JSON, checked by the api before it is stored; see StripeEventRepository). */
  @Column('text') payload: string;
  @Column('text') status: StripeEventStatus;
  @Column('text', { nullable: true }) partnerId: string | null;
  @Column('text', { nullable: true }) detail: string | null;
  @Column('timestamptz', { default: () => 'now()' }) receivedAt: Date;
  @Column('timestamptz', { nullable: true }) processedAt: Date | null;
  /** Failed processing attempts since it was received (or last retried by an operator). */
  @Column('integer', { default: 0 }) attempts: number;
  /** The last failure, sanitised: no personal data or secrets. */
  @Column('text', { nullable: true }) lastError: string | null;
  @Column('timestamptz', { nullable: true }) failedAt: Date | null;
}
