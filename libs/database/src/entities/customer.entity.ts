import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';

/** A partner's customer and its Stripe Customer (the seed's `user_stripe_id`). */
@Entity('customers')
export class Customer {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  /** The partner's own id for this customer, or `email:<address>` when it gave none. */
  @Column('text') lookupKey: string;
  @Column('text', { nullable: true }) externalId: string | null;
  @Column('text') email: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text') stripeCustomerId: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
