/**
 * `npm run bench:pdf`: Factur-X invoices per second on one core (one
 * process, sequential renders on the main thread): a one-page invoice with
 * 10 lines, rendered to a PDF/A-3b with its CII XML embedded, exactly as the
 * worker does. Not a test: it prints figures.
 *
 * BENCH_SECONDS (default 10) sets the measured duration.
 */
import { performance } from 'node:perf_hooks';
import { InvoiceDocument, InvoicePdfRenderer } from '@app/invoicing';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);

function invoice(n: number): InvoiceDocument {
  const issuedAt = new Date(Date.UTC(2026, 10, 21, 10, 15, n % 60));
  return {
    kind: 'invoice',
    number: `BENCH-2026-${String(n).padStart(6, '0')}`,
    environment: 'production',
    locale: 'fr',
    currency: 'eur',
    issuedAt,
    saleDate: issuedAt,
    paidAt: issuedAt,
    paymentMethod: 'card',
    platformName: 'ComptAppart',
    seller: {
      legal_name: 'Acme Conciergerie SAS',
      legal_form: 'SAS',
      share_capital: 1_000_000,
      rcs_city: 'Paris',
      siret: '12345678900014',
      address: { line1: '12 rue de la Paix', postal_code: '75002', city: 'Paris', country: 'FR' },
      siren: '123456789',
      vat_number: 'FR32123456789',
      email: 'factures@acme.example',
    },
    buyer: { name: 'Élodie Martin', email: 'elodie@example.com', address: { line1: '5 rue Lepic', postal_code: '75018', city: 'Paris', country: 'FR' } },
    lines: Array.from({ length: 10 }, (_, i) => ({
      name: `Prestation ${i + 1} — nuitée, ménage ou petit-déjeuner`,
      quantity: 1 + (i % 3),
      unit_amount: 1_990 + i * 1_234 + (n % 7),
      vat_rate: [20, 10, 5.5][i % 3],
    })),
    orderReference: `RES-${n}`,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const renderer = new InvoicePdfRenderer();
  // Warm-up: fonts parsed once, JIT, Intl formatters.
  for (let i = 0; i < 100; i++) await renderer.renderFacturX(invoice(i));
  const sample = await renderer.renderFacturX(invoice(0));

  const durations: number[] = [];
  // CPU time too: on a shared machine wall time also measures the neighbours.
  const cpuTimes: number[] = [];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const end = start + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await renderer.renderFacturX(invoice(n++));
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
    durations.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - start) / 1000;
  durations.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`Factur-X (PDF/A-3b + CII EN 16931), one page, 10 lines, ${sample.pdf.length} bytes (XML ${Buffer.byteLength(sample.xml)} bytes)`);
  console.log(`${n} invoices in ${elapsed.toFixed(1)} s on one core: ${(n / elapsed).toFixed(0)} invoices/s`);
  console.log(`latency p50 ${percentile(durations, 50).toFixed(2)} ms, p99 ${percentile(durations, 99).toFixed(2)} ms, max ${durations.at(-1)!.toFixed(2)} ms`);
  console.log(`CPU per invoice p50 ${percentile(cpuTimes, 50).toFixed(2)} ms, p99 ${percentile(cpuTimes, 99).toFixed(2)} ms; ${(n / cpuSeconds).toFixed(0)} invoices per CPU-second (process, GC threads included)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
