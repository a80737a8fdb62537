import { ADMIN_TOKEN, TestStack } from '../support/test-stack';

/** Abuse: bodies that are not JSON. Each gets 415 `unsupported_media_type` (the catalogue's code) and changes nothing. */
describe('abuse: request bodies of another media type', () => {
  let stack: TestStack;
  let key: string;

  beforeAll(async () => {
    stack = await TestStack.start({ worker: false });
    key = (await stack.createPartner({ invoice_prefix: 'MTY' })).api_keys.test;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const bodies: [string, string | undefined, string][] = [
    ['form-encoded', 'application/x-www-form-urlencoded', 'url=https%3A%2F%2Fhooks.mty.example%2Fa'],
    ['plain text', 'text/plain', '{"url":"https://hooks.mty.example/b"}'],
    ['XML', 'application/xml', '<endpoint><url>https://hooks.mty.example/c</url></endpoint>'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://hooks.mty.example/d\r\n--x--\r\n'],
    ['a JSON look-alike type', 'application/jsonp', '{"url":"https://hooks.mty.example/e"}'],
    ['no Content-Type', undefined, '{"url":"https://hooks.mty.example/f"}'],
  ];

  it.each(bodies)('refuses a %s body with 415 unsupported_media_type, on /v1 and /admin, creating nothing', async (_what, type, body) => {
    for (const [path, token] of [['/v1/endpoints', key], ['/admin/partners', ADMIN_TOKEN]] as const) {
      const res = await fetch(stack.apiUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) }, body });
      expect({ path, status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code }).toEqual({ path, status: 415, code: 'unsupported_media_type' });
    }
    expect(await stack.sql(`SELECT 1 FROM endpoints`)).toHaveLength(0);
    expect(await stack.sql(`SELECT 1 FROM partners`)).toHaveLength(1);
  });

  it('still takes JSON with a charset', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ url: 'https://hooks.mty.example/json' }),
    });
    expect(res.status).toBe(201);
  });
});
