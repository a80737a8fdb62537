import { forbiddenAddressReason, forbiddenLiteralHost, guardedLookup } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1',
    '0.0.0.0', '255.255.255.255', '240.0.0.1', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'ff02::1',
  ])('refuses %s', (ip) => {
    expect(forbiddenAddressReason(ip)).toMatch(/not a public one/);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('allows public %s', (ip) => {
    expect(forbiddenAddressReason(ip)).toBeNull();
  });

  it('refuses literal hosts, including bracketed IPv6', () => {
    expect(forbiddenLiteralHost(new URL('http://[::1]:8080/x'))).toMatch(/loopback/);
    expect(forbiddenLiteralHost(new URL('http://169.254.169.254/latest/meta-data'))).toMatch(/linkLocal/);
    expect(forbiddenLiteralHost(new URL('https://partner.example.com/hook'))).toBeNull();
  });

  it('refuses a name that resolves inward', (done) => {
    guardedLookup('localhost', {}, (err) => {
      expect(err?.message).toMatch(/refused: localhost resolves to .* loopback/);
      done();
    });
  });
});
