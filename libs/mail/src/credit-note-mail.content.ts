import type { CreditNote } from '@app/database';

const money = (amount: number, currency: string, locale: string) =>
  new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);

/** The customer-facing text of the credit note email, in the order's language. */
export function creditNoteEmailContent(cn: CreditNote, platformName: string): { subject: string; text: string } {
  const total = money(cn.amountTotal, cn.currency, cn.locale);
  const seller = cn.seller.legal_name;
  const test = cn.environment === 'staging' ? '[TEST] ' : '';
  const hello = (word: string) => `${word}${cn.buyer.name ? ` ${cn.buyer.name}` : ''},`;
  if (cn.locale === 'en') {
    return {
      subject: `${test}Your credit note ${cn.number} from ${seller}`,
      text: [
        hello('Hello'),
        '',
        `You have been refunded ${total}. Your credit note ${cn.number}, for invoice ${cn.invoiceNumber}, is attached.`,
        '',
        `This credit note is issued by ${platformName} in the name and on behalf of ${seller}.`,
        `Questions about your order: ${cn.seller.email}`,
      ].join('\n'),
    };
  }
  return {
    subject: `${test}Votre avoir ${cn.number} – ${seller}`,
    text: [
      hello('Bonjour'),
      '',
      `Vous avez été remboursé(e) de ${total}. Vous trouverez ci-joint votre avoir ${cn.number} sur la facture ${cn.invoiceNumber}.`,
      '',
      `Avoir émis par ${platformName} au nom et pour le compte de ${seller}.`,
      `Une question sur votre commande : ${cn.seller.email}`,
    ].join('\n'),
  };
}
