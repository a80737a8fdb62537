import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One message on its way to one endpoint. */
@Entity('deliveries')
export class Delivery {
  @PrimaryColumn('text') id: string;
  @Column('text') messageId: string;
  @Column('text') endpointId: string;
  @Column('text') partnerId: string;
  @Column('text') status: DeliveryStatus;
  @Column('int', { default: 0 }) attemptCount: number;
  @Column('timestamptz', { nullable: true }) nextAttemptAt: Date | null;
  @Column('timestamptz', { nullable: true }) lastAttemptAt: Date | null;
  @Column('timestamptz', { nullable: true }) deliveredAt: Date | null;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
