import fc from 'fast-check';
import { stripeLineItemsFor } from '../../../orders/src/checkout-lines';
import { sampleInvoice } from '../../../../test/support/invoice-samples';
import { pdfText } from '../../../../test/support/pdf-text';
import { InvoicePdfRenderer } from '../pdf/invoice-pdf.renderer';

const RATES = [20, 10, 8.5, 5.5, 2.1, 0];

const basket = fc.record({
  pricesIncludeTax: fc.boolean(),
  locale: fc.constantFrom('fr' as const, 'en' as const),
  lines: fc.array(
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.replace(/[^\p{L}\p{N} ]/gu, 'x') || 'x'),
      quantity: fc.integer({ min: 1, max: 50 }),
      unit_amount: fc.oneof(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 100, max: 2_000_000 })),
      vat_rate: fc.constantFrom(...RATES),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

/** "1 234,56 €" / "€1,234.56" -> 123456 */
function cents(printed: string): number {
  return Number(printed.replace(/[^\d]/g, ''));
}

/** The first `<ram:{tag}>` amount of the XML, in cents. */
const xmlAmount = (xml: string, tag: string) => Math.round(Number(new RegExp(`<ram:${tag}[^>]*>([-\\d.]+)<`).exec(xml)![1]) * 100);

describe('totals on random baskets (property-based)', () => {
  const renderer = new InvoicePdfRenderer();

  it('printed totals = XML totals = what Stripe charges, to the cent', async () => {
    await fc.assert(
      fc.asyncProperty(basket, async ({ pricesIncludeTax, locale, lines }) => {
        const charged = stripeLineItemsFor(
          lines.map((l) => ({ ...l, amount_total: l.quantity * l.unit_amount })),
          'eur',
          pricesIncludeTax,
        ).reduce((sum, item) => sum + item.quantity! * item.price_data!.unit_amount!, 0);
        const doc = sampleInvoice({ lines, locale, terms: { prices_include_tax: pricesIncludeTax } });
        const { pdf, xml, figures } = await renderer.renderFacturX(doc);

        // The XML.
        const grand = xmlAmount(xml, 'GrandTotalAmount');
        const basis = xmlAmount(xml, 'TaxBasisTotalAmount');
        const tax = xmlAmount(xml, 'TaxTotalAmount');
        expect(grand).toBe(charged);
        expect(basis + tax).toBe(grand);
        const lineSum = [...xml.matchAll(/<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>([-\d.]+)</g)]
          .reduce((s, m) => s + Math.round(Number(m[1]) * 100), 0);
        expect(lineSum).toBe(basis);
        expect(figures.totals.including_tax).toBe(charged);

        // The printed page.
        const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
        const label = locale === 'fr' ? { ttc: 'Total TTC', ht: 'Total HT' } : { ttc: 'Total incl. VAT', ht: 'Total excl. VAT' };
        const money = locale === 'fr' ? '([\\d ]+,\\d{2}) €' : '(€[\\d,]+\\.\\d{2})';
        const printedTtc = new RegExp(`${label.ttc} ${money}`).exec(text);
        expect(printedTtc).not.toBeNull();
        expect(cents(printedTtc![1])).toBe(charged);
        // "Total HT" is also the lines' column header: the summary's is the one followed by an amount.
        const printedHt = [...text.matchAll(new RegExp(`${label.ht} ${money}`, 'g'))].map((m) => cents(m[1]));
        expect(printedHt).toContain(basis);
      }),
      { numRuns: 60, seed: 20261122 },
    );
  }, 120_000);
});
