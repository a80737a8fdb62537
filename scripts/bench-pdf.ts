/**
 * `npm run bench:pdf`: Factur-X invoices per second on one core (one
 * process, sequential renders on the main thread): a one-page invoice with
 * 10 lines, rendered to a PDF/A-3b with its CII XML embedded, exactly as the
 * worker does, beside two pdfkit peers drawing the same text (see
 * naivePdfkit), in interleaved slices of the same run so that a busy machine
 * weighs on all three alike. Not a test: it prints figures.
 *
 * BENCH_SECONDS (default 10) sets the measured duration per contender.
 *
 * Then the render thread as the worker runs it (see threadPart): a child process with the worker's node flags
 * renders BENCH_THREAD_RENDERS (default 3000) invoices through RenderThreads, once with the invoice above (its text
 * the same on every document but for numbers, as in the earlier figures), then with a distinct buyer on each
 * document (see distinctInvoice). BENCH_THREAD_DOCS=same or =distinct runs one of the two. BENCH_PARTS=main or
 * =thread runs one part only.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PDFDocument from 'pdfkit';
import { InvoiceDocument, InvoicePdfRenderer } from '@app/invoicing';
import { WORKER_NODE_FLAGS } from '../apps/worker/src/node-flags';
import { boundWorkerHeapGrowth } from '../apps/worker/src/worker-heap';
import { RenderThreads } from '../libs/invoicing/src/pdf/render-threads';
import { seededRandom } from '../tools/dev-servers/src/seeded-random';

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

const FIRST_NAMES = ['Élodie', 'Hélène', 'François', 'Agnès', 'Jérôme', 'Zoé', 'Maëlle', 'Noël', 'Chloé', 'Céline', 'Loïc', 'Anaïs',
  'Thibault', 'Margaux', 'Benoît', 'Inès', 'Gaëtan', 'Léa', 'Raphaël', 'Camille', 'Clément', 'Solène', 'Hugo', 'Manon', 'Aurélien',
  'Océane', 'Grégoire', 'Bérénice', 'Joël', 'Capucine', 'Mathis', 'Léonie', 'Timothée', 'Eugénie', 'Yanis', 'Frédérique'];
// Surnames built from syllables: a few thousand, most of them new to a process, as customers' names are.
const SURNAME_HEADS = ['Ber', 'Lam', 'Mor', 'Dub', 'Gir', 'Fon', 'Lec', 'Rou', 'Mar', 'Pel', 'Chau', 'Bou', 'Gau', 'Tes', 'Vin', 'Roch',
  'Cour', 'Brun', 'Fau', 'Mich', 'Le Gal', 'Du Pré', 'Ker', 'Sau'];
const SURNAME_MIDDLES = ['', 'e', 'a', 'o', 'i', 'é', 'è', 'au', 'an'];
const SURNAME_TAILS = ['ron', 'ard', 'et', 'ier', 'in', 'eau', 'on', 'aud', 'ot', 'elle', 'ès', 'çon', 'ïs', 'ault', 'ey'];
// Now and then a customer whose name or street has glyphs outside Latin-1 (Polish, Czech, Turkish, Romanian, Hungarian).
const FOREIGN_BUYERS = [
  ['Łukasz', 'Wójcik', 'ul. Świętokrzyska', '00-116', 'Warszawa', 'PL'],
  ['Małgorzata', 'Dąbrowska', 'ul. Żeromskiego', '30-019', 'Kraków', 'PL'],
  ['Jiří', 'Dvořák', 'Náměstí Míru', '120 00', 'Praha', 'CZ'],
  ['Şule', 'Yıldız', 'İstiklal Caddesi', '34433', 'İstanbul', 'TR'],
  ['Ștefan', 'Popescu', 'Strada Mărășești', '010101', 'București', 'RO'],
  ['Ödön', 'Szőke', 'Kőbányai út', '1087', 'Budapest', 'HU'],
] as const;
const STREET_KINDS = ['rue', 'avenue', 'boulevard', 'allée', 'impasse', 'chemin', 'place', 'quai'];
const STREET_NAMES = ['des Lilas', 'Victor-Hugo', 'de la République', 'Jean-Jaurès', 'du Général-de-Gaulle', 'des Écoles', 'Saint-Exupéry',
  'Émile-Zola', 'de la Gare', 'des Tanneurs', 'du Château-d’Eau', 'Pasteur', 'des Pénitents', 'Gambetta', 'de l’Église', 'Lamartine'];
const CITIES = [['75011', 'Paris'], ['69003', 'Lyon'], ['13006', 'Marseille'], ['33000', 'Bordeaux'], ['59000', 'Lille'], ['44000', 'Nantes'],
  ['67000', 'Strasbourg'], ['31000', 'Toulouse'], ['06000', 'Nice'], ['35000', 'Rennes'], ['34000', 'Montpellier'], ['21000', 'Dijon'],
  ['38000', 'Grenoble'], ['74400', 'Chamonix-Mont-Blanc'], ['64200', 'Biarritz'], ['17000', 'La Rochelle']];
const LODGINGS = ['Studio', 'Appartement T2', 'Loft', 'Chalet', 'Villa', 'Maison d’hôtes', 'Duplex', 'Chambre double'];
const PLACES = ['Montmartre', 'Bastille', 'Vieux-Port', 'Croix-Rousse', 'Presqu’île', 'Les Chartrons', 'Mont-Blanc', 'Côte des Basques',
  'Île de Ré', 'Petite France', 'Capitole', 'Écusson', 'Belleville', 'Canal Saint-Martin', 'Vieux-Lille', 'Promenade des Anglais'];
const EXTRAS = ['Ménage de fin de séjour', 'Linge de maison', 'Petit-déjeuner', 'Taxe de séjour', 'Parking', 'Arrivée tardive', 'Lit bébé'];
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

/**
 * invoice(n) as production sees it: every document has a new buyer (name, email, street; one in about twenty with
 * letters outside Latin-1), a new order reference and new words in some line names (a stay's lodging, place and
 * dates), while the rest of a line's names recur as a partner's catalogue does. Each new word costs shaping that
 * invoice(n), whose text recurs, never pays.
 */
function distinctInvoice(n: number): InvoiceDocument {
  const base = invoice(n);
  const random = seededRandom(n * 7919 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  let first: string, last: string, line1: string, postalCode: string, city: string, country: string;
  if (random() < 0.05) {
    const [f, l, street, code, town, c] = pick(FOREIGN_BUYERS);
    [first, last, line1, postalCode, city, country] = [f, l, `${street} ${1 + Math.floor(random() * 90)}`, code, town, c];
  } else {
    first = pick(FIRST_NAMES);
    last = `${pick(SURNAME_HEADS)}${pick(SURNAME_MIDDLES)}${pick(SURNAME_TAILS)}`;
    line1 = `${1 + Math.floor(random() * 150)}${random() < 0.1 ? ' bis' : ''} ${pick(STREET_KINDS)} ${random() < 0.3 ? `${pick(FIRST_NAMES)}-${last}` : pick(STREET_NAMES)}`;
    [postalCode, city] = pick(CITIES);
    country = 'FR';
  }
  const day = 1 + Math.floor(random() * 27);
  const nights = 1 + Math.floor(random() * 6);
  const month = pick(MONTHS);
  const stay = `${pick(LODGINGS)} ${pick(PLACES)}, ${nights} nuit${nights > 1 ? 's' : ''} du ${day} au ${day + nights} ${month} 2027`;
  return {
    ...base,
    buyer: {
      name: `${first} ${last}`,
      email: `${ascii(first)}.${ascii(last)}${n % 1000}@${pick(['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'outlook.fr'])}`,
      address: { line1, postal_code: postalCode, city, country },
    },
    lines: base.lines.map((line, i) => ({ ...line, name: i === 0 ? stay : i < 4 ? pick(EXTRAS) : line.name })),
    orderReference: `RES-${(Math.imul(n, 2654435761) >>> 0).toString(36).toUpperCase()}-${first.charAt(0)}${last.charAt(0)}`,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One way of producing an invoice PDF, measured in the same run as the others. */
interface Contender {
  name: string;
  render(n: number): Promise<Buffer>;
}

const fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const dejavu = { regular: readFileSync(join(fontDir, 'DejaVuSans.ttf')), bold: readFileSync(join(fontDir, 'DejaVuSans-Bold.ttf')) };

/**
 * The peers from the issue: the same invoice's text drawn with pdfkit as its
 * README shows, no Factur-X XML and no PDF/A. With the font's bytes (parsed
 * and subset in every document, embedded), or with Helvetica (one of the PDF
 * standard fonts: nothing embedded, WinAnsi only, so not PDF/A).
 */
function naivePdfkit(font: 'embedded' | 'standard'): Contender['render'] {
  return (n) =>
    new Promise<Buffer>((resolve, reject) => {
      const d = invoice(n);
      const pdf = new PDFDocument({ size: 'A4', margin: 50 });
      const chunks: Uint8Array[] = [];
      pdf.on('data', (c: Uint8Array) => chunks.push(c));
      pdf.on('end', () => resolve(Buffer.concat(chunks)));
      pdf.on('error', reject);
      if (font === 'embedded') {
        pdf.registerFont('regular', dejavu.regular);
        pdf.registerFont('bold', dejavu.bold);
      } else {
        pdf.registerFont('regular', 'Helvetica');
        pdf.registerFont('bold', 'Helvetica-Bold');
      }
      const money = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
      pdf.font('bold').fontSize(18).text(`Facture ${d.number}`);
      pdf.font('regular').fontSize(9).text(`${d.seller.legal_name}\n${d.seller.address.line1}\n${d.seller.address.postal_code} ${d.seller.address.city}\nSIRET ${d.seller.siret}`);
      pdf.moveDown().text(`${d.buyer.name}\n${d.buyer.address!.line1}\n${d.buyer.address!.postal_code} ${d.buyer.address!.city}`);
      pdf.moveDown();
      for (const line of d.lines) {
        const y = pdf.y;
        pdf.text(line.name, 50, y, { width: 250 });
        pdf.text(String(line.quantity), 310, y, { width: 40, align: 'right' });
        pdf.text(money.format(line.unit_amount / 100), 360, y, { width: 80, align: 'right' });
        pdf.text(`${line.vat_rate} %`, 450, y, { width: 40, align: 'right' });
        pdf.text(money.format((line.quantity * line.unit_amount) / 100), 495, y, { width: 50, align: 'right' });
      }
      const total = d.lines.reduce((sum, l) => sum + l.quantity * l.unit_amount, 0);
      pdf.moveDown().font('bold').fontSize(11).text(`Total TTC ${money.format(total / 100)}`, { align: 'right' });
      pdf.end();
    });
}

interface Figures {
  n: number;
  wall: number;
  durations: number[];
  cpuTimes: number[];
  cpuSeconds: number;
}

/** Renders with `c` for one slice of time; slices alternate between contenders so all see the same neighbours. */
async function slice(c: Contender, into: Figures, ms: number): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const end = start + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await c.render(into.n++);
    const cpu = process.cpuUsage(c0);
    // CPU time too: on a shared machine wall time also measures the neighbours.
    into.cpuTimes.push((cpu.user + cpu.system) / 1000);
    into.durations.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  into.cpuSeconds += (cpu.user + cpu.system) / 1e6;
  into.wall += (performance.now() - start) / 1000;
}

async function mainPart(): Promise<void> {
  // With the worker's heap policy, so that its cost (more full collections) is in the figures.
  boundWorkerHeapGrowth();
  const renderer = new InvoicePdfRenderer();
  const contenders: Contender[] = [
    { name: 'ComptAppart Factur-X (PDF/A-3b, fonts embedded, CII XML)', render: async (n) => (await renderer.renderFacturX(invoice(n))).pdf },
    { name: 'naive pdfkit, DejaVu embedded (no XML, not PDF/A)', render: naivePdfkit('embedded') },
    { name: 'pdfkit, Helvetica not embedded (no XML, not PDF/A)', render: naivePdfkit('standard') },
  ];
  // Warm-up: fonts parsed once, JIT, Intl formatters.
  for (const c of contenders) for (let i = 0; i < 30; i++) await c.render(i);
  const sample = await renderer.renderFacturX(invoice(0));

  const figures = contenders.map((): Figures => ({ n: 0, wall: 0, durations: [], cpuTimes: [], cpuSeconds: 0 }));
  const sliceMs = 500;
  // Each contender gets `seconds` in all, in interleaved slices.
  for (let done = 0; done < seconds * 1000; done += sliceMs) {
    for (let i = 0; i < contenders.length; i++) await slice(contenders[i], figures[i], sliceMs);
  }
  console.log(`Factur-X (PDF/A-3b + CII EN 16931), one page, 10 lines, ${sample.pdf.length} bytes (XML ${Buffer.byteLength(sample.xml)} bytes)`);
  console.log(`One process, sequential renders; ${seconds} s per contender in interleaved ${sliceMs} ms slices; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`Peak RSS of this process (all three contenders): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  const ours = figures[0];
  contenders.forEach((c, i) => {
    const f = figures[i];
    f.durations.sort((a, b) => a - b);
    f.cpuTimes.sort((a, b) => a - b);
    const perCpuSecond = f.n / f.cpuSeconds;
    const ratio = i === 0 ? '' : `; ours/this ${((ours.n / ours.cpuSeconds) / perCpuSecond).toFixed(2)}x per CPU-second`;
    console.log(`\n${c.name}`);
    console.log(`  ${f.n} in ${f.wall.toFixed(1)} s on one core: ${(f.n / f.wall).toFixed(0)}/s (wall)`);
    console.log(`  latency p50 ${percentile(f.durations, 50).toFixed(2)} ms, p99 ${percentile(f.durations, 99).toFixed(2)} ms, max ${f.durations.at(-1)!.toFixed(2)} ms`);
    console.log(`  CPU per document p50 ${percentile(f.cpuTimes, 50).toFixed(2)} ms, p99 ${percentile(f.cpuTimes, 99).toFixed(2)} ms; ${perCpuSecond.toFixed(0)} per CPU-second (process, GC threads included)${ratio}`);
  });
}

/**
 * The render thread's cost as the worker pays it: the thread's own heap (sized by the worker's node flags, which
 * apply to every isolate of the process) and its garbage. process.cpuUsage counts every thread of the process, so the
 * figures run in a child whose main thread does nothing but hand documents over, as the worker's event loop does;
 * --trace-gc prints each collection with its isolate, so the render thread's own pauses can be told apart.
 */
async function threadPart(docs: ThreadDocs): Promise<void> {
  const renders = Number(process.env.BENCH_THREAD_RENDERS ?? 3000);
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--trace-gc', __filename], {
    env: { ...process.env, BENCH_PDF_CHILD: String(renders), BENCH_PDF_CHILD_DOCS: docs },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`thread bench child exited with ${code}`);
  const measured = out.slice(out.indexOf('BENCH-START\n'), out.indexOf('BENCH-END\n'));
  const result = JSON.parse(/^BENCH-RESULT (.*)$/m.exec(out)![1]) as ThreadFigures;
  // `[pid:0xisolate]  1234 ms: Scavenge 10.1 (12.3) -> 6.5 (13.3) MB, 0.52 / 0.00 ms ...`
  const gc = new Map<string, Map<string, { count: number; ms: number }>>();
  for (const m of measured.matchAll(/^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: ([A-Za-z-]+(?: \(reduce\))?)[^,]*, ([\d.]+) \/ [\d.]+ ms/gm)) {
    const [, isolate, kind, pause] = m;
    const byKind = gc.get(isolate) ?? new Map<string, { count: number; ms: number }>();
    gc.set(isolate, byKind);
    const f = byKind.get(kind) ?? { count: 0, ms: 0 };
    f.count++;
    f.ms += Number(pause);
    byKind.set(kind, f);
  }
  const n = result.renders;
  const what = docs === 'same' ? 'the same text on every invoice but for numbers' : 'a distinct buyer, order reference and stay on each invoice';
  console.log(`\nRender thread (RenderThreads(1), child process with ${WORKER_NODE_FLAGS.join(' ')} and the worker's heap growth), ${n} renders one after another, ${what}`);
  console.log(`  process CPU per render ${(result.cpuMs / n).toFixed(3)} ms (all threads: render thread, GC helpers, the child's event loop); wall per render ${(result.wallMs / n).toFixed(3)} ms`);
  for (const [isolate, byKind] of gc) {
    const total = [...byKind.values()].reduce((sum, f) => sum + f.ms, 0);
    const kinds = [...byKind].map(([kind, f]) => `${kind} ${f.count} (${f.ms.toFixed(0)} ms)`).join(', ');
    console.log(`  GC pauses of isolate ${isolate}: ${(total / n).toFixed(3)} ms per render; ${kinds}`);
  }
  console.log(`  child peak RSS ${(result.maxRssKb / 1024).toFixed(0)} MB, RSS at the end ${(result.rssEnd / 2 ** 20).toFixed(0)} MB`);
}

/** Which documents the thread part renders: invoice(n) or distinctInvoice(n). */
type ThreadDocs = 'same' | 'distinct';

interface ThreadFigures {
  renders: number;
  cpuMs: number;
  wallMs: number;
  maxRssKb: number;
  rssEnd: number;
}

/** The child of threadPart. */
async function threadChild(renders: number, docs: ThreadDocs): Promise<void> {
  boundWorkerHeapGrowth();
  const document = docs === 'distinct' ? distinctInvoice : invoice;
  const threads = new RenderThreads(1);
  threads.warm();
  for (let i = 0; i < 300; i++) await threads.render(document(i));
  process.stdout.write('BENCH-START\n');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < renders; i++) await threads.render(document(1000 + i));
  const cpu = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  process.stdout.write('BENCH-END\n');
  const figures: ThreadFigures = { renders, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, maxRssKb: process.resourceUsage().maxRSS, rssEnd: process.memoryUsage.rss() };
  process.stdout.write(`BENCH-RESULT ${JSON.stringify(figures)}\n`);
  await threads.close();
}

async function main(): Promise<void> {
  const child = process.env.BENCH_PDF_CHILD;
  if (child) return threadChild(Number(child), process.env.BENCH_PDF_CHILD_DOCS as ThreadDocs);
  const parts = process.env.BENCH_PARTS ?? 'main,thread';
  if (parts.includes('main')) await mainPart();
  if (parts.includes('thread')) {
    const docs = process.env.BENCH_THREAD_DOCS ?? 'same,distinct';
    if (docs.includes('same')) await threadPart('same');
    if (docs.includes('distinct')) await threadPart('distinct');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
