import type { InvoiceDocument } from './invoice-document';

/**
 * Renders a fresh render thread does before its first real document, each discarded. The renderer's code is cold in
 * a new isolate: its first render took ~220 ms and the next thirty 10-50 ms each (3-8 ms once compiled), so a worker
 * just started or restarted made its first second of customers wait (at 30 orders/s, paid -> PDF p99 ~0.75 s where
 * the median was 13 ms). About half a second of one core, at the thread's low priority, while the worker boots.
 */
export const WARM_UP_RENDERS = 40;

/**
 * The `n`th warm-up document: an invoice, or every third a credit note, with the lines, VAT rates, accents and
 * address a real one has, so the paths a real render takes are the ones compiled. Fictitious data only.
 */
export function warmUpDocument(n: number): InvoiceDocument {
  const issuedAt = new Date(Date.UTC(2026, 0, 1, 12, 0, n % 60));
  const creditNote = n % 3 === 2;
  return {
    kind: creditNote ? 'credit_note' : 'invoice',
    number: `WARMUP-2026-${String(n).padStart(6, '0')}`,
    environment: n % 2 === 0 ? 'production' : 'staging',
    locale: n % 4 === 3 ? 'en' : 'fr',
    currency: 'eur',
    issuedAt,
    saleDate: issuedAt,
    paidAt: issuedAt,
    paymentMethod: 'card',
    platformName: 'ComptAppart',
    seller: {
      legal_name: 'Exemple Vendeur SAS',
      legal_form: 'SAS',
      share_capital: 1_000_000,
      rcs_city: 'Paris',
      siret: '00000000000000',
      address: { line1: '1 rue de l’Exemple', postal_code: '75001', city: 'Paris', country: 'FR' },
      siren: '000000000',
      vat_number: 'FR00000000000',
      email: 'factures@vendeur.example',
    },
    buyer: { name: 'Élodie Exemple', email: 'client@example.invalid', address: { line1: '2 place de l’Essai', postal_code: '69001', city: 'Lyon', country: 'FR' } },
    lines: Array.from({ length: 1 + (n % 8) }, (_, i) => ({
      name: `Prestation ${i + 1} — nuitée, ménage ou petit-déjeuner`,
      quantity: 1 + (i % 3),
      unit_amount: 1_990 + i * 1_234 + n,
      vat_rate: [20, 10, 5.5][i % 3],
    })),
    precedingInvoice: creditNote ? { number: `WARMUP-2026-${String(n - 1).padStart(6, '0')}`, issued_at: issuedAt } : null,
    orderReference: n % 2 === 0 ? `WARMUP-${n}` : null,
  };
}
