import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface PostalAddress {
  line1: string;
  line2?: string | null;
  postal_code: string;
  city: string;
  country: string;
}

@Entity('partners')
export class Partner {
  @PrimaryColumn('text') id: string;
  @Column('text') name: string;
  @Column('text') legalName: string;
  @Column('jsonb') address: PostalAddress;
  @Column('text') siren: string;
  @Column('text', { nullable: true }) vatNumber: string | null;
  @Column('text') email: string;
  @Column('text') invoicePrefix: string;
  /** Percent, e.g. 20 or 5.5. */
  @Column('numeric', { precision: 5, scale: 2, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  defaultVatRate: number;
  @Column('timestamptz', { nullable: true }) disabledAt: Date | null;
  /** Legal mentions of the invoices issued on the partner's behalf; all optional. */
  @Column('text', { nullable: true }) legalForm: string | null;
  /** Minor units (EUR cents). */
  @Column('bigint', { nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  shareCapital: number | null;
  @Column('text', { nullable: true }) rcsCity: string | null;
  @Column('text', { nullable: true }) siret: string | null;
  /** False: the partner sends unit prices excluding VAT (B2B) and VAT is added per rate. */
  @Column('boolean', { default: true }) pricesIncludeTax: boolean;
  /** Percent per year; null means the legal minimum (three times the legal interest rate). */
  @Column('numeric', { precision: 5, scale: 2, nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  latePenaltyRate: number | null;
  /** Wording printed when a line carries 0 % VAT; null means "TVA non applicable, art. 293 B du CGI". */
  @Column('text', { nullable: true }) vatExemptionText: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
