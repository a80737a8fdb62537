// Reading JSON Schemas (webhook events, OpenAPI components): $ref resolution,
// a flat field list for tables, and a realistic example built from the schema.

/** Follows local `$ref`s (`#/$defs/x`, `#/components/schemas/x`) against `root`. */
function resolveRef(schema, root, seen = new Set()) {
  if (!schema || typeof schema !== 'object' || typeof schema.$ref !== 'string') return schema;
  if (!schema.$ref.startsWith('#/')) throw new Error(`only local $ref are supported, got ${schema.$ref}`);
  if (seen.has(schema.$ref)) return {};
  seen.add(schema.$ref);
  let target = root;
  for (const part of schema.$ref.slice(2).split('/')) {
    target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  const { $ref, ...siblings } = schema;
  return { ...resolveRef(target, root, seen), ...siblings };
}

/** Merges `allOf` parts and picks the non-null branch of a nullable `anyOf`/`oneOf`. */
function normalize(schema, root) {
  let s = resolveRef(schema, root) ?? {};
  if (Array.isArray(s.allOf)) {
    const merged = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf.map((p) => normalize(p, root))) {
      Object.assign(merged.properties, part.properties ?? {});
      merged.required.push(...(part.required ?? []));
      if (part.description && !merged.description) merged.description = part.description;
    }
    const { allOf, ...rest } = s;
    s = { ...merged, ...rest, properties: { ...merged.properties, ...(rest.properties ?? {}) }, required: [...merged.required, ...(rest.required ?? [])] };
  }
  for (const key of ['anyOf', 'oneOf']) {
    if (Array.isArray(s[key])) {
      const variants = s[key].map((v) => normalize(v, root));
      const nonNull = variants.filter((v) => v.type !== 'null');
      if (nonNull.length === 1) {
        const { [key]: _, ...rest } = s;
        s = { ...nonNull[0], ...rest, nullable: nonNull.length < variants.length || rest.nullable };
      }
    }
  }
  return s;
}

/** A readable type: `string`, `integer`, `string | null`, `array<object>`, `"a" | "b"`. */
function typeLabel(schema, root) {
  const s = normalize(schema, root);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  let types = Array.isArray(s.type) ? [...s.type] : s.type ? [s.type] : [];
  if (types.length === 0) {
    if (s.properties) types = ['object'];
    else if (Array.isArray(s.anyOf ?? s.oneOf)) return (s.anyOf ?? s.oneOf).map((v) => typeLabel(v, root)).join(' | ');
    else types = ['any'];
  }
  if (s.nullable && !types.includes('null')) types.push('null');
  return types.map((t) => (t === 'array' ? `array<${typeLabel(s.items ?? {}, root)}>` : t)).join(' | ');
}

/** Every field, depth first, as `{path, type, required, description}` rows. */
function flattenFields(schema, root, prefix = '', out = []) {
  const s = normalize(schema, root);
  const required = new Set(s.required ?? []);
  for (const [name, raw] of Object.entries(s.properties ?? {})) {
    const prop = normalize(raw, root);
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, type: typeLabel(raw, root), required: required.has(name), description: describe(prop) });
    if (prop.properties) flattenFields(prop, root, path, out);
    const items = prop.items ? normalize(prop.items, root) : null;
    if (items?.properties) flattenFields(items, root, `${path}[]`, out);
  }
  return out;
}

function describe(s) {
  const parts = [];
  if (s.description) parts.push(s.description);
  if (s.format) parts.push(`format: ${s.format}`);
  if (s.minimum !== undefined && Math.abs(s.minimum) < 1e15) parts.push(`min ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined && typeof s.exclusiveMinimum === 'number') parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && Math.abs(s.maximum) < 1e15) parts.push(`max ${s.maximum}`);
  if (s.maxLength !== undefined) parts.push(`max length ${s.maxLength}`);
  if (s.maxItems !== undefined) parts.push(`max items ${s.maxItems}`);
  return parts.join('; ');
}

// Stripe and ComptAppart id prefixes, so examples look like what partners receive.
const ID_PREFIXES = {
  order: 'ord', invoice: 'inv', credit_note: 'cn', customer: 'cus', subscription: 'sub', endpoint: 'ep',
  message: 'msg', partner: 'par', attempt: 'att', delivery: 'dlv', event: 'evt', checkout_session: 'cs_test',
  payment_intent: 'pi', setup_intent: 'seti', payment_method: 'pm', refund: 're', charge: 'ch', stripe_customer: 'cus',
  api_key: 'key',
};
const FAKE_ID_TAIL = '01JD8Q4ZK7M3V2X9';

function fakeId(prefix) {
  return `${prefix}_${FAKE_ID_TAIL}`;
}

/** A plausible value for every field; `ctx.hint` (e.g. the event type) steers enums and ids. */
function exampleFor(schema, root, ctx = {}, name = '', parent = '') {
  const s = normalize(schema, root);
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined && s.default !== null) return s.default;
  if (Array.isArray(s.enum)) return pickEnum(s.enum, ctx.hint);
  let types = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : s.type ? [s.type] : [];
  if (types.length === 0 && s.properties) types = ['object'];
  if (types.length === 0 && Array.isArray(s.anyOf ?? s.oneOf)) return exampleFor((s.anyOf ?? s.oneOf)[0], root, ctx, name, parent);
  switch (types[0]) {
    case 'object': {
      const out = {};
      for (const [key, prop] of Object.entries(s.properties ?? {})) out[key] = exampleFor(prop, root, ctx, key, name);
      if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object') {
        out.key = exampleFor(s.additionalProperties, root, ctx, 'value', name);
      }
      return out;
    }
    case 'array':
      return [exampleFor(s.items ?? {}, root, ctx, singular(name), name)];
    case 'integer':
      return exampleInteger(name);
    case 'number':
      return /vat|rate/.test(name) ? 20 : exampleInteger(name);
    case 'boolean':
      return !/^(disabled|deleted|livemode)$/.test(name);
    case 'null':
      return null;
    default:
      return exampleString(s, name, parent, ctx);
  }
}

function pickEnum(values, hint = '') {
  const words = new Set(String(hint).split(/[._]/));
  return values.find((v) => words.has(String(v))) ?? values.find((v) => v !== null) ?? values[0];
}

function singular(name) {
  return name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.endsWith('s') ? name.slice(0, -1) : name;
}

function exampleInteger(name) {
  if (name === 'quantity') return 2;
  if (name === 'amount_excluding_tax') return 7500;
  if (name === 'amount_tax') return 1500;
  if (name === 'attempts') return 10;
  if (/^last_status/.test(name)) return 503;
  if (name === 'unit_amount') return 4500;
  if (/amount|total/.test(name)) return 9000;
  if (/vat_rate/.test(name)) return 20;
  if (/status_code/.test(name)) return 200;
  if (/duration/.test(name)) return 182;
  if (/count|attempt/.test(name)) return 1;
  if (/limit/.test(name)) return 20;
  return 1;
}

/** Inside a credit note (its event, or its reference in order.refunded), not the invoice it corrects. */
function creditNote(parent, ctx) {
  return parent !== 'invoice' && (parent === 'credit_note' || String(ctx.hint ?? '').startsWith('credit_note'));
}

function exampleString(s, name, parent, ctx) {
  const described = /^([a-z]+(?:_test|_live)?)_[…\.]/.exec(s.description ?? '');
  if (described) return fakeId(described[1]);
  if (s.format === 'date-time' || /_at$|^timestamp$|period_(start|end)$/.test(name) || /ISO 8601/.test(s.description ?? '')) {
    return '2026-11-21T14:03:27.512Z';
  }
  if (s.format === 'date' || /_date$|^date$/.test(name)) return '2026-11-21';
  if (s.format === 'email' || /email/.test(name)) return 'camille.martin@example.com';
  if (s.format === 'uri' || /url$/.test(name)) {
    if (name === 'endpoint_url') return 'https://partner.example.com/webhooks/comptappart';
    if (name === 'pdf_url') {
      return creditNote(parent, ctx)
        ? `https://api.comptappart.example/v1/credit-notes/${fakeId('cn')}/pdf`
        : `https://api.comptappart.example/v1/invoices/${fakeId('inv')}/pdf`;
    }
    if (name === 'url' && (parent === 'endpoint' || /endpoint/.test(ctx.hint ?? ''))) return 'https://partner.example.com/webhooks/comptappart';
    if (/checkout/.test(ctx.hint ?? '') || name === 'url') return 'https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4';
    return 'https://partner.example.com/return';
  }
  if (name === 'id') {
    const owner = parent || String(ctx.hint ?? '').split('.')[0];
    return fakeId(ID_PREFIXES[owner] ?? ID_PREFIXES[singular(owner)] ?? (owner.slice(0, 3) || 'obj'));
  }
  if (name.endsWith('_id')) {
    const owner = name.slice(0, -3).replace(/^stripe_(?!customer)/, '');
    return fakeId(ID_PREFIXES[owner] ?? owner.slice(0, 3));
  }
  if (name === 'currency') return 'eur';
  if (name === 'message_type') return 'order.paid';
  if (name === 'last_error') return 'HTTP 503';
  if (name === 'message' && ctx.hint === 'ping') return 'Test message from ComptAppart';
  if (name === 'message' && (parent === 'detail' || parent === 'details')) return 'must use https:// in production';
  if (name === 'field') return 'url';
  if (name === 'number') return creditNote(parent, ctx) ? 'TEST-AV-2026-000003' : 'TEST-2026-000042';
  if (name === 'partner_order_ref') return 'CMD-2026-0042';
  if (name === 'name') return parent === 'customer' ? 'Camille Martin' : 'Nuit — Chalet des Aravis';
  if (/reason|decline_code/.test(name)) return 'card_declined';
  if (name === 'secret') return 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  if (name === 'client_secret') return 'cs_test_a1B2c3D4_secret_e5F6g7H8';
  if (name === 'description') return 'Serveur de staging';
  if (name === 'locale') return 'fr';
  if (name === 'environment') return 'staging';
  if (name === 'code') return 'validation_failed';
  if (name === 'message') return 'The request is invalid; see `details` for each offending field.';
  if (name === 'request_id') return 'req_01JD8Q4ZK7M3V2X9';
  return name || 'string';
}

module.exports = { resolveRef, normalize, typeLabel, flattenFields, exampleFor };
