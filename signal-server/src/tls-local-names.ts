/**
 * Which names the generated local CA may vouch for (its X.509 name constraints), and whether a
 * name falls inside them. Pure: no files, no clock.
 *
 * A device that installs the CA as a root trusts whatever it signs. Name constraints (RFC 5280
 * section 4.2.1.10, honoured by Chrome, Firefox, Safari, Windows and OpenSSL) keep that to names
 * only this network can mean: `localhost`, `.local` (mDNS), this machine's host name, and the
 * loopback, private and link-local address ranges. So even a stolen CA key cannot impersonate a
 * real website to those devices.
 */
import net from 'node:net';

/** What the CA permits: DNS names (each with its subdomains) and IP ranges in CIDR form. */
export interface PermittedNames {
  dns: string[];
  ips: string[];
}

/**
 * DNS names every local CA permits. A dNSName constraint also permits every subdomain of it;
 * `local` and `.local` both appear because RFC 5280 leaves the leading-dot form unspecified for
 * DNS names and verifiers differ on it.
 */
export const LOCAL_DNS_NAMES: readonly string[] = ['localhost', 'local', '.local'];

/** Loopback, private (RFC 1918, RFC 4193) and link-local ranges, IPv4 then IPv6. */
export const LOCAL_IP_RANGES: readonly string[] = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
];

/**
 * The constraints for a CA made now for a server that should be reachable as `want`: the local
 * names and ranges, plus each wanted host name and each wanted address outside those ranges
 * (e.g. a machine whose LAN address is public), exactly, so every name of the server certificate
 * made today falls inside.
 */
export function permittedNamesFor(want: { dns: string[]; ips: string[] }): PermittedNames {
  const base: PermittedNames = { dns: [...LOCAL_DNS_NAMES], ips: [...LOCAL_IP_RANGES] };
  const dns = want.dns.map((d) => d.toLowerCase()).filter((d) => !permitsDns(base, d));
  const ips = want.ips.filter((ip) => net.isIP(ip) !== 0 && !permitsIp(base, ip)).map((ip) => `${ip}/${net.isIPv4(ip) ? 32 : 128}`);
  return { dns: [...base.dns, ...new Set(dns)], ips: [...base.ips, ...new Set(ips)] };
}

/** Whether `name` is `constraint` or a subdomain of it (only a subdomain for a leading dot). */
export function dnsNameMatches(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase().replace(/\.$/, '');
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
}

export function permitsDns(permitted: PermittedNames, name: string): boolean {
  return permitted.dns.some((c) => dnsNameMatches(name, c));
}

export function permitsIp(permitted: PermittedNames, ip: string): boolean {
  const family = net.isIPv4(ip) ? 'ipv4' : net.isIPv6(ip) ? 'ipv6' : null;
  if (!family) return false;
  return permitted.ips.some((cidr) => {
    const [range = '', bits = ''] = cidr.split('/');
    const rangeFamily = net.isIPv4(range) ? 'ipv4' : net.isIPv6(range) ? 'ipv6' : null;
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    if (rangeFamily !== family || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) return false;
    const list = new net.BlockList();
    list.addSubnet(range, prefix, family);
    return list.check(ip, family);
  });
}
