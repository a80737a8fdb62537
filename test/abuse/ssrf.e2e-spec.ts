import dns from 'node:dns';
import { mkdirSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer, Server } from 'node:net';
import { join } from 'node:path';
import { TestStack } from '../support/test-stack';

/**
 * SSRF through partner webhook URLs, with private networks refused as in
 * production: every IPv6 form that carries a non-public IPv4, and local names
 * with a trailing dot, are refused when registered (400 validation_failed on
 * `url`) and, when a public-looking name resolves to one, when connecting.
 * A local listener counts the sockets that reach it: none may.
 */
describe('abuse: SSRF through endpoint URLs', () => {
  let stack: TestStack;
  let token: string;
  let listener: Server;
  let port: number;
  let sockets = 0;
  const tally = { tried: 0, refused: 0 };

  const literals = () => [
    `http://[::127.0.0.1]:${port}/`, `http://[::7f00:1]:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`,
    `http://[::ffff:0:127.0.0.1]:${port}/`, `http://[::169.254.169.254]/latest/meta-data`, `http://[::ffff:a9fe:a9fe]/latest/meta-data`,
    `http://[64:ff9b::127.0.0.1]:${port}/`, `http://[64:ff9b::a9fe:a9fe]/`, `http://[64:ff9b::10.0.0.1]/`, `http://[64:ff9b:1::7f00:1]:${port}/`,
    `http://[2002:7f00:1::1]:${port}/`, `http://[2002:a9fe:a9fe::]/`, `http://[2002:c0a8:101::1]/`,
    `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port}/`, `http://[2001:0:a00:1::1]/`,
    `http://[::1]:${port}/`, `http://[::]:${port}/`, `http://127.0.0.1.:${port}/`,
    `http://localhost.:${port}/`, `http://localhost..:${port}/`, `http://LOCALHOST.:${port}/`, `http://api.localhost.:${port}/`,
    `http://metadata.google.internal./computeMetadata/v1/`, `http://printer.local./`,
  ];
  // What a name registered as public could resolve to later (DNS rebinding): each carries 127.0.0.1.
  const answers = ['::7f00:1', '::ffff:7f00:1', '::ffff:0:7f00:1', '64:ff9b::7f00:1', '64:ff9b:1::7f00:1', '2002:7f00:1::1', '2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'];

  beforeAll(async () => {
    listener = createServer((socket) => {
      sockets++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
    port = (listener.address() as AddressInfo).port;
    stack = await TestStack.start({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' }, worker: false });
    token = (await stack.createPartner()).api_keys.test;
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await stack?.stop();
    await new Promise((resolve) => listener?.close(resolve));
    mkdirSync(join(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', 'test-artifacts', 'abuse-ssrf.json'), JSON.stringify({ ...tally, socketsReached: sockets }, null, 2));
    process.stderr.write(`abuse/ssrf: ${tally.tried} vectors tried, ${tally.refused} refused, ${sockets} sockets reached the local listener\n`);
  });

  it('refuses each inward URL at registration, by POST and by PATCH, with 400 validation_failed on url, storing nothing', async () => {
    const kept = await stack.createEndpoint(token, 'https://hooks.partner.example/comptappart');
    for (const url of literals()) {
      for (const [method, path] of [['POST', '/v1/endpoints'], ['PATCH', `/v1/endpoints/${kept.id}`]]) {
        tally.tried++;
        const res = await stack.http(method, path, { token, body: { url } });
        expect({ url, method, status: res.status, code: res.json?.error?.code, field: res.json?.error?.details?.[0]?.field }).toEqual({ url, method, status: 400, code: 'validation_failed', field: 'url' });
        expect(res.json.error.details[0].message).toMatch(/^must point to a public (address|host name)/);
        tally.refused++;
      }
    }
    expect(await stack.sql('SELECT url FROM endpoints')).toEqual([{ url: 'https://hooks.partner.example/comptappart' }]);
    expect(sockets).toBe(0);
  });

  it('refuses at connect time a public-looking name whose DNS answer carries a loopback IPv4: no socket reaches the listener', async () => {
    const realLookup = dns.lookup;
    let answer = '';
    // The system resolver answers for every other name; only ours is rebound.
    jest.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: unknown, callback: (...a: unknown[]) => void) => {
      if (!hostname.endsWith('rebind.partner.example')) return (realLookup as (...a: unknown[]) => void)(hostname, options, callback);
      const family = answer.includes(':') ? 6 : 4;
      (options as { all?: boolean }).all ? callback(null, [{ address: answer, family }]) : callback(null, answer, family);
    }) as typeof dns.lookup);
    const endpoint = await stack.createEndpoint(token, 'https://rebind.partner.example/hook');
    for (const [i, address] of answers.entries()) {
      for (const host of [`h${i}.rebind.partner.example`, `h${i}.rebind.partner.example.`]) {
        answer = address;
        tally.tried++;
        expect((await stack.http('PATCH', `/v1/endpoints/${endpoint.id}`, { token, body: { url: `http://${host}:${port}/hook` } })).status).toBe(200);
        const ping = await stack.http('POST', `/v1/endpoints/${endpoint.id}/test`, { token });
        expect(ping.status).toBe(200);
        expect({ address, host, statusCode: ping.json.status_code, error: ping.json.error }).toEqual({ address, host, statusCode: null, error: expect.stringMatching(/^EADDRFORBIDDEN: refused: .* resolves to .*not a public one/) });
        tally.refused++;
      }
    }
    expect(sockets).toBe(0);
  });
});
