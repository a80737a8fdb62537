import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The generator that turns docs/webhook-events.schema.json and docs/openapi.json
 * into the partner docs' reference pages (docs-site/scripts): every event type
 * the code defines, today's or tomorrow's, gets its section and a full example
 * that matches its schema; text from the code cannot break the MDX.
 */
const LIB = join(__dirname, '..', 'docs-site', 'scripts', 'lib');
const EVENTS_FILE = join(__dirname, '..', 'docs', 'webhook-events.schema.json');

type Schema = Record<string, any>;
type Labels = Record<string, any>;
interface Generator {
  renderWebhookEvents(file: unknown, t: Labels): string;
  eventSchemas(file: unknown): { type: string; schema: Schema }[];
  exampleFor(schema: Schema, root: unknown, ctx?: { hint?: string }): unknown;
  renderApiReference(doc: unknown, t: Labels): Record<string, string>;
  LABELS: Record<'fr' | 'en', Labels>;
}

function load(): Generator {
  const mods = ['webhook-events', 'json-schema', 'openapi-pages', 'labels'].map((m) => require(join(LIB, `${m}.js`)));
  return Object.assign({}, ...mods) as Generator;
}

/** The parts of JSON Schema our schemas use, enough to tell a wrong example from a right one. */
function problems(value: unknown, schema: Schema, path = '$'): string[] {
  if (schema.const !== undefined) return value === schema.const ? [] : [`${path}: not ${JSON.stringify(schema.const)}`];
  if (schema.enum) return schema.enum.includes(value) ? [] : [`${path}: ${JSON.stringify(value)} not in enum`];
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${path}: ${actual}, expected ${types.join('|')}`];
  if (actual === 'array') return (value as unknown[]).flatMap((v, i) => problems(v, schema.items ?? {}, `${path}[${i}]`));
  if (actual !== 'object') return [];
  const obj = value as Record<string, unknown>;
  const missing = (schema.required ?? []).filter((k: string) => !(k in obj)).map((k: string) => `${path}.${k}: missing`);
  const extra = schema.additionalProperties === false ? Object.keys(obj).filter((k) => !(k in (schema.properties ?? {}))).map((k) => `${path}.${k}: not allowed`) : [];
  return [...missing, ...extra, ...Object.entries(schema.properties ?? {}).flatMap(([k, s]) => (k in obj ? problems(obj[k], s as Schema, `${path}.${k}`) : []))];
}

describe('docs reference generator', () => {
  let gen: Generator;
  const events = JSON.parse(readFileSync(EVENTS_FILE, 'utf8')) as Record<string, Schema>;

  beforeAll(() => {
    gen = load();
  });

  it('gives every event type of docs/webhook-events.schema.json a section and a full example that matches its schema', () => {
    for (const locale of ['fr', 'en'] as const) {
      const mdx = gen.renderWebhookEvents(events, gen.LABELS[locale]);
      for (const [type, schema] of Object.entries(events)) {
        expect(mdx).toContain(`### \`${type}\` {#${type.replace(/[^a-z0-9]+/g, '-')}}`);
        const example = gen.exampleFor(schema, events, { hint: type });
        expect({ type, problems: problems(example, schema) }).toEqual({ type, problems: [] });
      }
    }
  });

  it('handles event types added later, with or without a dot, nested objects and refs', () => {
    const subscription = {
      type: 'object',
      properties: {
        type: { type: 'string', const: 'loyalty.reward_granted' },
        timestamp: { type: 'string' },
        data: {
          type: 'object',
          properties: { id: { type: 'string', description: 'sub_…' }, period: { $ref: '#/$defs/period' }, items: { type: 'array', items: { $ref: '#/$defs/period' } } },
          required: ['id', 'period'],
        },
      },
      required: ['type', 'timestamp', 'data'],
    };
    const heartbeat = { type: 'object', properties: { type: { const: 'heartbeat' }, data: { type: 'object', properties: { message: { type: 'string' } } } } };
    const file = { ...events, 'loyalty.reward_granted': subscription, heartbeat, $defs: { period: { type: 'object', properties: { start: { type: 'string', format: 'date-time' } }, required: ['start'] } } };
    expect(gen.eventSchemas(file).map((e) => e.type)).toEqual([...Object.keys(events), 'loyalty.reward_granted', 'heartbeat']);
    // Two announced types: one the code now defines, one still to come.
    const labels = {
      ...gen.LABELS.en,
      upcomingEvents: {
        'loyalty.reward_granted': { kind: 'planned', text: 'A reward was granted.' },
        'loyalty.tier_changed': { kind: 'planned', text: 'A tier changed.' },
      },
    };
    const mdx = gen.renderWebhookEvents(file, labels);
    expect(mdx).toContain('`period.start`');
    const example = gen.exampleFor(subscription, file, { hint: 'loyalty.reward_granted' }) as { data: { id: string; period: { start: string } } };
    expect(example.data.id).toMatch(/^sub_/);
    expect(example.data.period.start).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Announced types leave the "other types" table once the code defines them.
    expect(mdx).not.toMatch(/\| `loyalty\.reward_granted` \| <Status/);
    expect(mdx).toMatch(/\| `loyalty\.tier_changed` \| <Status kind="planned" \/>/);
  });

  it('keeps text from the code literal in MDX: braces and tags escaped outside code spans, kept inside', () => {
    const file = { 'x.y': { type: 'object', description: 'Sent {always} <b>now</b>; send `Bearer <key>` | fast', properties: { type: { const: 'x.y' }, data: { type: 'object', properties: {} } } } };
    const mdx = gen.renderWebhookEvents(file, gen.LABELS.en);
    expect(mdx).toContain('Sent &#123;always&#125; &#60;b&#62;now&#60;/b&#62;; send `Bearer <key>` \\| fast');
  });

  it('renders one API page per tag from an OpenAPI 3 document, without the operator and Stripe routes', () => {
    const doc = {
      openapi: '3.0.0',
      info: { title: 'ComptAppart API', version: '1.0' },
      components: { securitySchemes: { partner_key: { type: 'http', scheme: 'bearer' }, admin_token: { type: 'http', scheme: 'bearer' } } },
      paths: {
        '/v1/endpoints': { post: { tags: ['Endpoints'], operationId: 'Endpoints_create', security: [{ partner_key: [] }], requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] } } } }, responses: { 201: { description: 'Created', content: { 'application/json': { schema: { example: { id: 'ep_1' } } } } } } } },
        '/v1/orders/{id}': { get: { tags: ['Orders'], operationId: 'Orders_get', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'The order' } } } },
        '/admin/partners': { post: { tags: ['Admin'], security: [{ admin_token: [] }], responses: { 201: { description: 'Created' } } } },
        '/stripe/webhook': { post: { tags: ['StripeWebhook'], responses: { 200: { description: 'ok' } } } },
      },
    };
    const files = gen.renderApiReference(doc, gen.LABELS.fr);
    expect(Object.keys(files).sort()).toEqual(['_category_.json', 'endpoints.mdx', 'index.mdx', 'orders.mdx']);
    expect(files['endpoints.mdx']).toContain('## `POST /v1/endpoints` {#endpoints-create}');
    expect(files['endpoints.mdx']).toContain('"id": "ep_1"');
    expect(files['index.mdx']).toContain('`partner_key`');
    expect(files['index.mdx']).not.toContain('admin_token');
    expect(() => gen.renderApiReference({ swagger: '2.0', paths: {} }, gen.LABELS.en)).toThrow(/OpenAPI 3/);
  });
});
