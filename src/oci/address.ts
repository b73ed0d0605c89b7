// Where a registry may send us: the rule that keeps a registry on a public address from reaching into private networks.
//
// The rule (issue 9, M3b): a registry whose address is public may redirect us (HTTP 3xx), hand us URLs
// (referrers Link, upload Location) or name token realms only on public addresses; a target that is, or
// resolves to, a loopback, link-local, private, shared or otherwise non-public address is refused. The
// check is made on the addresses the host name resolves to when the connection is opened (a DNS answer
// cannot smuggle a private address past it) and on IP literals before connecting. A registry that is
// itself on such an address (or resolves to one) may send us anywhere, private space included.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Which addresses a request may reach. */
export type AddressRule = 'any' | 'public';

/** Error code of a connection refused by the `public` rule (never a Node errno, so never retried). */
export const NON_PUBLIC_ADDRESS_CODE = 'ERR_IMGVERIFY_NON_PUBLIC_ADDRESS';

/** Address blocks that are not publicly routable unicast (IANA special-purpose registries). */
const NON_PUBLIC_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast included
];
const NON_PUBLIC_IPV6: ReadonlyArray<readonly [string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
];

const nonPublic = new BlockList();
for (const [network, prefix] of NON_PUBLIC_IPV4) nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of NON_PUBLIC_IPV6) nonPublic.addSubnet(network, prefix, 'ipv6');

/** IPv4 embedded in an IPv6 address that carries one (`::ffff:a.b.c.d` mapped, `::a.b.c.d` compatible, NAT64, 6to4). */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const v4 = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:0:0/96 (mapped) and ::/96 (deprecated compatible, :: and ::1 excluded: listed above)
  if (zeros(0, 5) && (groups[5] === 0xffff || (groups[5] === 0 && (groups[6] !== 0 || (groups[7] ?? 0) > 1)))) return v4(groups[6] ?? 0, groups[7] ?? 0);
  // 64:ff9b::/96 (NAT64)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6] ?? 0, groups[7] ?? 0);
  // 2002::/16 (6to4)
  if (groups[0] === 0x2002) return v4(groups[1] ?? 0, groups[2] ?? 0);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The IP address a URL host names (`[::1]` → `::1`), or undefined for a host name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

/** True for a publicly routable unicast address; false for loopback, link-local, private, shared, reserved or not an IP. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !nonPublic.check(address, 'ipv4');
  if (family !== 6) return false;
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) return isPublicAddress(embedded);
  const zone = address.indexOf('%');
  return !nonPublic.check(zone >= 0 ? address.slice(0, zone) : address, 'ipv6');
}

/** The rule for targets a registry sends us to: `public` when every address the registry's host resolves to is public. */
export async function addressRuleOf(hostname: string, signal?: AbortSignal): Promise<AddressRule> {
  const literal = ipLiteral(hostname);
  if (literal) return isPublicAddress(literal) ? 'public' : 'any';
  signal?.throwIfAborted();
  const addresses = await new Promise<LookupAddress[]>((resolve) => {
    // A name that does not resolve cannot be connected to either; the stricter rule costs nothing.
    dnsLookup(hostname, { all: true }, (err, found) => resolve(err ? [] : found));
  });
  return addresses.length > 0 && addresses.some((entry) => !isPublicAddress(entry.address)) ? 'any' : 'public';
}

function nonPublicError(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${hostname} is a loopback, link-local or private address`);
  error.code = NON_PUBLIC_ADDRESS_CODE;
  return error;
}

/** A `net.connect` lookup that refuses a host name when any address it resolves to is not public. */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((entry) => !isPublicAddress(entry.address))) return callback(nonPublicError(hostname), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
}

/** Refuse, before connecting, a URL whose host is a non-public IP literal (net.connect skips the lookup for those). */
export function checkLiteralTarget(url: URL): void {
  const literal = ipLiteral(url.hostname);
  if (literal !== undefined && !isPublicAddress(literal)) throw nonPublicError(url.hostname);
}
