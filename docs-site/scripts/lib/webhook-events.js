// The webhook event reference, from docs/webhook-events.schema.json (itself
// generated from libs/webhooks/src/partner-events.ts).
const { exampleFor, flattenFields, normalize } = require('./json-schema.js');
const { code, GENERATED_NOTICE, jsonBlock, slug, table, text } = require('./markdown.js');
const { EVENT_STATUS } = require('./labels.js');

function badge(type) {
  return EVENT_STATUS[type] ? ` <Status kind="${EVENT_STATUS[type]}" />` : '';
}

/**
 * Accepts the file as written today (`{"order.paid": <JSON Schema>, …}`) and two
 * likely evolutions: a `$defs` map, or one schema whose `oneOf` lists the envelopes.
 * Returns `[{type, schema}]` in the file's order.
 */
function eventSchemas(file) {
  if (!file || typeof file !== 'object') throw new Error('the webhook schema file is not a JSON object');
  const variants = file.oneOf ?? file.anyOf;
  const entries = Array.isArray(variants)
    ? variants.map((v) => normalize(v, file)).map((v) => [v.properties?.type?.const, v])
    : Object.entries(file.$defs && !Object.keys(file).some(isEventType) ? file.$defs : file).filter(([k, v]) => isEventType(k) && v && typeof v === 'object');
  const out = entries.map(([type, schema]) => {
    if (typeof type !== 'string' || !schema || typeof schema !== 'object') throw new Error(`cannot read an event type from the webhook schema file (${type})`);
    return { type, schema };
  });
  if (out.length === 0) throw new Error('the webhook schema file lists no event types');
  return out;
}

/** Any top-level key but JSON Schema keywords (`$schema`, `$defs`, …): `ping`, `order.paid`, … */
function isEventType(key) {
  return !key.startsWith('$') && /^[a-z][a-z0-9_.]*$/.test(key);
}

/** One MDX partial: a summary table, then per type its fields, a full example and its JSON Schema. */
function renderWebhookEvents(file, t) {
  const events = eventSchemas(file);
  let out = GENERATED_NOTICE;
  out += `${t.eventsIntro(events.length)}\n\n`;
  out += table([t.type, t.sentWhen], events.map(({ type, schema }) => [
    `[${code(type)}](#${slug(type)})`,
    text(schema.description ?? t.knownEvents[type] ?? t.noDescription) + badge(type),
  ]));
  for (const { type, schema } of events) {
    const data = schema.properties?.data ?? {};
    out += `\n### ${code(type)} {#${slug(type)}}\n\n`;
    out += `${text(schema.description ?? t.knownEvents[type] ?? t.noDescription)}${badge(type)}\n\n`;
    out += `${t.fieldsOfData}\n\n`;
    out += table([t.field, t.typeCol, t.required, t.description], flattenFields(data, file).map((f) => [
      code(f.path), code(f.type), f.required ? t.yes : t.no, text(f.description),
    ]));
    out += `\n${jsonBlock(exampleFor(schema, file, { hint: type }), t.exampleTitle(type))}\n`;
    out += `<details>\n<summary>${t.jsonSchemaOf(type)}</summary>\n\n${jsonBlock(schema)}\n</details>\n`;
  }
  // Types announced but not in the code yet; each disappears from here once the code sends it.
  const present = new Set(events.map((e) => e.type));
  const upcoming = Object.entries(t.upcomingEvents).filter(([type]) => !present.has(type));
  if (upcoming.length) {
    out += `\n### ${t.upcomingTitle} {#upcoming-events}\n\n${t.upcomingIntro}\n\n`;
    out += table([t.type, t.status, t.sentWhen], upcoming.map(([type, { kind, text: what }]) => [code(type), `<Status kind="${kind}" />`, text(what)]));
  }
  return out;
}

module.exports = { eventSchemas, renderWebhookEvents };
