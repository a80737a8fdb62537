import { readdirSync, readFileSync } from 'node:fs';
import { InvoicePdfRenderer } from '../libs/invoicing/src/pdf/invoice-pdf.renderer';
import { RenderThreads } from '../libs/invoicing/src/pdf/render-threads';
import { logoPng } from './support/invoice-images';
import { documentKinds, sampleInvoice } from './support/invoice-samples';

/** The worker renders PDFs in threads (PDF_RENDER_THREADS): the same bytes as on the event loop, and a dead thread loses nothing silently. */
describe('render threads', () => {
  const here = new InvoicePdfRenderer();
  let threads: RenderThreads;

  beforeEach(() => {
    threads = new RenderThreads(2);
  });

  afterEach(async () => {
    await threads.close();
  });

  it('gives the exact bytes the renderer gives on the event loop, logos included, for every kind of document', async () => {
    const docs = { ...documentKinds(), withLogo: sampleInvoice({ logo: logoPng() }) };
    for (const [name, doc] of Object.entries(docs)) {
      const [inThread, onLoop] = await Promise.all([threads.render(doc), here.render(doc)]);
      expect({ name, same: Buffer.compare(inThread, onLoop) === 0 }).toEqual({ name, same: true });
    }
    // The caller's logo is still whole: only a copy went to the thread.
    expect(docs.withLogo.logo!.equals(logoPng())).toBe(true);
  });

  it('renders below the CPU priority of the event loop (Linux: each thread has its own nice value)', async () => {
    await Promise.all([threads.render(sampleInvoice()), threads.render(sampleInvoice())]);
    // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the fields after the command's ')' are counted from 3.
    const niceOf = (tid: string) => Number(readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const nices = readdirSync(`/proc/${process.pid}/task`).map(niceOf);
    expect(niceOf(String(process.pid))).toBe(0);
    // The render threads, and nothing else of the process (a libuv or V8 helper thread stays at 0).
    expect(nices.filter((n) => n === 10).length).toBeGreaterThanOrEqual(1);
    expect(nices.filter((n) => n !== 0 && n !== 10)).toEqual([]);
  });

  it('fails only the document that cannot be rendered', async () => {
    const bad = sampleInvoice({ lines: [{ name: 'Lampe', quantity: 1, unit_amount: Number.NaN, vat_rate: 20 } as never] });
    const [failed, good] = await Promise.allSettled([threads.render(bad), threads.render(sampleInvoice())]);
    expect(failed.status).toBe('rejected');
    expect(good).toMatchObject({ status: 'fulfilled' });
  });

  it('fails the renders of a thread that died, and renders the next ones in a new thread', async () => {
    threads = new RenderThreads(1);
    const doc = sampleInvoice();
    const inFlight = Array.from({ length: 3 }, () => threads.render(doc));
    const [dying] = threads.workers;
    await dying.terminate();
    const outcomes = await Promise.allSettled(inFlight);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(/render thread stopped/);
    expect(threads.pending).toBe(0);

    const again = await threads.render(doc);
    expect(Buffer.compare(again, await here.render(doc))).toBe(0);
    expect(threads.workers).toHaveLength(1);
    expect(threads.workers[0]).not.toBe(dying);
  });

  it('refuses renders once closed', async () => {
    await threads.render(sampleInvoice());
    await threads.close();
    expect(threads.workers).toHaveLength(0);
    await expect(threads.render(sampleInvoice())).rejects.toThrow(/closed/);
  });
});
