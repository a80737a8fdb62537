import type { Locale } from '@app/database';

/** The words of the customer's email; the PDF's own labels (libs/invoicing) say the same things. */
export interface CustomerEmailLabels {
  subject(kind: 'invoice' | 'credit_note', number: string, seller: string): string;
  hello(name: string | null): string;
  title(kind: 'invoice' | 'credit_note', number: string): string;
  intro(kind: 'invoice' | 'credit_note', total: string): string;
  issuedOn(date: string): string;
  creditNoteFor(number: string, date: string): string;
  columns: { description: string; amount: string };
  lineDetail(quantity: string, unitPrice: string, vatRate: string): string;
  vatOn(rate: string, base: string): string;
  totals: { excludingTax: string; tax: string; includingTax: string };
  paid(kind: 'invoice' | 'credit_note', date: string, method: string | null): string;
  paymentMethods: Record<string, string>;
  attached(kind: 'invoice' | 'credit_note', filename: string): string;
  mandate(kind: 'invoice' | 'credit_note', platform: string, seller: string): string;
  questions: string;
  orWriteTo: string;
  stagingMark: string;
  stagingExplained: string;
  field(label: string, value: string): string;
}

const fr: CustomerEmailLabels = {
  subject: (kind, number, seller) => `${kind === 'invoice' ? 'Votre facture' : 'Votre avoir'} ${number} – ${seller}`,
  hello: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
  title: (kind, number) => `${kind === 'invoice' ? 'Facture' : 'Avoir'} N° ${number}`,
  intro: (kind, total) =>
    kind === 'invoice' ? `Merci pour votre commande. Voici votre facture, d'un montant de ${total}.` : `Vous avez été remboursé(e) de ${total}. Voici votre avoir.`,
  issuedOn: (date) => `Date d'émission\u00a0: ${date}`,
  creditNoteFor: (number, date) => `Avoir sur la facture N° ${number} du ${date}`,
  columns: { description: 'Désignation', amount: 'Total HT' },
  lineDetail: (q, unit, rate) => `${q} × ${unit} HT · TVA ${rate}`,
  vatOn: (rate, base) => `TVA ${rate} sur ${base}`,
  totals: { excludingTax: 'Total HT', tax: 'TVA', includingTax: 'Total TTC' },
  paid: (kind, date, method) => {
    const verb = kind === 'invoice' ? 'Payée' : 'Remboursé';
    return method ? `${verb} le ${date} par ${method}.` : `${verb} le ${date}.`;
  },
  paymentMethods: { card: 'carte', sepa_debit: 'prélèvement SEPA' },
  attached: (kind, filename) => `${kind === 'invoice' ? 'La facture' : "L'avoir"} au format PDF est joint${kind === 'invoice' ? 'e' : ''} à cet email (${filename}).`,
  mandate: (kind, platform, seller) => `${kind === 'invoice' ? 'Facture émise' : 'Avoir émis'} par ${platform} au nom et pour le compte de ${seller}.`,
  questions: 'Une question sur votre commande\u00a0? Répondez à cet email',
  orWriteTo: 'ou écrivez à',
  stagingMark: 'TEST — sans valeur fiscale',
  stagingExplained: "Cet email vient de l'environnement de test : aucun paiement réel n'a eu lieu.",
  field: (label, value) => `${label}\u00a0: ${value}`,
};

const en: CustomerEmailLabels = {
  subject: (kind, number, seller) => `${kind === 'invoice' ? 'Your invoice' : 'Your credit note'} ${number} from ${seller}`,
  hello: (name) => (name ? `Hello ${name},` : 'Hello,'),
  title: (kind, number) => `${kind === 'invoice' ? 'Invoice' : 'Credit note'} No. ${number}`,
  intro: (kind, total) =>
    kind === 'invoice' ? `Thank you for your order. Here is your invoice, for ${total}.` : `You have been refunded ${total}. Here is your credit note.`,
  issuedOn: (date) => `Issue date: ${date}`,
  creditNoteFor: (number, date) => `Credit note for invoice No. ${number} of ${date}`,
  columns: { description: 'Description', amount: 'Total excl. VAT' },
  lineDetail: (q, unit, rate) => `${q} × ${unit} excl. VAT · VAT ${rate}`,
  vatOn: (rate, base) => `VAT ${rate} on ${base}`,
  totals: { excludingTax: 'Total excl. VAT', tax: 'VAT', includingTax: 'Total incl. VAT' },
  paid: (kind, date, method) => {
    const verb = kind === 'invoice' ? 'Paid on' : 'Refunded on';
    const by = kind === 'invoice' ? 'by' : 'to';
    return method ? `${verb} ${date} ${by} ${method}.` : `${verb} ${date}.`;
  },
  paymentMethods: { card: 'card', sepa_debit: 'SEPA direct debit' },
  attached: (kind, filename) => `The ${kind === 'invoice' ? 'invoice' : 'credit note'} is attached to this email as a PDF (${filename}).`,
  mandate: (kind, platform, seller) => `${kind === 'invoice' ? 'Invoice' : 'Credit note'} issued by ${platform} in the name and on behalf of ${seller}.`,
  questions: 'A question about your order? Reply to this email',
  orWriteTo: 'or write to',
  stagingMark: 'TEST — no fiscal value',
  stagingExplained: 'This email comes from the test environment: no real payment took place.',
  field: (label, value) => `${label}: ${value}`,
};

const LABELS: Record<Locale, CustomerEmailLabels> = { fr, en };

export function customerEmailLabels(locale: Locale): CustomerEmailLabels {
  return LABELS[locale] ?? fr;
}

/** Stripe payment method types we know how to say; any other is written as Stripe names it, as on the PDF. */
export function paymentMethodWords(labels: CustomerEmailLabels, type: string | null): string | null {
  if (!type) return null;
  return Object.hasOwn(labels.paymentMethods, type) ? labels.paymentMethods[type] : type;
}
