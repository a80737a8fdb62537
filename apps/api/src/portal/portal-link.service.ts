import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { TenantScope } from '@app/database';
import { AppError } from '@app/errors';
import { PartnerService } from '@app/partners';
import { PortalLinkRepository } from './portal-link.repository';
import { LINK_TTL_MS, newLinkToken, sha256Hex } from './portal-secrets.util';

export interface PortalLinkView {
  object: 'portal_link';
  url: string;
  expires_at: string;
}

/** Sign-in links to the partner portal, asked for by an operator or by the partner's backend with its API key. */
@Injectable()
export class PortalLinkService {
  constructor(
    private readonly links: PortalLinkRepository,
    private readonly partners: PartnerService,
    private readonly config: AppConfig,
  ) {}

  /** The link is returned once; only its hash is kept. `createdBy` is `operator` or the asking key's id. */
  async create(scope: TenantScope, createdBy: string): Promise<PortalLinkView> {
    const partner = await this.partners.get(scope.partnerId);
    // A disabled partner could not use the session anyway; saying so now beats a link that opens onto a refusal.
    if (partner.disabledAt) throw new AppError('partner_disabled');
    // Pruned here rather than by a worker job: links are made a few times a day per partner, and each one can
    // afford an indexed delete. Kept RETENTION_DAYS, like attempts, so who opened the portal when stays readable.
    await this.links.deleteExpiredBefore(new Date(Date.now() - this.config.retentionDays * 24 * 3600 * 1000));
    const token = newLinkToken();
    const link = await this.links.insert(scope, sha256Hex(token), createdBy, new Date(Date.now() + LINK_TTL_MS));
    return { object: 'portal_link', url: `${this.config.publicBaseUrl}/portal/login?token=${token}`, expires_at: link.expiresAt.toISOString() };
  }
}
