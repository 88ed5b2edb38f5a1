/**
 * The client address of a request: the socket's peer, or, behind a reverse proxy named with
 * `--trust-proxy`, the address that proxy reports in X-Forwarded-For. Per-address connection
 * caps, password-attempt limits and log lines all use {@link clientIp}, so a proxy does not make
 * every user share one address, and nobody else can choose their address by sending the header.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { badConfig } from './errors';

/** The proxies whose X-Forwarded-For is believed. Empty: the header is ignored. */
export interface TrustedProxies {
  readonly list: net.BlockList;
  readonly empty: boolean;
}

/** "::ffff:10.0.0.1" → "10.0.0.1", so that IPv4 rules match IPv4 peers on dual-stack sockets. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address.toLowerCase();
}

/**
 * Reads `--trust-proxy` entries: addresses (`127.0.0.1`, `::1`) or CIDR ranges (`10.0.0.0/8`).
 * Throws a BAD_CONFIG error naming the first bad entry; `source` says where it came from.
 */
export function parseTrustedProxies(entries: readonly string[], source = 'trustProxy'): TrustedProxies {
  const list = new net.BlockList();
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? raw.trim() : '';
    const [addr = '', prefix, extra] = entry.split('/');
    const address = plainAddress(addr.replace(/^\[(.*)\]$/, '$1'));
    const family = net.isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (!family || extra !== undefined || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw badConfig(
        `${source}: "${String(raw)}" is not an IP address or range. Give the reverse proxy's addresses separated by commas, e.g. 127.0.0.1,10.0.0.0/8,::1.`,
      );
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return { list, empty: entries.length === 0 };
}

function isTrusted(address: string, proxies: TrustedProxies): boolean {
  const family = net.isIP(address);
  return family !== 0 && proxies.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client address of `req`. Only when the socket's peer is a trusted proxy is X-Forwarded-For
 * read, from the right: trusted proxies are skipped and the first address that is not one is the
 * client (entries further left were written by the client itself and prove nothing). An entry
 * that is not an address stops the walk at the hop that wrote it.
 */
export function clientIp(req: IncomingMessage, proxies: TrustedProxies): string {
  const peer = plainAddress(req.socket.remoteAddress ?? 'unknown');
  if (proxies.empty || !isTrusted(peer, proxies)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim());
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress(withoutPort(hops[i] as string));
    if (!net.isIP(hop)) break;
    client = hop;
    if (!isTrusted(hop, proxies)) break;
  }
  return client;
}

/** An X-Forwarded-For entry without brackets or a port: `[::1]:80` → `::1`, `1.2.3.4:5678` → `1.2.3.4`. */
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1] as string;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4 ? (v4[1] as string) : entry;
}
