import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The official Factur-X / EN 16931 rule files, beside the project (see its README). */
export const EINVOICING_KIT = resolve(__dirname, '../../../shared/einvoicing');
export const kitPresent = existsSync(join(EINVOICING_KIT, 'en16931-cii.sef.json'));

export interface Finding {
  id: string;
  flag: string;
  text: string;
  location: string;
}

export interface ConformanceReport {
  xsdErrors: string[];
  en16931: Finding[];
  facturx: Finding[];
}

/**
 * Loads the compiled stylesheets and the schema once; `check` then runs the
 * XSD and both Schematron rule sets on one XML document.
 */
export class ConformanceKit {
  private readonly en16931Sef = JSON.parse(readFileSync(join(EINVOICING_KIT, 'en16931-cii.sef.json'), 'utf8'));
  private readonly facturxSef = JSON.parse(readFileSync(join(EINVOICING_KIT, 'factur-x-1.09-en16931.sef.json'), 'utf8'));
  private readonly schema: { fileName: string; contents: string };
  private readonly preload: { fileName: string; contents: string }[];

  constructor() {
    const dir = join(EINVOICING_KIT, 'xsd');
    const main = 'Factur-X_EN16931.xsd';
    this.schema = { fileName: main, contents: readFileSync(join(dir, main), 'utf8') };
    const { readdirSync } = require('node:fs') as typeof import('node:fs');
    this.preload = readdirSync(dir)
      .filter((f: string) => f.endsWith('.xsd') && f !== main)
      .map((f: string) => ({ fileName: f, contents: readFileSync(join(dir, f), 'utf8') }));
  }

  async check(xml: string): Promise<ConformanceReport> {
    const { validateXML } = await import('xmllint-wasm');
    const xsd = await validateXML({ xml: [{ fileName: 'factur-x.xml', contents: xml }], schema: [this.schema], preload: this.preload });
    return {
      xsdErrors: xsd.valid ? [] : xsd.errors.map((e: { rawMessage: string }) => e.rawMessage),
      en16931: this.schematron(this.en16931Sef, 'en16931-cii.xsl', xml),
      facturx: this.schematron(this.facturxSef, 'factur-x-1.09-en16931.xsl', xml),
    };
  }

  private schematron(sef: unknown, xslName: string, xml: string): Finding[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const SaxonJS = require('saxon-js');
    const out: string = SaxonJS.transform(
      { stylesheetInternal: sef, stylesheetBaseURI: 'file://' + join(EINVOICING_KIT, xslName), sourceText: xml, destination: 'serialized' },
      'sync',
    ).principalResult;
    const findings: Finding[] = [];
    const re = /<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g;
    for (let m = re.exec(out); m; m = re.exec(out)) {
      const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m![1])?.[1] ?? '';
      findings.push({ id: attr('id'), flag: attr('flag') || 'fatal', location: attr('location'), text: m[2].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim() });
    }
    return findings;
  }
}

/** Fatal findings and schema errors, as readable lines for a failing expectation. */
export function fatalOf(report: ConformanceReport): string[] {
  return [
    ...report.xsdErrors.map((e) => `XSD: ${e}`),
    ...report.en16931.filter((f) => f.flag !== 'warning').map((f) => `EN16931 ${f.id}: ${f.text} @ ${f.location}`),
    ...report.facturx.filter((f) => f.flag !== 'warning').map((f) => `Factur-X ${f.id}: ${f.text} @ ${f.location}`),
  ];
}

export { pdfStructure, structureProblems } from './pdf-structure';
export type { PdfStructure } from './pdf-structure';

/**
 * Renders the first page to test-artifacts/<name>.png for a person to look at;
 * returns the path, or null without pdftoppm (poppler-utils, an optional tool: see the README).
 */
export async function writeFirstPagePng(pdf: Buffer, name: string): Promise<string | null> {
  const artifacts = resolve(__dirname, '../../test-artifacts');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(artifacts, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'facturx-png-'));
  try {
    const file = join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    await run('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, join(artifacts, name)]);
    return join(artifacts, `${name}.png`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
