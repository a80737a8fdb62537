import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Invoice, Partner, PartnerLogo } from '@app/database';
import { AppError } from '@app/errors';
import type { UpdatePartnerInput } from './admin.schemas';

type LegalInput = Pick<UpdatePartnerInput, 'legal_form' | 'share_capital' | 'rcs_city' | 'siret' | 'prices_include_tax' | 'late_penalty_rate' | 'vat_exemption_text'>;

/**
 * The operator's changes to a partner: legal mentions, identity, disabling,
 * logo. Invoices already issued keep the seller they were issued with.
 */
@Injectable()
export class PartnerAdminService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async update(id: string, input: UpdatePartnerInput): Promise<Partner> {
    return this.db.transaction(async (tx) => {
      const partner = await tx.findOne(Partner, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!partner) throw AppError.notFound('partner', id);
      if (input.invoice_prefix !== undefined && input.invoice_prefix !== partner.invoicePrefix) await this.assertNoLegalInvoice(tx, partner);
      if (input.name !== undefined) partner.name = input.name;
      if (input.legal_name !== undefined) partner.legalName = input.legal_name;
      if (input.address !== undefined) partner.address = input.address;
      if (input.siren !== undefined) partner.siren = input.siren;
      if (input.vat_number !== undefined) partner.vatNumber = input.vat_number ?? null;
      if (input.email !== undefined) partner.email = input.email;
      if (input.invoice_prefix !== undefined) partner.invoicePrefix = input.invoice_prefix;
      if (input.default_vat_rate !== undefined) partner.defaultVatRate = input.default_vat_rate;
      if (input.disabled !== undefined) partner.disabledAt = input.disabled ? (partner.disabledAt ?? new Date()) : null;
      applyLegalFields(partner, input);
      await tx.save(partner);
      return partner;
    });
  }

  /** For POST /admin/partners: the legal fields given at creation. */
  async setLegalFields(id: string, input: LegalInput): Promise<Partner> {
    const partner = await this.db.getRepository(Partner).findOneByOrFail({ id });
    applyLegalFields(partner, input);
    return this.db.getRepository(Partner).save(partner);
  }

  async setLogo(id: string, content: Buffer, contentType: 'image/png' | 'image/jpeg'): Promise<PartnerLogo> {
    if (!(await this.db.getRepository(Partner).existsBy({ id }))) throw AppError.notFound('partner', id);
    const logo = { partnerId: id, content, contentType, sha256: createHash('sha256').update(content).digest('hex'), updatedAt: new Date() };
    await this.db.getRepository(PartnerLogo).upsert(logo, ['partnerId']);
    return logo as PartnerLogo;
  }

  async logoOf(id: string): Promise<Pick<PartnerLogo, 'contentType' | 'sha256' | 'updatedAt'> & { size: number } | null> {
    const row = await this.db.getRepository(PartnerLogo).findOneBy({ partnerId: id });
    return row ? { contentType: row.contentType, sha256: row.sha256, updatedAt: row.updatedAt, size: row.content.length } : null;
  }

  /** The prefix names the legal series: once a real invoice carries it, changing it would split one year's series in two. */
  private async assertNoLegalInvoice(tx: EntityManager, partner: Partner): Promise<void> {
    if (await tx.existsBy(Invoice, { partnerId: partner.id, environment: 'production' })) {
      throw new AppError('conflict', `Partner ${partner.id} has issued production invoices under prefix ${partner.invoicePrefix}; the prefix can no longer change.`);
    }
  }
}

function applyLegalFields(partner: Partner, input: LegalInput): void {
  if (input.legal_form !== undefined) partner.legalForm = input.legal_form ?? null;
  if (input.share_capital !== undefined) partner.shareCapital = input.share_capital ?? null;
  if (input.rcs_city !== undefined) partner.rcsCity = input.rcs_city ?? null;
  if (input.siret !== undefined) partner.siret = input.siret ?? null;
  if (input.prices_include_tax !== undefined) partner.pricesIncludeTax = input.prices_include_tax;
  if (input.late_penalty_rate !== undefined) partner.latePenaltyRate = input.late_penalty_rate ?? null;
  if (input.vat_exemption_text !== undefined) partner.vatExemptionText = input.vat_exemption_text ?? null;
  // A SIRET is the SIREN plus the establishment's 5 digits.
  if (partner.siret && !partner.siret.startsWith(partner.siren)) {
    throw AppError.validation([{ field: 'siret', message: `must start with the partner's SIREN ${partner.siren}` }]);
  }
}
