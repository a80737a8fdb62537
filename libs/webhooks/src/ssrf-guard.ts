import { lookup as dnsLookup, LookupAddress, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Partner URLs are chosen by partners, so a delivery must never reach our own
 * network: loopback, private, link-local (cloud metadata), CGNAT, multicast,
 * reserved and unspecified ranges, in IPv4 and IPv6. ipaddr.js names every
 * such range; only `unicast` is public. An IPv6 address that carries an IPv4
 * one (the transition forms below) is judged by the IPv4 it carries, since
 * that is where a translator or a dual-stack kernel sends the packets.
 */
export function forbiddenAddressReason(address: string): string | null {
  const canonical = canonicalAddress(address);
  if (!canonical) return `"${address}" is not an IP address`;
  const parsed = ipaddr.parse(canonical);
  if (parsed.kind() === 'ipv6') {
    const embedded = embeddedIPv4(parsed as ipaddr.IPv6);
    if (embedded) {
      for (const v4 of embedded.ipv4) {
        const range = v4.range();
        if (range !== 'unicast') return `${address} is an ${embedded.form} address carrying ${v4.toString()}, a ${range} address, not a public one`;
      }
      return null;
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? null : `${address} is a ${range} address, not a public one`;
}

/**
 * The address in the form the URL parser writes it. ipaddr.js reads
 * `::127.0.0.1` (IPv4-compatible) as `::ffff:127.0.0.1`, while a URL writes it
 * `[::7f00:1]`; both paths must see the same 128 bits.
 */
function canonicalAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare;
  if (isIP(bare) !== 6) return null;
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

const v4Of = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
const zero = (parts: number[]) => parts.every((p) => p === 0);

/** The IPv4 addresses an IPv6 address carries, by transition form (RFC 4291, 6145, 6052, 8215, 3056, 4380). */
export function embeddedIPv4(v6: ipaddr.IPv6): { form: string; ipv4: ipaddr.IPv4[] } | null {
  const p = v6.parts;
  if (zero(p.slice(0, 5)) && p[5] === 0xffff) return { form: 'IPv4-mapped', ipv4: [v4Of(p[6], p[7])] };
  if (zero(p.slice(0, 4)) && p[4] === 0xffff && p[5] === 0) return { form: 'IPv4-translated', ipv4: [v4Of(p[6], p[7])] };
  // `::` and `::1` are the unspecified and loopback addresses, not IPv4-compatible ones.
  if (zero(p.slice(0, 6)) && !(p[6] === 0 && p[7] <= 1)) return { form: 'IPv4-compatible', ipv4: [v4Of(p[6], p[7])] };
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(p.slice(2, 6))) return { form: 'NAT64', ipv4: [v4Of(p[6], p[7])] };
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 1) {
    // The local-use NAT64 prefix is a /48 that operators also cut as /96: the IPv4 sits in the last 32 bits or after the 48 (skipping the u octet).
    return { form: 'NAT64', ipv4: [v4Of(p[6], p[7]), v4Of(p[3], ((p[4] & 0xff) << 8) | (p[5] >> 8))] };
  }
  if (p[0] === 0x2002) return { form: '6to4', ipv4: [v4Of(p[1], p[2])] };
  // Teredo: the server's IPv4 in bits 32-63, the client's in the last 32 bits, inverted.
  if (p[0] === 0x2001 && p[1] === 0) return { form: 'Teredo', ipv4: [v4Of(p[2], p[3]), v4Of(p[6] ^ 0xffff, p[7] ^ 0xffff)] };
  return null;
}

export class ForbiddenAddressError extends Error {
  readonly code = 'EADDRFORBIDDEN';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connect options: it resolves like the system, then
 * refuses the connection when any resolved address is forbidden. Checking at
 * connect time (not when the URL is registered) is what defeats DNS
 * rebinding: the address used is the address checked.
 */
export function guardedLookup(hostname: string, options: LookupOneOptions | number, callback: LookupCallback): void {
  const opts = typeof options === 'number' ? { family: options } : options;
  // Resolved without its final dot(s), as the registration check read it; the addresses are what is checked.
  dnsLookup(withoutTrailingDots(hostname), { ...opts, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    for (const a of list) {
      const reason = forbiddenAddressReason(a.address);
      if (reason) return callback(new ForbiddenAddressError(`refused: ${hostname} resolves to ${reason}`), []);
    }
    if ((opts as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}

/** `localhost.` is `localhost`: DNS names are absolute with or without the final dot. */
export function withoutTrailingDots(hostname: string): string {
  return hostname.replace(/\.+$/, '');
}

/** For a URL whose host is an IP literal (no lookup happens for those): why it is refused, or null. */
export function forbiddenLiteralHost(url: URL): string | null {
  const host = withoutTrailingDots(url.hostname).replace(/^\[|\]$/g, '');
  if (!isIP(host)) return null;
  const reason = forbiddenAddressReason(host);
  return reason ? `refused: ${reason}` : null;
}
