import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PartnerLogo, TenantScope } from '@app/database';

/**
 * The partner_logos table: one logo per partner, printed on its invoices and emails in both environments, so only
 * the scope's partner counts. The PDF and email code read it; only the operator's upload writes it, here.
 */
@Injectable()
export class PartnerLogoRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Replaces the partner's logo (or stores its first). */
  async put(scope: TenantScope, logo: Omit<PartnerLogo, 'partnerId'>): Promise<PartnerLogo> {
    const row = { ...logo, partnerId: scope.partnerId };
    await this.db.getRepository(PartnerLogo).upsert(row, ['partnerId']);
    return row as PartnerLogo;
  }

  byPartner(scope: TenantScope): Promise<PartnerLogo | null> {
    return this.db.getRepository(PartnerLogo).findOneBy({ partnerId: scope.partnerId });
  }
}
