import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { partnerEventJsonSchemas, PARTNER_EVENT_TYPES } from './partner-events';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'webhook-events.schema.json');

describe('partner event documentation', () => {
  const generated = JSON.stringify(partnerEventJsonSchemas(), null, 2) + '\n';

  it('docs/webhook-events.schema.json is generated from the schemas the code uses (UPDATE_DOCS=1 npm test rewrites it)', () => {
    if (process.env.UPDATE_DOCS === '1' || !existsSync(DOC)) writeFileSync(DOC, generated);
    expect(readFileSync(DOC, 'utf8')).toBe(generated);
  });

  it('documents every event type we send', () => {
    expect(Object.keys(JSON.parse(generated)).sort()).toEqual([...PARTNER_EVENT_TYPES].sort());
    expect(PARTNER_EVENT_TYPES).toEqual(expect.arrayContaining(['order.paid', 'invoice.issued', 'order.payment_failed', 'order.expired']));
  });
});
