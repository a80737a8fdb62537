import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Kept apart from `invoices` so listing invoices never drags the bytes along. */
@Entity('invoice_pdfs')
export class InvoicePdf {
  @PrimaryColumn('text') invoiceId: string;
  @Column('bytea') content: Buffer;
  @Column('text') sha256: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
