import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const sealed = box.seal('whsec_c2VjcmV0');
    expect(sealed).not.toContain('c2VjcmV0');
    expect(box.open(sealed)).toBe('whsec_c2VjcmV0');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal('whsec_c2VjcmV0');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('whsec_xxxxxxxx').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('refuses to open with another key', () => {
    expect(() => new SecretBox(randomBytes(32)).open(box.seal('whsec_a'))).toThrow();
  });

  it('opens only with the associated data it was sealed with', () => {
    const sealed = box.seal('whsec_a', 'row-1');
    expect(box.open(sealed, 'row-1')).toBe('whsec_a');
    expect(() => box.open(sealed, 'row-2')).toThrow();
    expect(() => box.open(sealed)).toThrow();
  });
});
