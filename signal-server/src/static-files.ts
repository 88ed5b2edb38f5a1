/**
 * Plain HTTP: `/healthz`, and the built web app (Vite's `web/dist`) with an `index.html`
 * fallback so client-side routes load. Paths are decoded, resolved and checked to stay inside
 * the static folder (also after following symlinks); `..` segments are refused outright.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../../shared/limits';
import type { Logger } from './logger';

export const CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  // libsodium instantiates WebAssembly.
  "script-src 'self' 'wasm-unsafe-eval'",
  // The service worker (/sw.js) and the web app manifest.
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

const BUILD_MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Peerchat: web app not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>Peerchat is running, but the web app is not built yet</h1>
<p>Run <code>npm run build</code> in the Peerchat folder, then reload this page.
(<code>npm start</code> builds and starts in one step.)</p>
</body></html>
`;

export interface HttpHandlerOptions {
  staticDir: string;
  version: string;
  logger: Logger;
  /** DER of the local CA behind a generated HTTPS certificate, offered at {@link CA_CERT_PATH}. */
  caCertDer?: Buffer;
}

/** Where phones download the generated certificate's CA to trust it (HTTPS mode). */
export const CA_CERT_PATH = '/peerchat-ca.crt';
/** The web app manifest's share target; see web/src/pwa/share-store.ts. */
export const SHARE_TARGET_PATH = '/share-target';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}, head = false): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), 'Cache-Control': 'no-cache', ...headers });
  res.end(head ? undefined : buf);
}

function sendText(res: ServerResponse, status: number, text: string, head = false, headers: Record<string, string> = {}): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`, headers, head);
}

/** Decoded path segments of a request target; null when malformed. */
export function requestPath(url: string | undefined): string | null {
  if (!url || !url.startsWith('/')) return null;
  const raw = url.split(/[?#]/, 1)[0] as string;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  return decoded;
}

function cacheControl(urlPath: string): string {
  // Vite puts content-hashed files under /assets: they never change under the same name.
  if (urlPath.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  // index.html, sw.js, the manifest, icons: always revalidate (ETag makes that cheap).
  return 'no-cache';
}

async function statOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(p);
  } catch {
    return null;
  }
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

export function createHttpHandler(opts: HttpHandlerOptions): Handler {
  const root = path.resolve(opts.staticDir);
  const health = JSON.stringify({ status: 'ok', version: opts.version, protocol: PROTOCOL_VERSION });

  async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, stat: fs.Stats, urlPath: string): Promise<void> {
    const head = req.method === 'HEAD';
    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': mimeType(file),
      'Cache-Control': path.basename(file) === 'index.html' ? 'no-cache' : cacheControl(urlPath),
      ETag: etag,
      'Last-Modified': stat.mtime.toUTCString(),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = String(stat.size);
    if (head) {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const stream = fs.createReadStream(file);
    stream.on('error', (err) => {
      opts.logger.warn({ err: err.message }, 'static file read failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
    stream.once('open', () => res.writeHead(200, headers));
    stream.pipe(res);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    const urlPath = requestPath(req.url);
    if (urlPath === null) return sendText(res, 400, 'Bad request', head);

    const segments = urlPath.split(/[/\\]/);
    if (segments.includes('..')) return sendText(res, 403, 'Forbidden', head);
    if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return sendText(res, 404, 'Not found', head);

    const rootStat = await statOrNull(root);
    if (!rootStat?.isDirectory()) return send(res, 503, 'text/html; charset=utf-8', BUILD_MISSING_PAGE, {}, head);

    const target = path.resolve(root, '.' + urlPath);
    if (!isInside(root, target)) return sendText(res, 403, 'Forbidden', head);

    let stat = await statOrNull(target);
    let file = target;
    if (stat?.isDirectory()) {
      file = path.join(target, 'index.html');
      stat = await statOrNull(file);
    }
    if (!stat?.isFile()) {
      // Something that looks like a file (has an extension) and is missing: a real 404.
      // Anything else is a client-side route: serve the app shell.
      const last = segments[segments.length - 1] ?? '';
      if (path.extname(last) !== '') return sendText(res, 404, 'Not found', head);
      file = path.join(root, 'index.html');
      stat = await statOrNull(file);
      if (!stat?.isFile()) return send(res, 503, 'text/html; charset=utf-8', BUILD_MISSING_PAGE, {}, head);
    }

    // Symlinks must not lead out of the static folder either.
    const [realRoot, realFile] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(file)]);
    if (!isInside(realRoot, realFile)) return sendText(res, 403, 'Forbidden', head);

    await serveFile(req, res, file, stat, urlPath);
  }

  return (req, res) => {
    const head = req.method === 'HEAD';
    const urlPath = requestPath(req.url);
    if (req.method === 'POST' && urlPath === SHARE_TARGET_PATH) {
      // The service worker normally answers this. Reaching the server means it was not running
      // (the app was never opened on this device, or not over HTTPS): let the app say so.
      req.resume();
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/?share=unavailable', 'Cache-Control': 'no-store', 'Content-Length': '0', Connection: 'close' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', false, { Allow: 'GET, HEAD' });
    }
    if (urlPath === '/healthz') {
      return send(res, 200, 'application/json; charset=utf-8', health, { 'Cache-Control': 'no-store' }, head);
    }
    if (urlPath === CA_CERT_PATH && opts.caCertDer) {
      const der = opts.caCertDer;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/x-x509-ca-cert',
        'Content-Disposition': 'attachment; filename="peerchat-ca.crt"',
        'Content-Length': String(der.length),
        'Cache-Control': 'no-cache',
      });
      res.end(head ? undefined : der);
      return;
    }
    if (urlPath === '/ws') {
      return sendText(res, 426, 'This address is for WebSocket connections.', head, { Upgrade: 'websocket', Connection: 'Upgrade' });
    }
    serveStatic(req, res).catch((err: unknown) => {
      opts.logger.error({ err: (err as Error).message }, 'static handler failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error', head);
      else res.destroy();
    });
  };
}
