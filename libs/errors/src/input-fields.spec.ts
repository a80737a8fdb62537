import { z } from 'zod';
import { email, isEmailAddress, isoDate, text } from './input-fields';

describe('input fields', () => {
  it('text refuses NUL, other control characters and unpaired surrogates, and keeps accents and emoji', () => {
    const name = text().trim().min(1).max(50);
    for (const bad of ['Lampe\u0000', 'a\u0007b', 'tab\there', 'two\nlines', '\u007f', '\u0085', 'x\ud800']) expect(name.safeParse(bad).success).toBe(false);
    for (const good of ['Lampe Aurore', 'Crème brûlée 🍮', 'Ünïcödé — ok', '東京']) expect(name.safeParse(good).success).toBe(true);
  });

  it('isoDate takes ISO 8601 between 1970 and 9999 and refuses what PostgreSQL or Date would not hold', () => {
    const d = isoDate();
    expect(d.parse('2026-11-21T10:00:00Z').toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(d.parse('2026-11-21').toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(d.parse('9999-12-31T23:59:59.999Z').getUTCFullYear()).toBe(9999);
    for (const bad of ['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59Z', '2026-13-01', 'yesterday', '12', 12, '']) {
      expect(d.safeParse(bad).success).toBe(false);
    }
  });

  it('email accepts internationalised domains and local parts (RFC 6531) and refuses garbage', () => {
    for (const good of ['contact@café-crème.fr', 'jörg.müller@bäckerei.de', 'camille+shop@example.com', 'é@xn--caf-dma.fr', "o'neil@example.co.uk"]) {
      expect([good, isEmailAddress(good)]).toEqual([good, true]);
    }
    for (const bad of ['a b@x.fr', 'x@localhost', 'x@-a.fr', 'x@-café.fr', 'x@café-.fr', '"q"@x.fr', 'x@[1.2.3.4]', 'a..b@x.fr', '.a@x.fr', 'a@x.123', '@x.fr', 'a@', 'a@x.fr\u0000', 'a@x..fr', `${'a'.repeat(65)}@x.fr`]) {
      expect([bad, isEmailAddress(bad)]).toEqual([bad, false]);
    }
    expect(email().parse('contact@café-crème.fr')).toBe('contact@café-crème.fr');
  });

  it('describes dates and emails with their format in JSON schema', () => {
    const json = z.toJSONSchema(z.object({ since: isoDate(), to: email() }), { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { type: string; format: string }> };
    expect(json.properties.since).toMatchObject({ type: 'string', format: 'date-time' });
    expect(json.properties.to).toMatchObject({ type: 'string', format: 'email' });
  });
});
