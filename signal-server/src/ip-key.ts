/**
 * The key every per-address limit counts under. One IPv6 user usually holds a whole /64 (and can
 * pick a new address in it at will), so IPv6 addresses are grouped by their first 64 bits; an
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a dual-stack socket reports for IPv4) is
 * the IPv4 address it carries. Anything else is used as it is.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpLimitKey = (ip: string) => string;

/** Expands an IPv6 address (no zone) to its eight 16-bit groups; null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  let canonical: string;
  try {
    // The URL parser writes IPv6 in one canonical form (hex only, an IPv4 tail becomes two groups).
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const halves = canonical.split('::');
  const parse = (s: string | undefined): number[] => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const groups = [...head, ...Array<number>(Math.max(0, 8 - head.length - rest.length)).fill(0), ...rest];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

export const ipLimitKey: IpLimitKey = (ip) => {
  const bare = ip.replace(/%.*$/, '');
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return ip;
  const g = ipv6Groups(bare.toLowerCase());
  if (!g) return ip;
  // ::ffff:a.b.c.d (IPv4-mapped): the IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const [hi, lo] = [g[6] as number, g[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  // Link-local (fe80::/10): every LAN shares the same /64 prefix, so the /64 would be one group for
  // all the devices on it; such an address counts alone.
  if (((g[0] as number) & 0xffc0) === 0xfe80) return g.map((x) => x.toString(16)).join(':');
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
};
