import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { newId, PortalSession, TenantScope } from '@app/database';

/** The portal_sessions table: hashes of the cookies' values, never the values. */
@Injectable()
export class PortalSessionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A session opened by `linkId`, in the link's partner and environment (the scope of the link). */
  async insert(scope: TenantScope, secretHash: string, linkId: string, expiresAt: Date): Promise<PortalSession> {
    const session = this.db.getRepository(PortalSession).create({
      id: newId('pse'),
      partnerId: scope.partnerId,
      environment: scope.environment,
      secretHash,
      linkId,
      expiresAt,
      revokedAt: null,
    });
    await this.db.getRepository(PortalSession).insert(session);
    return session;
  }

  /**
   * @crossTenant authentication itself: the cookie's hash is the credential, and the row found is what the scope is
   * then made from (scopeFromPortalSession). Expired and logged-out sessions are not found.
   */
  async findLive(secretHash: string): Promise<PortalSession | null> {
    const session = await this.db.getRepository(PortalSession).findOneBy({ secretHash, revokedAt: IsNull() });
    return session && session.expiresAt.getTime() > Date.now() ? session : null;
  }

  /** Logout: the partner's own session, whatever environment the request named. */
  async revoke(scope: TenantScope, id: string): Promise<void> {
    await this.db.getRepository(PortalSession).update({ id, partnerId: scope.partnerId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
