import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What happened when we called the partner's URL once. */
@Entity('attempts')
export class Attempt {
  @PrimaryColumn('text') id: string;
  @Column('text') deliveryId: string;
  @Column('text') messageId: string;
  @Column('text') endpointId: string;
  @Column('timestamptz') attemptedAt: Date;
  @Column('int', { nullable: true }) statusCode: number | null;
  @Column('int') durationMs: number;
  @Column('text', { nullable: true }) responseBody: string | null;
  @Column('text', { nullable: true }) error: string | null;
}
