import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { openApiSchemaOf } from '../../apps/api/src/openapi/zod-openapi';
import { createPartnerSchema, updatePartnerSchema } from '../../apps/api/src/admin/admin.schemas';
import { ADMIN_TOKEN, TestStack } from '../support/test-stack';
import { bodyOf, JsonSchema, mutationOf, nastyString, percentEncode, queryOf } from './request-arbitraries';
import { changes, snapshot } from './side-effects';

interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
const DOC = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, Operation>> };

/** Runs per route: ABUSE_RUNS_PER_ROUTE (default 20 keeps the file near a minute on two cores); ABUSE_SEED replays a failure. */
const RUNS = Number(process.env.ABUSE_RUNS_PER_ROUTE ?? 20);
const SEED = Number(process.env.ABUSE_SEED ?? Date.now() % 2 ** 31);

/** Routes the document shows without their body schema: the schema that validates them. */
const BODY_SCHEMAS: Record<string, JsonSchema> = {
  'post /admin/partners': openApiSchemaOf(createPartnerSchema) as JsonSchema,
  'patch /admin/partners/{id}': openApiSchemaOf(updatePartnerSchema) as JsonSchema,
};

const operations = Object.entries(DOC.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

/**
 * Every route of the OpenAPI document gets generated bodies, query strings and
 * path ids (shaped by its schema and wild: wrong types, NUL, broken UTF-16,
 * huge strings and numbers, deep nesting, unknown fields) with valid credentials.
 * No answer is a 5xx, and a refused request (not 2xx) changes no table and
 * creates nothing on Stripe. A 2xx may write: it is the route doing its job.
 */
describe('abuse: no generated request gets a 5xx, and a refused one writes nothing', () => {
  let stack: TestStack;
  let keys: string[];
  /** Ids that exist, by the resource word of the path, so generated bodies reach the code behind the 404. */
  const ids: Record<string, string[]> = {};
  /** A valid body per route (the document's example, or one written here): mutated one value at a time. */
  const valid: Record<string, unknown> = {};
  let thrown = 0;
  let refused = 0;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    const partner = await stack.createPartner();
    const victim = await stack.createPartner({ invoice_prefix: 'VIC' });
    keys = [partner.api_keys.test, partner.api_keys.live];
    const token = partner.api_keys.test;
    const endpoint = await stack.createEndpoint(token);
    const checkout = await stack.createCheckout(token);
    const customer = await stack.http('POST', '/v1/customers', { token, body: { external_id: 'fuzz-1', email: 'camille@example.test' } });
    Object.assign(ids, {
      endpoints: [endpoint.id],
      orders: [checkout.order_id],
      customers: [customer.json.id],
      partners: [victim.id],
      'payment-intents': ['pi_doesnotexist'],
    });
    Object.assign(valid, {
      'post /v1/endpoints': { url: stack.receiverUrl, description: 'Order sync', event_types: ['order.paid'], max_in_flight: 2 },
      'patch /v1/endpoints/{id}': { url: stack.receiverUrl, description: 'Order sync', rate_limit_per_second: 5 },
      'post /v1/messages/{id}/resend': { endpoint_id: endpoint.id },
      'post /v1/invoices/{id}/send': { to: 'compta@example.test' },
      'post /v1/payment-intents': { customer_id: customer.json.id, line_items: [{ name: 'Lampe Aurore', quantity: 2, unit_amount: 4990 }], partner_order_ref: 'CMD-1' },
      'post /admin/partners/{id}/api-keys': { environment: 'staging' },
      'post /admin/partners': { name: 'Atelier', legal_name: 'Atelier SAS', address: { line1: '1 rue', postal_code: '75001', city: 'Paris', country: 'FR' }, siren: '123456789', email: 'a@example.test' },
      'patch /admin/partners/{id}': { name: 'Atelier Lumière', legal_form: 'SAS' },
    });
    const live = await stack.http('GET', '/openapi.json');
    const served = Object.entries(live.json.paths as Record<string, object>).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`));
    // The routes thrown at are the ones served: docs/openapi.json is not stale.
    expect(served.sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort());
  });

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log(`no-5xx: ${thrown} requests over ${operations.length} routes (seed ${SEED}, ${RUNS} runs per route), ${refused} refused, each refusal checked for writes`);
    await stack?.stop();
  });

  async function send(method: string, path: string, query: string, body: { json?: unknown; raw?: string; contentType?: string }, token: string | undefined, idempotencyKey: string | null) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let payload: string | undefined;
    if (method !== 'get' && method !== 'delete') {
      payload = body.raw ?? (body.json === undefined ? undefined : JSON.stringify(body.json));
      if (payload !== undefined) headers['content-type'] = body.contentType ?? 'application/json';
    }
    const res = await fetch(stack.apiUrl + path + query, { method: method.toUpperCase(), headers, body: payload });
    const text = await res.text();
    return { status: res.status, text };
  }

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))('%s', async (_name, { path, method, op }) => {
    const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
    const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content['application/json']?.schema ?? BODY_SCHEMAS[`${method} ${path}`];
    const resource = path.split('/')[2];
    const own = ids[resource] ?? [];
    const idArb = fc.oneof(
      { weight: 3, arbitrary: own.length ? fc.constantFrom(...own) : nastyString },
      { weight: 2, arbitrary: nastyString },
      { weight: 1, arbitrary: fc.constantFrom('\u0000', 'ord_\u0000', '\u001b', 'ord_x', 'ep_x', 'msg_x', 'cust_x', 'inv_x') },
    );
    const example = valid[`${method} ${path}`] ?? (bodySchema as { example?: unknown } | undefined)?.example;
    const bodyArb = example === undefined ? bodyOf(bodySchema) : fc.oneof({ weight: 2, arbitrary: mutationOf(example) }, { weight: 1, arbitrary: bodyOf(bodySchema) });
    const request = fc.record({
      params: fc.tuple(...pathParams.map(() => idArb)),
      query: queryOf(queryParams),
      body: bodyArb,
      key: fc.constantFrom(...keys),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), nastyString), { freq: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let url = path;
        pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, percentEncode(String(r.params[i])) || '%20')));
        const token = path.startsWith('/admin') ? ADMIN_TOKEN : path.startsWith('/stripe') ? undefined : r.key;
        const idempotencyKey = r.idempotencyKey === null ? null : r.idempotencyKey.replace(/[^\x20-\x7e]/g, '') || null;
        const before = await snapshot(stack);
        const res = await send(method, url, r.query, r.body, token, idempotencyKey);
        thrown++;
        const what = `${method.toUpperCase()} ${url}${r.query.slice(0, 300)} -> ${res.status} ${res.text.slice(0, 300)}`;
        if (res.status >= 500) throw new Error(`5xx: ${what}`);
        if (res.status >= 300) {
          refused++;
          const written = changes(before, await snapshot(stack));
          if (written.length > 0) throw new Error(`refused yet wrote (${written.join('; ')}): ${what}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});
