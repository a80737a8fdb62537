import { Column, Entity, PrimaryColumn } from 'typeorm';

export type StripeEventStatus = 'received' | 'processed' | 'unrouted' | 'ignored';

/** The inbox: every verified Stripe event, committed before Stripe gets its 2xx. */
@Entity('stripe_events')
export class StripeEvent {
  /** Stripe's `evt_…`: a duplicate delivery hits the primary key and is acknowledged. */
  @PrimaryColumn('text') id: string;
  @Column('text') type: string;
  @Column('boolean') livemode: boolean;
  @Column('json') payload: Record<string, unknown>;
  @Column('text') status: StripeEventStatus;
  @Column('text', { nullable: true }) partnerId: string | null;
  @Column('text', { nullable: true }) detail: string | null;
  @Column('timestamptz', { default: () => 'now()' }) receivedAt: Date;
  @Column('timestamptz', { nullable: true }) processedAt: Date | null;
}
