import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';
import type { Locale } from './order.entity';
import type { PostalAddress } from './partner.entity';

/** A business customer: the company invoiced, with its identifiers printed on the invoice. */
export interface CustomerBusiness {
  name: string;
  siren?: string | null;
  vat_number?: string | null;
}

/** The saved card as the partner may show it ("Visa •••• 4242, 12/28"); never a full number. */
export interface SavedPaymentMethod {
  type: string;
  brand: string | null;
  last4: string | null;
  exp_month: number | null;
  exp_year: number | null;
}

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
  @Column('jsonb', { nullable: true }) address: PostalAddress | null;
  @Column('text', { default: 'fr' }) locale: Locale;
  @Column('jsonb', { nullable: true }) business: CustomerBusiness | null;
  /** The card saved for charges made later (off-session), `pm_…`. */
  @Column('text', { nullable: true }) defaultPaymentMethodId: string | null;
  @Column('jsonb', { nullable: true }) paymentMethod: SavedPaymentMethod | null;
  /** The SetupIntent that saved it: the same one arriving twice saves (and tells the partner) once. */
  @Column('text', { nullable: true }) setupIntentId: string | null;
  @Column('timestamptz', { nullable: true }) paymentMethodSavedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
