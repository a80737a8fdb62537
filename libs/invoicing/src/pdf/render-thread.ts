import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { InvoiceDocument } from './invoice-document';
import { InvoicePdfRenderer } from './invoice-pdf.renderer';
import { WARM_UP_RENDERS, warmUpDocument } from './warm-up-document';

/** How much lower than the event loop (nice +10 of 19): enough to yield the cores under load, never starved when idle. */
const RENDER_THREAD_NICE = 10;

/** What the worker's event loop sends: a render input of plain data (structured-cloned; the logo arrives as bytes). */
export interface RenderRequest {
  id: number;
  doc: Omit<InvoiceDocument, 'logo'> & { logo: Uint8Array | null };
}

/** The PDF's own ArrayBuffer, transferred (not copied), or why the render failed. */
export type RenderReply = { id: number; pdf: ArrayBuffer } | { id: number; error: string };

/**
 * The render thread's entry (render-threads.ts starts it). It loads the renderer and nothing else, not Nest, not
 * TypeORM: its isolate holds pdfkit, fontkit and the renderer's caches (fonts, subsets), which live here instead of
 * on the worker's event loop.
 */
const renderer = new InvoicePdfRenderer();
/**
 * Below the worker's event loop and PostgreSQL for the CPU: when the cores are short, a partner's order.paid and the
 * emails of documents already rendered go first and the renders take what is left. On Linux a nice value is a
 * thread's own (setpriority on the calling thread); where it cannot be lowered the thread runs as before.
 */
try {
  setPriority(RENDER_THREAD_NICE);
} catch {
  // Not permitted here: same priority as the event loop.
}

// The thread is started at the worker's boot (RenderThreads.warm): fonts parsed then, not in the first documents' wait.
renderer.warm();
void warmUp();

/**
 * Compiles the renderer's code before the first customers' documents need it (see WARM_UP_RENDERS). Requests that
 * arrive meanwhile are served between these renders, not after all of them.
 */
async function warmUp(): Promise<void> {
  for (let n = 0; n < WARM_UP_RENDERS; n++) {
    try {
      await renderer.render(warmUpDocument(n));
    } catch {
      // Only lost time: a real document's failure is reported with that document (warm-up-document.spec.ts checks these render).
      return;
    }
    // Lets a request that arrived meanwhile in before the next warm-up render.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

parentPort?.on('message', (request: RenderRequest) => {
  const { logo, ...rest } = request.doc;
  // pdfkit tells an image by Buffer.isBuffer; structured cloning hands a Buffer over as a plain Uint8Array.
  const doc: InvoiceDocument = { ...rest, logo: logo ? Buffer.from(logo.buffer, logo.byteOffset, logo.byteLength) : null };
  renderer.render(doc).then(
    (pdf) => {
      const own = ownArrayBuffer(pdf);
      parentPort!.postMessage({ id: request.id, pdf: own } satisfies RenderReply, [own]);
    },
    (err: Error) => parentPort!.postMessage({ id: request.id, error: err.message } satisfies RenderReply),
  );
});

/** The PDF's bytes as an ArrayBuffer of their own: a Buffer may be a view into a shared pool, which cannot be transferred. */
function ownArrayBuffer(pdf: Buffer): ArrayBuffer {
  if (pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength && pdf.buffer instanceof ArrayBuffer) return pdf.buffer;
  return pdf.buffer.slice(pdf.byteOffset, pdf.byteOffset + pdf.byteLength) as ArrayBuffer;
}
