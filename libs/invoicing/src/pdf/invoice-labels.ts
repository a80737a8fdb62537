export type InvoiceLocale = 'fr' | 'en';

export interface InvoiceLabels {
  title: string;
  number: string;
  issuedOn: string;
  orderReference: string;
  billedTo: string;
  siren: string;
  vatNumber: string;
  columns: { description: string; quantity: string; unitPrice: string; vatRate: string; total: string };
  vatBreakdown: { rate: string; base: string; tax: string };
  totals: { excludingTax: string; tax: string; includingTax: string };
  paid(date: string, method: string | null): string;
  paymentMethods: Record<string, string>;
  mandate(platformName: string, sellerName: string): string;
  vatNotApplicable: string;
  stagingMark: string;
  page(current: number, total: number): string;
  creditNoteTitle: string;
  creditNoteFor(number: string, date: string): string;
  refunded(date: string, method: string | null): string;
  creditMandate(platformName: string, sellerName: string): string;
  /** Buyer name for a consumer who gave none (EN 16931 requires one). */
  privateCustomer: string;
  saleDate: string;
  siret: string;
  shareCapital(legalForm: string | null, capital: string | null): string;
  rcs(city: string, siren: string): string;
  latePenalties(rate: string | null): string;
  recoveryIndemnity(amount: string): string;
  noEarlyPaymentDiscount: string;
  amountsExcludingTax: string;
  /** French typography puts a (no-break) space before the colon. */
  field(label: string, value: string): string;
}

const fr: InvoiceLabels = {
  title: 'Facture',
  number: 'N°',
  issuedOn: "Date d'émission",
  orderReference: 'Référence commande',
  billedTo: 'Facturé à',
  siren: 'SIREN',
  vatNumber: 'N° TVA intracommunautaire',
  columns: { description: 'Désignation', quantity: 'Qté', unitPrice: 'PU HT', vatRate: 'TVA', total: 'Total HT' },
  vatBreakdown: { rate: 'Taux de TVA', base: 'Base HT', tax: 'Montant TVA' },
  totals: { excludingTax: 'Total HT', tax: 'TVA', includingTax: 'Total TTC' },
  paid: (date, method) => (method ? `Payée le ${date} par ${method}` : `Payée le ${date}`),
  paymentMethods: { card: 'carte', sepa_debit: 'prélèvement SEPA' },
  mandate: (platform, seller) => `Facture émise par ${platform} au nom et pour le compte de ${seller}`,
  vatNotApplicable: 'TVA non applicable, art. 293 B du CGI',
  stagingMark: 'TEST — sans valeur fiscale',
  page: (current, total) => `Page ${current} / ${total}`,
  field: (label, value) => `${label}\u00a0: ${value}`,
  creditNoteTitle: 'Avoir',
  creditNoteFor: (number, date) => `Avoir sur la facture N° ${number} du ${date}`,
  refunded: (date, method) => (method ? `Remboursé le ${date} par ${method}` : `Remboursé le ${date}`),
  creditMandate: (platform, seller) => `Avoir émis par ${platform} au nom et pour le compte de ${seller}`,
  privateCustomer: 'Client particulier',
  saleDate: 'Date de vente',
  siret: 'SIRET',
  shareCapital: (form, capital) => [form, capital && `au capital de ${capital}`].filter(Boolean).join(' '),
  rcs: (city, siren) => `RCS ${city} ${siren.replace(/(\d{3})(?=\d)/g, '$1 ')}`,
  latePenalties: (rate) =>
    `Pénalités de retard : ${rate ? `taux annuel de ${rate}` : "trois fois le taux d'intérêt légal"}, exigibles dès le lendemain de l'échéance`,
  recoveryIndemnity: (amount) => `Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : ${amount}`,
  noEarlyPaymentDiscount: 'Pas d’escompte pour paiement anticipé',
  amountsExcludingTax: 'Total HT',
};

const en: InvoiceLabels = {
  title: 'Invoice',
  number: 'No.',
  issuedOn: 'Issue date',
  orderReference: 'Order reference',
  billedTo: 'Billed to',
  siren: 'SIREN',
  vatNumber: 'VAT number',
  columns: {
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price excl. VAT',
    vatRate: 'VAT',
    total: 'Total excl. VAT',
  },
  vatBreakdown: { rate: 'VAT rate', base: 'Net amount', tax: 'VAT' },
  totals: { excludingTax: 'Total excl. VAT', tax: 'VAT', includingTax: 'Total incl. VAT' },
  paid: (date, method) => (method ? `Paid on ${date} by ${method}` : `Paid on ${date}`),
  paymentMethods: { card: 'card', sepa_debit: 'SEPA direct debit' },
  mandate: (platform, seller) => `Invoice issued by ${platform} in the name and on behalf of ${seller}`,
  vatNotApplicable: 'VAT not applicable, art. 293 B of the French CGI',
  stagingMark: 'TEST — no fiscal value',
  page: (current, total) => `Page ${current} / ${total}`,
  field: (label, value) => `${label}: ${value}`,
  creditNoteTitle: 'Credit note',
  creditNoteFor: (number, date) => `Credit note for invoice No. ${number} of ${date}`,
  refunded: (date, method) => (method ? `Refunded on ${date} to ${method}` : `Refunded on ${date}`),
  creditMandate: (platform, seller) => `Credit note issued by ${platform} in the name and on behalf of ${seller}`,
  privateCustomer: 'Private customer',
  saleDate: 'Date of sale',
  siret: 'SIRET',
  shareCapital: (form, capital) => [form, capital && `with a share capital of ${capital}`].filter(Boolean).join(' '),
  rcs: (city, siren) => `RCS ${city} ${siren.replace(/(\d{3})(?=\d)/g, '$1 ')}`,
  latePenalties: (rate) =>
    `Late payment penalties: ${rate ? `${rate} per year` : 'three times the French legal interest rate'}, due from the day after the due date`,
  recoveryIndemnity: (amount) => `Fixed indemnity for recovery costs in case of late payment: ${amount}`,
  noEarlyPaymentDiscount: 'No discount for early payment',
  amountsExcludingTax: 'Total excl. VAT',
};

const LABELS: Record<InvoiceLocale, InvoiceLabels> = { fr, en };

export function invoiceLabels(locale: InvoiceLocale): InvoiceLabels {
  return LABELS[locale];
}

/** Stripe payment method types we know how to say; any other is printed as Stripe names it. */
export function paymentMethodLabel(labels: InvoiceLabels, type: string | null): string | null {
  if (!type) return null;
  return Object.hasOwn(labels.paymentMethods, type) ? labels.paymentMethods[type] : type;
}
