import { endpointUrlProblem } from './endpoint-url';
import { forbiddenAddressReason, forbiddenLiteralHost, guardedLookup } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1',
    '0.0.0.0', '255.255.255.255', '240.0.0.1', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'ff02::1',
  ])('refuses %s', (ip) => {
    expect(forbiddenAddressReason(ip)).toMatch(/not a public one/);
  });

  // Each IPv6 transition form, carrying loopback, private, link-local (cloud metadata) or CGNAT IPv4 addresses.
  it.each([
    ['::127.0.0.1', 'IPv4-compatible', '127.0.0.1'],
    ['::7f00:1', 'IPv4-compatible', '127.0.0.1'],
    ['::10.0.0.1', 'IPv4-compatible', '10.0.0.1'],
    ['::ffff:127.0.0.1', 'IPv4-mapped', '127.0.0.1'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped', '169.254.169.254'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated', '127.0.0.1'],
    ['64:ff9b::127.0.0.1', 'NAT64', '127.0.0.1'],
    ['64:ff9b::a9fe:a9fe', 'NAT64', '169.254.169.254'],
    ['64:ff9b::192.168.1.1', 'NAT64', '192.168.1.1'],
    ['64:ff9b:1::7f00:1', 'NAT64', '127.0.0.1'],
    ['64:ff9b:1:a00:1:100:a00:1', 'NAT64', '10.0.0.1'],
    ['64:ff9b:1:a00:1:100:808:808', 'NAT64', '10.0.1.1'],
    ['2002:7f00:1::', '6to4', '127.0.0.1'],
    ['2002:a9fe:a9fe::1', '6to4', '169.254.169.254'],
    ['2002:6440:1::', '6to4', '100.64.0.1'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo', '127.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'Teredo', '10.0.0.1'],
    ['2001:0:a00:1::', 'Teredo', '10.0.0.1'],
  ])('refuses %s: %s carrying %s', (ip, form, v4) => {
    expect(forbiddenAddressReason(ip)).toMatch(new RegExp(`is an ${form} address carrying ${v4.replace(/\./g, '\\.')}, a \\w+ address, not a public one`));
    expect(forbiddenLiteralHost(new URL(`http://[${ip}]:8080/`))).toMatch(/not a public one/);
  });

  it.each(['64:ff9b::8.8.8.8', '2002:808:808::1', '::ffff:93.184.215.14'])('allows %s, which carries a public IPv4', (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });

  it.each(['http://localhost./x', 'http://localhost../x', 'http://api.localhost./x', 'http://metadata.google.internal./x', 'http://printer.local./', 'http://127.0.0.1./', 'http://[::127.0.0.1]/'])(
    'refuses %s at registration (a trailing dot changes nothing)',
    (url) => {
      expect(endpointUrlProblem(url, 'staging')).toMatch(/^must point to a public/);
    },
  );

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });

  it('refuses literal hosts, including bracketed IPv6', () => {
    expect(forbiddenLiteralHost(new URL('http://[::1]:8080/x'))).toMatch(/loopback/);
    expect(forbiddenLiteralHost(new URL('http://169.254.169.254/latest/meta-data'))).toMatch(/linkLocal/);
    expect(forbiddenLiteralHost(new URL('https://partner.example.com/hook'))).toBeNull();
  });

  it('refuses a name with a trailing dot that resolves inward', (done) => {
    guardedLookup('localhost.', {}, (err) => {
      expect(err?.message).toMatch(/refused: localhost\. resolves to .* (loopback|IPv4-mapped)/);
      done();
    });
  });

  it('refuses a name that resolves inward', (done) => {
    guardedLookup('localhost', {}, (err) => {
      expect(err?.message).toMatch(/refused: localhost resolves to .* loopback/);
      done();
    });
  });
});
