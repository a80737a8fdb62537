import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestStack } from './support/test-stack';

const DOC = join(__dirname, '..', 'docs', 'openapi.json');

/** The API reference comes from the code: the served document and docs/openapi.json are the same. */
describe('OpenAPI document', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is served at /openapi.json with every partner route, its schemas and the error shape', async () => {
    const res = await stack.http('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/v1/endpoints', '/v1/endpoints/{id}/rotate-secret', '/v1/messages', '/v1/messages/{id}/resend', '/v1/orders', '/v1/invoices/{id}/pdf', '/v1/checkout-sessions', '/v1/api-keys', '/v1/customers', '/v1/customers/{id}/charges', '/v1/payment-intents/{id}', '/v1/subscriptions/{id}/cancel']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const checkout = doc.paths['/v1/checkout-sessions'].post;
    const body = checkout.requestBody.content['application/json'].schema;
    // customer or customer_id, lines unless mode is setup: the rules the schema's refinements enforce.
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['mode', 'customer', 'customer_id', 'line_items']));
    expect(body.properties.mode.enum).toEqual(['payment', 'setup', 'subscription']);
    expect(body.additionalProperties).toBe(false);
    expect(checkout.responses['400'].content['application/json'].schema.example.error.code).toBe('validation_failed');
    expect(checkout.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/health') || p === '/metrics')).toEqual([]);
    const ui = await stack.http('GET', '/docs');
    expect(ui.status).toBe(200);
  });

  it('docs/openapi.json is the served document (UPDATE_DOCS=1 npm test rewrites it)', async () => {
    const served = JSON.stringify((await stack.http('GET', '/openapi.json')).json, null, 2) + '\n';
    if (process.env.UPDATE_DOCS === '1' || !existsSync(DOC)) writeFileSync(DOC, served);
    expect(readFileSync(DOC, 'utf8')).toBe(served);
  });
});
