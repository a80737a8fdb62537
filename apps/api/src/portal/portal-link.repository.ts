import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { newId, PortalLink, TenantScope } from '@app/database';

/** What a presented link turned out to be. */
export type LinkUse = { kind: 'opened'; link: PortalLink } | { kind: 'unknown' } | { kind: 'expired' } | { kind: 'used' };

/** The portal_links table: token hashes only. */
@Injectable()
export class PortalLinkRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(scope: TenantScope, tokenHash: string, createdBy: string, expiresAt: Date): Promise<PortalLink> {
    const link = this.db.getRepository(PortalLink).create({
      id: newId('pln'),
      partnerId: scope.partnerId,
      environment: scope.environment,
      tokenHash,
      createdBy,
      expiresAt,
      usedAt: null,
    });
    await this.db.getRepository(PortalLink).insert(link);
    return link;
  }

  /**
   * @crossTenant sign-in itself: the token's hash is the credential and the row it finds says which partner the
   * session is for. One UPDATE marks it used, so two browsers racing with the same link get one session between them.
   */
  async use(tokenHash: string): Promise<LinkUse> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [PortalLink[], number] = await this.db.query(
      `UPDATE portal_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
       RETURNING id, partner_id AS "partnerId", environment, expires_at AS "expiresAt"`,
      [tokenHash],
    );
    const opened = rows[0];
    if (opened) return { kind: 'opened', link: opened };
    const [found] = (await this.db.query(`SELECT used_at IS NOT NULL AS used FROM portal_links WHERE token_hash = $1`, [tokenHash])) as { used: boolean }[];
    if (!found) return { kind: 'unknown' };
    return found.used ? { kind: 'used' } : { kind: 'expired' };
  }

  /**
   * @crossTenant housekeeping for everyone: links (and, by cascade, the sessions they opened) whose 15 minutes
   * ended before `cutoff`. It reads nothing out; it keeps the tables to what can still be used or audited.
   */
  async deleteExpiredBefore(cutoff: Date): Promise<void> {
    await this.db.query(`DELETE FROM portal_links WHERE expires_at < $1`, [cutoff]);
  }
}
