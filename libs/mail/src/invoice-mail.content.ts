import type { Invoice } from '@app/database';

const money = (amount: number, currency: string, locale: string) =>
  new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);

/** The customer-facing text of the invoice email, in the order's language. */
export function invoiceEmailContent(invoice: Invoice, platformName: string): { subject: string; text: string } {
  const total = money(invoice.amountTotal, invoice.currency, invoice.locale);
  const seller = invoice.seller.legal_name;
  const test = invoice.environment === 'staging';
  if (invoice.locale === 'en') {
    return {
      subject: `${test ? '[TEST] ' : ''}Your invoice ${invoice.number} from ${seller}`,
      text: [
        `Hello${invoice.buyer.name ? ` ${invoice.buyer.name}` : ''},`,
        '',
        `Thank you for your order. Your invoice ${invoice.number} for ${total} is attached.`,
        '',
        `This invoice is issued by ${platformName} in the name and on behalf of ${seller}.`,
        `Questions about your order: ${invoice.seller.email}`,
      ].join('\n'),
    };
  }
  return {
    subject: `${test ? '[TEST] ' : ''}Votre facture ${invoice.number} – ${seller}`,
    text: [
      `Bonjour${invoice.buyer.name ? ` ${invoice.buyer.name}` : ''},`,
      '',
      `Merci pour votre commande. Vous trouverez ci-joint votre facture ${invoice.number} d'un montant de ${total}.`,
      '',
      `Facture émise par ${platformName} au nom et pour le compte de ${seller}.`,
      `Une question sur votre commande : ${invoice.seller.email}`,
    ].join('\n'),
  };
}
