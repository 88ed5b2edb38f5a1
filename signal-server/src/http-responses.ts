/** Headers every HTTP answer carries, and small plain-text and HTML answers. */
import type { ServerResponse } from 'node:http';

export const CSP = [
  "default-src 'self'",
  // Same-origin ws:/wss: is covered by 'self' (CSP Level 3, every current browser); no other
  // host may be reached, so an injected script could not send data anywhere else.
  "connect-src 'self'",
  "img-src 'self' blob: data:",
  // Verified video and audio files play from object URLs of their stored copy.
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  // libsodium instantiates WebAssembly.
  "script-src 'self' 'wasm-unsafe-eval'",
  // The service worker (/sw.js) and the web app manifest.
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** A complete small answer; `head` leaves the body out (HEAD requests). Never cached. */
export function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}, head = false): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), 'Cache-Control': 'no-cache', ...headers });
  res.end(head ? undefined : buf);
}

export function sendText(res: ServerResponse, status: number, text: string, head = false, headers: Record<string, string> = {}): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`, headers, head);
}
