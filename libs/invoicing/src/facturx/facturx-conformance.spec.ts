import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { ConformanceKit, EINVOICING_KIT, fatalOf, kitPresent, writeFirstPagePng } from '../../../../test/support/invoice-conformance';
import { documentKinds } from '../../../../test/support/invoice-samples';
import { announceSkipped } from '../../../../test/support/optional-tool';
import { InvoicePdfRenderer, RenderedInvoice } from '../pdf/invoice-pdf.renderer';

const describeWithKit = kitPresent ? describe : describe.skip;
// Visible in the run's output, so a green run without the rules is not mistaken for a conformant one.
if (!kitPresent) announceSkipped('Factur-X conformance (XSD and Schematron)', 'the official rule files', `place them in ${EINVOICING_KIT}, see its README`);

/** Every kind of document the product issues, through the official XSD and both Schematron rule sets. */
describeWithKit('Factur-X conformance (XSD, EN 16931 and Factur-X Schematron)', () => {
  let kit: ConformanceKit;
  const renderer = new InvoicePdfRenderer();
  const rendered = new Map<string, RenderedInvoice>();

  beforeAll(async () => {
    kit = new ConformanceKit(); // compiled stylesheets: loaded once for the whole file
    for (const [name, doc] of Object.entries(documentKinds())) rendered.set(name, await renderer.renderFacturX(doc));
  });

  it('the harness accepts the official example and reports a broken total', async () => {
    const example = readFileSync(join(EINVOICING_KIT, 'examples/en16931-example-1.xml'), 'utf8');
    const report = await kit.check(example);
    expect(fatalOf(report)).toEqual([]);
    expect(report.facturx.map((f) => f.id)).toEqual(['FX-SCH-A-000372']);
    const broken = await kit.check(example.replace('<ram:GrandTotalAmount>250.33<', '<ram:GrandTotalAmount>250.34<'));
    expect(broken.en16931.map((f) => f.id)).toContain('BR-CO-15');
  });

  it.each(Object.keys(documentKinds()))('%s: the embedded XML passes the XSD and both rule sets with no fatal finding', async (name) => {
    const { xml } = rendered.get(name)!;
    expect(fatalOf(await kit.check(xml))).toEqual([]);
  });

  it('random baskets (VAT-inclusive or not, any French rate) pass the rules too', async () => {
    const line = fc.record({
      name: fc.constantFrom('Nuitée', 'Ménage', 'Taxe & frais <divers>', 'Petit-déjeuner'),
      quantity: fc.integer({ min: 1, max: 30 }),
      unit_amount: fc.integer({ min: 1, max: 500_000 }),
      vat_rate: fc.constantFrom(20, 10, 5.5, 2.1, 0),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), fc.boolean(), async (lines, pricesIncludeTax) => {
        const doc = { ...documentKinds()['b2b-fr'], lines, terms: { prices_include_tax: pricesIncludeTax } };
        const { xml } = await renderer.renderFacturX(doc);
        expect(fatalOf(await kit.check(xml))).toEqual([]);
      }),
      { numRuns: 12, seed: 4242 },
    );
  }, 60_000);

  it('keeps a PNG of the first page of each kind under test-artifacts/', async () => {
    for (const [name, { pdf }] of rendered) {
      const png = await writeFirstPagePng(pdf, `facturx-${name}`);
      if (png) expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    }
  });
});
