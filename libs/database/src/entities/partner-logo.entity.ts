import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The logo printed on a partner's invoices; apart from `partners` so partner reads stay small. */
@Entity('partner_logos')
export class PartnerLogo {
  @PrimaryColumn('text') partnerId: string;
  @Column('bytea') content: Buffer;
  @Column('text') contentType: 'image/png' | 'image/jpeg';
  @Column('text') sha256: string;
  @Column('timestamptz', { default: () => 'now()' }) updatedAt: Date;
}
