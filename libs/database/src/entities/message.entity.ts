import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';

/** The outbox: one partner-facing event, whose body is signed and sent byte for byte. */
@Entity('messages')
export class Message {
  /** The `webhook-id` header; the same on every attempt. */
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text') type: string;
  @Column('text', { nullable: true }) orderId: string | null;
  /** The exact JSON text sent. */
  @Column('text') body: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
