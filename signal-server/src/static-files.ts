/**
 * The built web app (Vite's `web/dist`), served by sirv: brotli or gzip files that the build
 * wrote next to each asset go to browsers that accept them, ETags answer revalidation with 304.
 * Around sirv, this file keeps the app's own rules: paths are decoded and checked to stay inside
 * the folder (also after following symlinks), and sirv is then asked for exactly the path checked;
 * `..` segments, hidden files and the `.br`/`.gz` copies by name are refused, hashed
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

/** The content codings the build writes next to a file, in the order preferred on equal weight. */
const COPIES: ReadonlyArray<{ coding: 'br' | 'gzip'; suffix: string }> = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
];

/**
 * The weight (0 to 1) a browser's Accept-Encoding gives `coding`: its own entry, else `*`, else
 * 0. Entries are compared as tokens, case-insensitively, so `br;q=0` refuses brotli.
 */
function acceptWeight(accept: string, coding: string): number {
  let own: number | undefined;
  let star: number | undefined;
  for (const entry of accept.split(',')) {
    const [name = '', ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=\s*([0-9.]+)$/.exec(param);
      if (m) q = Math.min(1, Number(m[1]) || 0);
    }
    if (name === coding) own = Math.max(own ?? 0, q);
    else if (name === '*') star = Math.max(star ?? 0, q);
  }
  return own ?? star ?? 0;
}

/**
 * The Accept-Encoding to hand sirv: at most one coding, the one the browser weighs highest
 * (brotli on a tie), among the copies that are a regular file (not a symlink) at least as new as
 * `file`. Empty: send the file as it is (identity is always acceptable for these small files).
 */
async function chosenEncoding(file: string, stat: fs.Stats, accept: string): Promise<string> {
  const candidates = await Promise.all(
    COPIES.map(async ({ coding, suffix }) => {
      const weight = acceptWeight(accept, coding);
      if (weight <= 0) return null;
      const copy = await fs.promises.lstat(file + suffix).catch(() => null);
      return copy?.isFile() && copy.mtimeMs >= stat.mtimeMs ? { coding, weight } : null;
    }),
  );
  let best: { coding: string; weight: number } | null = null;
  for (const c of candidates) if (c && (!best || c.weight > best.weight)) best = c;
  return best?.coding ?? '';
}

/**
 * `urlPath` as sirv reads it from `req.url`: the part before `#` and `?` (from the second
 * character on, as @polka/url splits), passed through decodeURI when it holds a `%`.
 */
function sirvPathname(url: string): string {
  let pathname = url;
  const hash = pathname.indexOf('#', 1);
  if (hash !== -1) pathname = pathname.slice(0, hash);
  const query = pathname.indexOf('?', 1);
  if (query !== -1) pathname = pathname.slice(0, query);
  if (pathname.includes('%')) {
    try {
      pathname = decodeURI(pathname);
    } catch {
      // sirv keeps a malformed one as it is.
    }
  }
  return pathname;
}

/**
 * The request target that makes sirv look up exactly `urlPath` (decodeURI undoes encodeURI), or
 * null when no target can (a `?` or `#` in a name: sirv cuts there, and their escapes stay
 * escaped in its decoding).
 */
function sirvTarget(urlPath: string): string | null {
  const target = encodeURI(urlPath);
  return sirvPathname(target) === urlPath ? target : null;
}

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Serves GET and HEAD requests from `staticDir`; the caller routes everything else. This side
 * decides which file answers (and refuses what must not be served); sirv sends it: encoding,
 * ETag and 304, Content-Length, the stream.
 */
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
    // No `/about` → `about.html` guessing: the file to send is decided here.
    extensions: [],
    setHeaders: (res, pathname) => res.setHeader('Content-Type', mimeType(pathname)),
  });

  return async (req, res) => {
    const head = req.method === 'HEAD';
    const urlPath = requestPath(req.url);
    if (urlPath === null) return sendText(res, 400, 'Bad request', head);

    const segments = urlPath.split(/[/\\]/);
    if (segments.includes('..')) return sendText(res, 403, 'Forbidden', head);
    if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return sendText(res, 404, 'Not found', head);
    // The compressed copies are sent only in place of their file, never as files of their own.
    if (/\.(br|gz)$/i.test(path.posix.basename(urlPath))) return sendText(res, 404, 'Not found', head);

    const rootStat = await statOrNull(root);
    if (!rootStat?.isDirectory()) return send(res, 503, 'text/html; charset=utf-8', BUILD_MISSING_PAGE, {}, head);

    // Which file answers: the one named, a folder's index.html, or the app shell.
    let servedPath = urlPath;
    let file = path.resolve(root, '.' + urlPath);
    if (!isInside(root, file)) return sendText(res, 403, 'Forbidden', head);
    let stat = await statOrNull(file);
    if (stat?.isDirectory()) {
      servedPath = path.posix.join(urlPath, 'index.html');
      file = path.join(file, 'index.html');
      stat = await statOrNull(file);
    }
    if (!stat?.isFile()) {
      // Something that looks like a file (has an extension) and is missing: a real 404.
      // Anything else is a client-side route: serve the app shell.
      if (path.extname(segments[segments.length - 1] ?? '') !== '') return sendText(res, 404, 'Not found', head);
      servedPath = '/index.html';
      file = path.join(root, 'index.html');
      stat = await statOrNull(file);
      if (!stat?.isFile()) return send(res, 503, 'text/html; charset=utf-8', BUILD_MISSING_PAGE, {}, head);
    }

    // Symlinks must not lead out of the static folder either.
    const [realRoot, realFile] = await Promise.all([fs.promises.realpath(root), fs.promises.realpath(file)]);
    if (!isInside(realRoot, realFile)) return sendText(res, 403, 'Forbidden', head);

    // sirv sends the copy for the coding it is offered: offer only the one chosen here, and only
    // a copy made from this version of the file (a hand-edited or half-rebuilt web/dist must not
    // serve stale code).
    req.headers['accept-encoding'] = await chosenEncoding(file, stat, req.headers['accept-encoding'] ?? '');
    // sirv reads `bytes=-500` as the first 500 bytes and throws on a reversed range; the app's
    // files are small and cached whole, so ranges are ignored (a full 200, as HTTP allows).
    delete req.headers.range;
    // sirv decodes the URL its own way (decodeURI keeps %3F, %2F, ... encoded): hand it a target
    // that decodes to exactly the path checked above, so the file checked is the file sent.
    const target = sirvTarget(servedPath);
    if (target === null) return sendText(res, 404, 'Not found', head);
    req.url = target;

    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', cacheControl(servedPath));
    // A file that vanished between sirv's lookup and its read (a rebuild) must not take the
    // process down: sirv pipes a read stream without listening for its errors.
    // A client gone before the end (or before the start) would leave the stream paused and its
    // file open for good: a response that closes takes its stream with it.
    res.once('pipe', (stream: fs.ReadStream) => {
      stream.once('error', (err) => {
        logger.warn({ err: err.message }, 'static file read failed');
        res.destroy();
      });
      if (res.destroyed) stream.destroy();
      else res.once('close', () => stream.destroy());
    });
    serve(req, res, () => sendText(res, 404, 'Not found', head));
  };
}
