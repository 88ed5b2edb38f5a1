/**
 * Origin check for WebSocket upgrades (browsers always send Origin; a page on another site must
 * not be able to drive a logged-in user's socket). Allowed:
 *   - no Origin header at all (Node clients, curl): they are not a browser page;
 *   - an Origin whose host:port equals the request's Host header (the app served by us, or
 *     through a proxy that keeps Host, like Vite's dev proxy);
 *   - any origin in the configured list (`*` allows every origin).
 */

/** Normalises an origin string ("https://Example.org:443/" → "https://example.org"); null if invalid. */
export function normalizeOrigin(origin: string): string | null {
  if (origin === '*') return '*';
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

function stripDefaultPort(host: string, protocol: string): string {
  if (protocol === 'http:' && host.endsWith(':80')) return host.slice(0, -3);
  if (protocol === 'https:' && host.endsWith(':443')) return host.slice(0, -4);
  return host;
}

export function isOriginAllowed(origin: string | undefined, hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  if (allowed.has('*')) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false; // includes the literal "null" origin of sandboxed pages and file://
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (allowed.has(u.origin)) return true;
  if (!hostHeader) return false;
  return stripDefaultPort(hostHeader.trim().toLowerCase(), u.protocol) === u.host;
}
