import { lookup as dnsLookup, LookupAddress, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Partner URLs are chosen by partners, so a delivery must never reach our own
 * network: loopback, private, link-local (cloud metadata), CGNAT, multicast,
 * reserved and unspecified ranges, in IPv4 and IPv6 (IPv4-mapped included).
 * ipaddr.js names every such range; only `unicast` is public.
 */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : `${address} is a ${range} address, not a public one`;
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
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
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

/** For a URL whose host is an IP literal (no lookup happens for those): why it is refused, or null. */
export function forbiddenLiteralHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return null;
  const reason = forbiddenAddressReason(host);
  return reason ? `refused: ${reason}` : null;
}
