import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';
import type { Locale, OrderLine } from './order.entity';
import type { PostalAddress } from './partner.entity';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

export interface InvoiceSeller {
  legal_name: string;
  address: PostalAddress;
  siren: string;
  vat_number: string | null;
  email: string;
  legal_form?: string | null;
  share_capital?: number | null;
  rcs_city?: string | null;
  siret?: string | null;
}

export interface InvoiceBuyer {
  /** The person, or the company for a business buyer. */
  name: string | null;
  email: string | null;
  address?: PostalAddress | null;
  business?: boolean;
  contact_name?: string | null;
  vat_number?: string | null;
  siren?: string | null;
}

export interface InvoiceTerms {
  prices_include_tax?: boolean;
  late_penalty_rate?: number | null;
  vat_exemption_text?: string | null;
}

/**
 * A legal record: it keeps a copy of the seller, buyer and lines as they were
 * when it was issued, so later edits of the partner or order never change it.
 */
@Entity('invoices')
export class Invoice {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text', { unique: true }) orderId: string;
  @Column('text') number: string;
  @Column('int') fiscalYear: number;
  @Column('int') sequence: number;
  @Column('timestamptz') issuedAt: Date;
  @Column('text') currency: string;
  @Column('bigint', { transformer: bigint }) amountTotal: number;
  @Column('bigint', { transformer: bigint }) amountExcludingTax: number;
  @Column('bigint', { transformer: bigint }) amountTax: number;
  @Column('text') locale: Locale;
  @Column('jsonb') seller: InvoiceSeller;
  @Column('jsonb') buyer: InvoiceBuyer;
  @Column('jsonb') lines: OrderLine[];
  @Column('jsonb', { default: {} }) terms: InvoiceTerms;
  @Column('timestamptz') paidAt: Date;
  @Column('text', { nullable: true }) paymentMethod: string | null;
  @Column('timestamptz', { nullable: true }) pdfRenderedAt: Date | null;
  @Column('timestamptz', { nullable: true }) emailedAt: Date | null;
  @Column('text', { nullable: true }) emailError: string | null;
}
