import type { InvoiceDocument } from '@app/invoicing';

/** A French partner with every legal field filled in. */
export const SELLER: InvoiceDocument['seller'] = {
  legal_name: 'Acme Conciergerie SAS',
  legal_form: 'SAS',
  share_capital: 1_000_000,
  rcs_city: 'Paris',
  siret: '12345678900014',
  address: { line1: '12 rue de la Paix', line2: 'Bâtiment B', postal_code: '75002', city: 'Paris', country: 'FR' },
  siren: '123456789',
  vat_number: 'FR32123456789',
  email: 'factures@acme.example',
};

const BUSINESS_BUYER: InvoiceDocument['buyer'] = {
  name: 'Durand & Fils SARL',
  contact_name: 'Paul Durand',
  email: 'compta@durand.example',
  business: true,
  siren: '987654321',
  vat_number: 'FR45987654321',
  address: { line1: '3 avenue Foch', postal_code: '69006', city: 'Lyon', country: 'FR' },
};

export function sampleInvoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    kind: 'invoice',
    number: 'ACME-2026-000042',
    environment: 'production',
    locale: 'fr',
    currency: 'eur',
    issuedAt: new Date('2026-11-21T10:15:00Z'),
    saleDate: new Date('2026-11-21T10:14:00Z'),
    paidAt: new Date('2026-11-21T10:14:00Z'),
    paymentMethod: 'card',
    platformName: 'ComptAppart',
    seller: SELLER,
    buyer: { name: 'Élodie Martin', email: 'elodie@example.com' },
    lines: [
      { name: 'Nuitée appartement Montmartre', quantity: 3, unit_amount: 35_000, vat_rate: 10 },
      { name: 'Ménage de fin de séjour', quantity: 1, unit_amount: 6_000, vat_rate: 20 },
      { name: 'Petit-déjeuner', quantity: 4, unit_amount: 1_055, vat_rate: 5.5 },
    ],
    orderReference: 'RES-8841',
    ...overrides,
  };
}

/** One of each kind of document the product issues; every one must pass the official rules. */
export function documentKinds(): Record<string, InvoiceDocument> {
  const manyLines = Array.from({ length: 70 }, (_, i) => ({
    name: `Prestation n° ${i + 1}${i % 7 === 0 ? ' — description longue qui doit passer à la ligne dans la colonne' : ''}`,
    quantity: 1 + (i % 3),
    unit_amount: 1_000 + i * 37,
    vat_rate: [20, 10, 5.5][i % 3],
  }));
  return {
    'b2c-fr': sampleInvoice(),
    'b2b-fr': sampleInvoice({
      buyer: BUSINESS_BUYER,
      terms: { prices_include_tax: false, late_penalty_rate: 12.5 },
      lines: [
        { name: 'Audit énergétique', quantity: 1, unit_amount: 125_000, vat_rate: 20 },
        { name: 'Déplacement', quantity: 2, unit_amount: 4_550, vat_rate: 20 },
        { name: 'Rapport imprimé', quantity: 3, unit_amount: 999, vat_rate: 5.5 },
      ],
    }),
    'several-rates': sampleInvoice({
      lines: [
        { name: 'A', quantity: 1, unit_amount: 1, vat_rate: 20 },
        { name: 'B', quantity: 7, unit_amount: 333, vat_rate: 20 },
        { name: 'C', quantity: 3, unit_amount: 1_100, vat_rate: 10 },
        { name: 'D', quantity: 1, unit_amount: 999, vat_rate: 5.5 },
        { name: 'E', quantity: 2, unit_amount: 1_021, vat_rate: 2.1 },
        { name: 'F', quantity: 1, unit_amount: 500, vat_rate: 0 },
      ],
    }),
    'zero-rated-no-vat-number': sampleInvoice({
      seller: { ...SELLER, vat_number: null },
      lines: [{ name: 'Cours de yoga', quantity: 4, unit_amount: 2_500, vat_rate: 0 }],
    }),
    'zero-rated-custom-text': sampleInvoice({
      terms: { vat_exemption_text: 'Exonération de TVA, article 261-4-4° du CGI' },
      lines: [{ name: 'Formation professionnelle', quantity: 1, unit_amount: 90_000, vat_rate: 0 }],
    }),
    'multi-page': sampleInvoice({ lines: manyLines, environment: 'staging', number: 'TEST-ACME-2026-000007' }),
    'credit-note': sampleInvoice({
      kind: 'credit_note',
      number: 'ACME-AV-2026-000003',
      issuedAt: new Date('2026-11-25T09:00:00Z'),
      saleDate: null,
      paidAt: new Date('2026-11-25T08:59:00Z'),
      precedingInvoice: { number: 'ACME-2026-000042', issued_at: new Date('2026-11-21T10:15:00Z') },
      lines: [
        { name: 'Remboursement partiel — TVA 10 %', quantity: 1, unit_amount: 20_000, vat_rate: 10 },
        { name: 'Remboursement partiel — TVA 20 %', quantity: 1, unit_amount: 3_000, vat_rate: 20 },
      ],
    }),
    'english-b2b-credit-note': sampleInvoice({
      kind: 'credit_note',
      locale: 'en',
      number: 'ACME-AV-2026-000004',
      buyer: BUSINESS_BUYER,
      precedingInvoice: { number: 'ACME-2026-000041', issued_at: new Date('2026-11-20T10:15:00Z') },
    }),
    'english-b2c': sampleInvoice({ locale: 'en', paymentMethod: 'sepa_debit', buyer: { name: null, email: 'anon@example.com' } }),
  };
}
