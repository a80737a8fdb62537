/**
 * A realistic example of an event payload, built from its JSON Schema (the one docs/webhook-events.schema.json holds),
 * so a new field or event type gets an example without anyone writing one. The same rules as the docs generator
 * (docs-site/scripts/lib/json-schema.js), reduced to what our event schemas use; the e2e test parses every example
 * with the zod schema the code sends, so an example that no longer fits fails there.
 */
type Schema = Record<string, any>;

const ID_TAIL = 'mQbAK6GYT2HwtVRTXVSAD0';
const ID_PREFIXES: Record<string, string> = {
  order: 'ord', invoice: 'inv', credit_note: 'cn', customer: 'cus', subscription: 'sub', endpoint: 'ep', message: 'msg',
  stripe_customer: 'cus', checkout_session: 'cs_test', payment_intent: 'pi', event: 'evt', payment_method: 'pm', price: 'price',
};

export function eventExample(schema: Schema, hint: string, name = '', parent = ''): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) {
    const words = new Set(hint.split(/[._]/));
    return schema.enum.find((v: unknown) => words.has(String(v))) ?? schema.enum.find((v: unknown) => v !== null) ?? schema.enum[0];
  }
  const variants: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (variants) return eventExample(variants.find((v) => v.type !== 'null') ?? variants[0], hint, name, parent);
  const types: string[] = (Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'string')]).filter((t: string) => t !== 'null');
  switch (types[0] ?? 'null') {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, prop]) => [key, eventExample(prop as Schema, hint, key, name)]));
    case 'array':
      return [eventExample(schema.items ?? {}, hint, name.replace(/ies$/, 'y').replace(/s$/, ''), name)];
    case 'integer':
    case 'number':
      return exampleNumber(name, types[0] === 'integer');
    case 'boolean':
      return !/^(disabled|deleted|livemode|cancel_at_period_end)$/.test(name);
    case 'null':
      return null;
    default:
      return exampleString(schema, hint, name, parent);
  }
}

function exampleNumber(name: string, integer: boolean): number {
  if (/vat_rate/.test(name)) return 20;
  if (name === 'quantity') return 2;
  if (name === 'unit_amount') return 4500;
  if (name === 'amount_tax') return 1500;
  if (name === 'amount_excluding_tax') return 7500;
  if (/amount|total/.test(name)) return 9000;
  if (/^last_status/.test(name)) return 503;
  if (/status_code/.test(name)) return 200;
  if (name === 'attempts') return 10;
  return integer ? 1 : 1.5;
}

function exampleString(schema: Schema, hint: string, name: string, parent: string): string {
  const described = /^([a-z]+(?:_test|_live)?)_[….]/.exec(schema.description ?? '');
  if (described) return `${described[1]}_${ID_TAIL}`;
  if (schema.format === 'date-time' || /_at$|^timestamp$|period_(start|end)$/.test(name) || /ISO 8601/.test(schema.description ?? '')) return '2026-11-21T14:03:27.512Z';
  if (schema.format === 'date' || /_date$|^date$/.test(name)) return '2026-11-21';
  if (schema.format === 'email' || /email/.test(name)) return 'camille.martin@example.com';
  if (schema.format === 'uri' || /url$/.test(name)) return name === 'pdf_url' ? `https://api.comptappart.example/v1/invoices/inv_${ID_TAIL}/pdf` : 'https://partner.example.com/webhooks/comptappart';
  if (name === 'id') return `${ID_PREFIXES[parent] ?? ID_PREFIXES[hint.split('.')[0]] ?? 'obj'}_${ID_TAIL}`;
  if (name.endsWith('_id')) return `${ID_PREFIXES[name.slice(0, -3)] ?? name.slice(0, 3)}_${ID_TAIL}`;
  if (name === 'currency') return 'eur';
  if (name === 'environment') return 'staging';
  if (name === 'number') return 'TEST-2026-000042';
  if (name === 'partner_order_ref') return 'CMD-2026-0042';
  if (name === 'name') return parent === 'customer' ? 'Camille Martin' : 'Nuit — Chalet des Aravis';
  if (name === 'message_type') return 'order.paid';
  if (name === 'last_error') return 'HTTP 503';
  if (/reason|decline_code/.test(name)) return 'card_declined';
  return name || 'string';
}
