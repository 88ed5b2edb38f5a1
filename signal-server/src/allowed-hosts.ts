/**
 * Which host names the server answers to. A DNS-rebinding page (served from the attacker's name,
 * whose DNS entry is then pointed at this machine) sends the attacker's name in both Host and
 * Origin, so the origin check alone lets it through; refusing names the server does not serve
 * closes that door.
 *
 * Allowed without configuration: any IP address literal (a rebinding page always comes from a
 * DNS name, and a page really loaded from an address is that address's own origin), `localhost`
 * and `*.localhost` (browsers resolve those to loopback without DNS), and this machine's host
 * name, bare, short and with `.local` (mDNS). Anything else needs `--allowed-hosts`: an exact
 * name, `.example.org` for a domain and its subdomains, or `*` for every name.
 */
import net from 'node:net';
import os from 'node:os';
import { badConfig } from './errors';

export interface HostPolicy {
  /** `*` was given: every name is allowed. */
  any: boolean;
  /** Exact names, lower case. */
  names: ReadonlySet<string>;
  /** Domain suffixes from `.example.org` entries, lower case, with the leading dot. */
  suffixes: readonly string[];
}

const NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Checks the `--allowed-hosts` entries (host names or addresses, no scheme or port). Throws a
 * BAD_CONFIG error naming the first bad entry; `source` says where it came from.
 */
export function parseAllowedHosts(entries: readonly string[], source = 'allowedHosts'): HostPolicy {
  let any = false;
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/\.$/, '') : '';
    if (entry === '*') {
      any = true;
      continue;
    }
    const bare = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    if (net.isIP(bare)) {
      names.add(bare);
      continue;
    }
    const domain = entry.startsWith('.') ? entry.slice(1) : null;
    if (!NAME.test(domain ?? entry)) {
      throw badConfig(
        `${source}: "${String(raw)}" is not a host name. Give names or addresses separated by commas, without http:// or a port, e.g. chat.example.org,.home.arpa (a leading dot allows the subdomains too; * allows every name).`,
      );
    }
    if (domain) suffixes.push(`.${domain}`);
    else names.add(entry);
  }
  return { any, names, suffixes };
}

/** The host name of a Host header value ("Example.org:8080" → "example.org", "[::1]:80" → "::1"); null if unreadable. */
export function hostHeaderName(host: string): string | null {
  try {
    const name = new URL(`http://${host.trim()}`).hostname.toLowerCase().replace(/\.$/, '');
    if (!name) return null;
    return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  } catch {
    return null;
  }
}

/** This machine's own names: the host name, its first label, and both with `.local`. */
export function machineNames(hostname: string = os.hostname()): Set<string> {
  const full = hostname.trim().toLowerCase().replace(/\.$/, '');
  const out = new Set<string>();
  if (!full) return out;
  const short = full.split('.', 1)[0] as string;
  for (const n of [full, short]) {
    out.add(n);
    out.add(n.endsWith('.local') ? n : `${n}.local`);
  }
  return out;
}

/**
 * Whether a request's Host header names this server. No Host header at all is allowed: browsers
 * always send one, so its absence is not a page being rebound (HTTP/1.0 tools, probes).
 */
export function isHostAllowed(hostHeader: string | undefined, policy: HostPolicy, ownNames: ReadonlySet<string> = machineNames()): boolean {
  if (hostHeader === undefined) return true;
  if (policy.any) return true;
  const name = hostHeaderName(hostHeader);
  if (name === null) return false;
  if (net.isIP(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (ownNames.has(name) || policy.names.has(name)) return true;
  return policy.suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
}
