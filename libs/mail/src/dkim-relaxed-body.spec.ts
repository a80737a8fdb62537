import RelaxedBody from 'nodemailer/lib/dkim/relaxed-body';
import { installFastDkimBodyHash } from './dkim-relaxed-body';
import { markSmtpLineSafe } from './smtp-dot-stuffing';

/** The relaxed body hash nodemailer's signer would put in bh=, for a body cut into these chunks. */
async function bodyHash(chunks: Buffer[]): Promise<string> {
  const body = new RelaxedBody({ hashAlgo: 'sha256' });
  const hash = new Promise<string>((resolve) => body.on('hash', resolve));
  body.resume();
  for (const c of chunks) body.write(c);
  body.end();
  return hash;
}

/** What markSmtpLineSafe promises: CRLF line breaks only, no line starting with a dot, no CR at the end. */
function lineSafe(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0d && b[i + 1] !== 0x0a) return false;
    if (b[i] === 0x0a && (i === 0 || b[i - 1] !== 0x0d)) return false;
    if (b[i] === 0x2e && (i === 0 || b[i - 1] === 0x0a)) return false;
  }
  return true;
}

describe('installFastDkimBodyHash', () => {
  let seed = 11;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it('gives the body hash nodemailer gives, whatever the chunks and whichever are marked line-safe', async () => {
    const tokens = ['\r\n', '\r\n', 'QUJD', 'a', ' ', '\t', '\r', '\n', '\r\n\r\n'];
    const cases: string[][] = [];
    for (let n = 0; n < 1500; n++) {
      const chunks: string[] = [];
      for (let c = random(5); c >= 0; c--) {
        let chunk = '';
        for (let t = random(8); t >= 0; t--) chunk += tokens[random(tokens.length)];
        chunks.push(chunk);
      }
      cases.push(chunks);
    }
    cases.push(['Content-Type: application/pdf\r\n\r\n', `${'QUJD'.repeat(19)}\r\n`.repeat(40) + 'QUJD\r\n--=_ca-mixed--\r\n']);
    cases.push(['x\r\n', 'QUJD\r\nQUJD', 'QUJD\r\n', '\r\n\r\n']);
    const expected: string[] = [];
    for (const c of cases) expected.push(await bodyHash(c.map((s) => Buffer.from(s))));
    installFastDkimBodyHash();
    let marked = 0;
    for (const [i, c] of cases.entries()) {
      const chunks = c.map((s) => {
        const b = Buffer.from(s);
        if (lineSafe(b) && b[b.length - 1] !== 0x0d) {
          marked++;
          return markSmtpLineSafe(b);
        }
        return b;
      });
      expect(await bodyHash(chunks)).toBe(expected[i]);
    }
    expect(marked).toBeGreaterThan(500);
  });
});
