import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Partner, PartnerLogo, scopeForOperator, Tx, UnitOfWork } from '@app/database';
import { AppError } from '@app/errors';
import { PartnerLogoRepository, PartnerRepository } from '@app/partners';
import type { UpdatePartnerInput } from './admin.schemas';

type LegalInput = Pick<UpdatePartnerInput, 'legal_form' | 'share_capital' | 'rcs_city' | 'siret' | 'prices_include_tax' | 'late_penalty_rate' | 'vat_exemption_text'>;

/**
 * The operator's changes to a partner: legal mentions, identity, disabling,
 * logo. Invoices already issued keep the seller they were issued with.
 */
@Injectable()
export class PartnerAdminService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly partners: PartnerRepository,
    private readonly logos: PartnerLogoRepository,
  ) {}

  async update(id: string, input: UpdatePartnerInput): Promise<Partner> {
    return this.uow.run(async (tx) => {
      const partner = await this.partners.lockById(id, tx);
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
      await this.partners.save(partner, tx);
      return partner;
    });
  }

  /** For POST /admin/partners: the legal fields given at creation. */
  async setLegalFields(id: string, input: LegalInput): Promise<Partner> {
    const partner = await this.partners.byId(id);
    if (!partner) throw AppError.notFound('partner', id);
    applyLegalFields(partner, input);
    return this.partners.save(partner);
  }

  async setLogo(id: string, content: Buffer, contentType: 'image/png' | 'image/jpeg'): Promise<PartnerLogo> {
    if (!(await this.partners.exists(id))) throw AppError.notFound('partner', id);
    const sha256 = createHash('sha256').update(content).digest('hex');
    return this.logos.put(logoScope(id), { content, contentType, sha256, updatedAt: new Date() });
  }

  async logoOf(id: string): Promise<Pick<PartnerLogo, 'contentType' | 'sha256' | 'updatedAt'> & { size: number } | null> {
    const row = await this.logos.byPartner(logoScope(id));
    return row ? { contentType: row.contentType, sha256: row.sha256, updatedAt: row.updatedAt, size: row.content.length } : null;
  }

  /** The prefix names the legal series: once a real invoice carries it, changing it would split one year's series in two. */
  private async assertNoLegalInvoice(tx: Tx, partner: Partner): Promise<void> {
    if (await this.partners.hasIssuedInvoices(scopeForOperator(partner, 'production'), tx)) {
      throw new AppError('conflict', `Partner ${partner.id} has issued production invoices under prefix ${partner.invoicePrefix}; the prefix can no longer change.`);
    }
  }
}

/** A logo serves both of the partner's environments; the operator's scope only has to name the partner. */
function logoScope(partnerId: string) {
  return scopeForOperator({ id: partnerId }, 'production');
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
