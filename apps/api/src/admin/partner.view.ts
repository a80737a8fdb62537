import type { Partner } from '@app/database';

export function partnerView(p: Partner) {
  return {
    id: p.id,
    object: 'partner',
    name: p.name,
    legal_name: p.legalName,
    address: p.address,
    siren: p.siren,
    vat_number: p.vatNumber,
    email: p.email,
    invoice_prefix: p.invoicePrefix,
    default_vat_rate: p.defaultVatRate,
    legal_form: p.legalForm,
    share_capital: p.shareCapital,
    rcs_city: p.rcsCity,
    siret: p.siret,
    prices_include_tax: p.pricesIncludeTax,
    late_penalty_rate: p.latePenaltyRate,
    vat_exemption_text: p.vatExemptionText,
    disabled: p.disabledAt !== null,
    created_at: p.createdAt.toISOString(),
  };
}
