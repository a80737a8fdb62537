import { QueryFailedError } from 'typeorm';
import { sanitizeProcessingError } from './stripe-event-error.util';

describe('sanitizeProcessingError', () => {
  it('keeps what broke and drops the values it quoted', () => {
    const pg = new QueryFailedError('INSERT …', ['camille@example.test'], Object.assign(new Error('new row for relation "invoices" violates check constraint "invoices_number_check"'), { code: '23514' }));
    expect(sanitizeProcessingError(pg)).toBe('QueryFailedError 23514: new row for relation "invoices" violates check constraint "invoices_number_check"');
    const syntax = Object.assign(new Error('invalid input syntax for type integer: "Camille Martin"'), { code: '22P02' });
    expect(sanitizeProcessingError(syntax)).toBe('Error 22P02: invalid input syntax for type integer: "[value]"');
    expect(sanitizeProcessingError(new Error('Key (customer_email)=(camille@example.test) already exists'))).toBe('Error: Key (customer_email)=([value]) already exists');
  });

  it('never keeps an email, a key, a webhook secret or a card number, whatever the wording', () => {
    const line = sanitizeProcessingError(new Error('could not mail camille.martin@café-crème.fr with sk_live_abc123 / whsec_zzz / ca_test_k3y, card 4242 4242 4242 4242\nsecond line'));
    for (const leak of ['camille', 'sk_live_abc', 'whsec_zzz', 'ca_test_k3y', '4242', 'second line']) expect(line).not.toContain(leak);
    expect(line).toBe('Error: could not mail [email] with [secret] / [secret] / [secret], card [number]');
  });

  it('bounds the length and copes with anything thrown', () => {
    expect(sanitizeProcessingError(new Error('x'.repeat(5000))).length).toBe(500);
    expect(sanitizeProcessingError('plain string')).toBe('Error: plain string');
    expect(sanitizeProcessingError(undefined)).toBe('Error: undefined');
  });
});
