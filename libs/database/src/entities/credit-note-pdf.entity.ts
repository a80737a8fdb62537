import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Kept apart from `credit_notes` so listing them never drags the bytes along. */
@Entity('credit_note_pdfs')
export class CreditNotePdf {
  @PrimaryColumn('text') creditNoteId: string;
  @Column('bytea') content: Buffer;
  @Column('text') sha256: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
