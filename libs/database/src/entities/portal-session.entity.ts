import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';

/**
 * A browser signed in to the partner portal, for one partner. Only the SHA-256 of the cookie's value is kept, so
 * a copy of the table opens no session. The environment is where it started; each request names its own.
 */
@Entity('portal_sessions')
export class PortalSession {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  @Column('text') environment: Environment;
  @Column('text', { unique: true }) secretHash: string;
  @Column('text') linkId: string;
  @Column('timestamptz') expiresAt: Date;
  /** Set by logout: the cookie stops working at once, wherever a copy of it is. */
  @Column('timestamptz', { nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
