/**
 * The built web app (Vite's `web/dist`), served by sirv: brotli or gzip files that the build
 * wrote next to each asset go to browsers that accept them, ETags answer revalidation with 304.
 * Around sirv, this file keeps the app's own rules: paths are decoded and checked to stay inside
 * the folder (also after following symlinks), `..` segments and hidden files are refused, hashed
 * assets are cached for good while everything else revalidates, and a path without a file
 * extension that matches no file gets the app shell (`index.html`) so client-side routes load.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';
import { SECURITY_HEADERS, send, sendText } from './http-responses';
import type { Logger } from './logger';

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

/** Content type by file name (sirv's own table gives no charset for JavaScript and CSS). */
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

/** Decoded path of a request target (no query); null when malformed. */
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

/** Cache rule for the file at `urlPath` (the file actually served, e.g. `/index.html` for a route). */
function cacheControl(urlPath: string): string {
  // Vite puts content-hashed files under /assets: they never change under the same name.
  if (urlPath.startsWith('/assets/') && path.posix.basename(urlPath) !== 'index.html') return 'public, max-age=31536000, immutable';
  // index.html, sw.js, the manifest, icons: always revalidate (the ETag makes that cheap).
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

/** A path as a request target again (for asking sirv for a different file than the URL names). */
function toUrl(urlPath: string): string {
  return urlPath.split('/').map(encodeURIComponent).join('/');
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Serves GET and HEAD requests from `staticDir`; the caller routes everything else. */
export function createStaticFiles(staticDir: string, logger: Logger): StaticHandler {
  const root = path.resolve(staticDir);
  const serve = sirv(root, {
    // sirv's "dev" mode is its only way to look files up on every request instead of listing
    // the folder once at start: a rebuild of web/dist while the server runs is served at once,
    // never from a stale list. Its dev-mode Cache-Control is replaced by ours (set per file).
    dev: true,
    etag: true,
    brotli: true,
    gzip: true,
    // No `/about` → `about.html` guessing; directories and client-side routes are handled here.
    extensions: [],
    setHeaders: (res, pathname) => res.setHeader('Content-Type', mimeType(pathname)),
  });

  /** Lets sirv answer with the file at `urlPath`, or calls `notFound`. */
  function serveFile(req: IncomingMessage, res: ServerResponse, urlPath: string, notFound: () => void): void {
    res.setHeader('Cache-Control', cacheControl(urlPath));
    serve(req, res, notFound);
  }

  return async (req, res) => {
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
    const stat = await statOrNull(target);
    if (stat) {
      // Symlinks must not lead out of the static folder either.
      const [realRoot, realTarget] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(target)]);
      if (!isInside(realRoot, realTarget)) return sendText(res, 403, 'Forbidden', head);
    }

    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Vary', 'Accept-Encoding');
    // sirv reads `bytes=-500` as the first 500 bytes and throws on a reversed range; the app's
    // files are small and cached whole, so ranges are ignored (a full 200, as HTTP allows).
    delete req.headers.range;
    // A file that vanished between sirv's lookup and its read (a rebuild) must not take the
    // process down: sirv pipes a read stream without listening for its errors.
    res.once('pipe', (stream: fs.ReadStream) => {
      stream.once('error', (err) => {
        logger.warn({ err: err.message }, 'static file read failed');
        res.destroy();
      });
    });

    const appShell = (): void => {
      req.url = '/index.html';
      serveFile(req, res, '/index.html', () => send(res, 503, 'text/html; charset=utf-8', BUILD_MISSING_PAGE, {}, head));
    };
    if (stat?.isDirectory()) {
      const index = path.posix.join(urlPath, 'index.html');
      req.url = toUrl(index);
      return serveFile(req, res, index, appShell);
    }
    serveFile(req, res, urlPath, () => {
      // Something that looks like a file (has an extension) and is missing: a real 404.
      // Anything else is a client-side route: serve the app shell.
      if (path.extname(segments[segments.length - 1] ?? '') !== '') return sendText(res, 404, 'Not found', head);
      appShell();
    });
  };
}
