import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';

@Entity('endpoints')
export class Endpoint {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text') url: string;
  @Column('text', { nullable: true }) description: string | null;
  /** Empty means every event type. */
  @Column('text', { array: true, default: () => "'{}'" }) eventTypes: string[];
  /** AES-256-GCM of the `whsec_` secret; never returned except by the secret call. */
  @Column('text') secretEncrypted: string;
  /** The secret replaced by the last rotation, still signing until it expires. */
  @Column('text', { nullable: true }) previousSecretEncrypted: string | null;
  @Column('timestamptz', { nullable: true }) previousSecretExpiresAt: Date | null;
  @Column('boolean', { default: true }) enabled: boolean;
  @Column('timestamptz', { nullable: true }) deletedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
