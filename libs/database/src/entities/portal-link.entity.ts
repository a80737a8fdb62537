import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Environment } from '../tenant-scope';

/**
 * A single-use sign-in link to the partner portal. Only the SHA-256 of its token is kept: the link itself is
 * shown once, to the operator or the partner's backend that asked for it.
 */
@Entity('portal_links')
export class PortalLink {
  @PrimaryColumn('text') id: string;
  @Column('text') partnerId: string;
  /** The environment the portal opens in; the user can switch afterwards. */
  @Column('text') environment: Environment;
  @Column('text', { unique: true }) tokenHash: string;
  /** `operator`, or the id of the API key that asked for it. */
  @Column('text') createdBy: string;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
