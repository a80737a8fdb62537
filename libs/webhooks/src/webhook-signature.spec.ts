import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, webhookHeaders } from './webhook-signature';

describe('webhook signature', () => {
  const body = JSON.stringify({ type: 'order.paid', timestamp: '2026-11-21T10:00:00.000Z', data: { id: 'ord_1', amount_total: 1999 } });

  it('verifies with the standardwebhooks library a partner would use', () => {
    const secret = generateSigningSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders([secret], 'msg_abc', now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('is refused when one byte of the body changes', () => {
    const secret = generateSigningSecret();
    const headers = webhookHeaders([secret], 'msg_abc', Math.floor(Date.now() / 1000), body);
    expect(() => new Webhook(secret).verify(body.replace('1999', '1998'), headers)).toThrow();
  });

  it('is refused under another secret', () => {
    const headers = webhookHeaders([generateSigningSecret()], 'msg_abc', Math.floor(Date.now() / 1000), body);
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });

  it('signs the bytes sent when the body is passed already encoded, accents included', () => {
    const secret = generateSigningSecret();
    const accented = JSON.stringify({ type: 'invoice.issued', data: { customer: 'Société Générale — Nîmes' } });
    const headers = webhookHeaders([secret], 'msg_abc', Math.floor(Date.now() / 1000), Buffer.from(accented));
    expect(new Webhook(secret).verify(accented, headers)).toEqual(JSON.parse(accented));
    expect(headers['webhook-signature']).toBe(webhookHeaders([secret], 'msg_abc', Number(headers['webhook-timestamp']), accented)['webhook-signature']);
  });
});
