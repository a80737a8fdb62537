import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';
import type { InvoiceBuyer, InvoiceSeller, InvoiceTerms } from './invoice.entity';
import type { Locale, OrderLine } from './order.entity';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * An "avoir" (UNTDID 1001 type 381): one per Stripe refund, numbered in the
 * partner's credit-note series, amounts positive, referencing the invoice it
 * corrects. Like an invoice, a frozen legal record.
 */
@Entity('credit_notes')
export class CreditNote {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text') orderId: string;
  @Column('text') invoiceId: string;
  @Column('text') stripeRefundId: string;
  @Column('text') number: string;
  @Column('int') fiscalYear: number;
  @Column('int') sequence: number;
  @Column('timestamptz') issuedAt: Date;
  @Column('timestamptz') refundedAt: Date;
  @Column('text') currency: string;
  @Column('bigint', { transformer: bigint }) amountTotal: number;
  @Column('bigint', { transformer: bigint }) amountExcludingTax: number;
  @Column('bigint', { transformer: bigint }) amountTax: number;
  @Column('text') locale: Locale;
  @Column('jsonb') seller: InvoiceSeller;
  @Column('jsonb') buyer: InvoiceBuyer;
  @Column('jsonb') lines: OrderLine[];
  @Column('jsonb', { default: {} }) terms: InvoiceTerms;
  @Column('text') invoiceNumber: string;
  @Column('timestamptz') invoiceIssuedAt: Date;
  @Column('text', { nullable: true }) paymentMethod: string | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('timestamptz', { nullable: true }) pdfRenderedAt: Date | null;
  @Column('timestamptz', { nullable: true }) emailedAt: Date | null;
  @Column('text', { nullable: true }) emailError: string | null;
}
