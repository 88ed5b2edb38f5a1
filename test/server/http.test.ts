import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { CSP } from '../../signal-server/src/http-responses';
import { Client, startServer, tempDir, type TestServer } from './helpers';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's bytes as sent (still compressed when Content-Encoding says so). */
  raw: Buffer;
}

function request(srv: TestServer, urlPath: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: srv.address.host, port: srv.address.port, path: urlPath, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends a request line byte for byte (no client-side normalisation) and returns the status. */
function rawStatus(srv: TestServer, requestLine: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.address.port, srv.address.host, () => {
      sock.write(`${requestLine}\r\nHost: ${srv.address.host}:${srv.address.port}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString('utf8')));
    sock.on('end', () => resolve({ status: Number(text.split(' ')[1]), text }));
    sock.on('error', reject);
  });
}

function upgradeStatus(srv: TestServer, headers: Record<string, string>, urlPath = '/ws'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: srv.address.host,
      port: srv.address.port,
      path: urlPath,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.alloc(16, 7).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP', () => {
  let srv: TestServer;
  let outside: string;
  before(async () => {
    srv = await startServer();
    outside = tempDir('peerchat-outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(srv.staticDir, 'link.txt'));
    fs.writeFileSync(path.join(srv.staticDir, '.env'), 'HIDDEN');
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('GET /healthz answers status, version and protocol as JSON', async () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const res = await request(srv, '/healthz');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok', version: pkg.version, protocol: 1 });
  });

  test('serves the app with MIME types, cache rules and security headers', async () => {
    const index = await request(srv, '/');
    assert.equal(index.status, 200);
    assert.match(index.body, /Peerchat test shell/);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['referrer-policy'], 'no-referrer');
    const csp = String(index.headers['content-security-policy']);
    for (const part of ["default-src 'self'", "connect-src 'self';", "img-src 'self' blob: data:", "media-src 'self' blob:", "style-src 'self' 'unsafe-inline'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "manifest-src 'self'"]) {
      assert.ok(csp.includes(part), `CSP has ${part}`);
    }

    const js = await request(srv, '/assets/index-abc123.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log("app");');

    assert.equal((await request(srv, '/assets/style-abc123.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await request(srv, '/assets/sodium-abc123.wasm')).headers['content-type'], 'application/wasm');
    const manifest = await request(srv, '/manifest.webmanifest');
    assert.match(String(manifest.headers['content-type']), /^application\/manifest\+json/);
    assert.equal(manifest.headers['cache-control'], 'no-cache');

    const sw = await request(srv, '/sw.js');
    assert.equal(sw.status, 200);
    assert.equal(sw.headers['cache-control'], 'no-cache');
  });

  test('revalidation with ETag gives 304; HEAD has headers and no body', async () => {
    const first = await request(srv, '/sw.js');
    const etag = String(first.headers.etag);
    assert.ok(etag.length > 3);
    const second = await request(srv, '/sw.js', { headers: { 'If-None-Match': etag } });
    assert.equal(second.status, 304);
    assert.equal(second.body, '');
    const head = await request(srv, '/assets/index-abc123.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String('console.log("app");'.length));
    assert.equal(head.body, '');
  });

  test('unknown routes get the app shell; unknown files get 404; other methods 405', async () => {
    const route = await request(srv, '/chat/alice?x=1');
    assert.equal(route.status, 200);
    assert.match(route.body, /Peerchat test shell/);
    assert.equal(route.headers['cache-control'], 'no-cache');
    assert.equal((await request(srv, '/assets/missing-123.js')).status, 404);
    const post = await request(srv, '/', { method: 'POST' });
    assert.equal(post.status, 405);
    // A share that reached the server (no service worker ran) goes back to the app, which says so.
    const share = await request(srv, '/share-target', { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=x' } });
    assert.equal(share.status, 303);
    assert.equal(share.headers.location, '/?share=unavailable');
    // Without a generated certificate there is no CA to download: the app shell route answers.
    assert.equal((await request(srv, '/peerchat-ca.crt')).status, 404);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('directory traversal, symlinks out and hidden files are refused', async () => {
    const attempts = [
      'GET /../../../../etc/passwd HTTP/1.1',
      'GET /..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.1',
      'GET /assets/..%2f..%2f..%2fetc/passwd HTTP/1.1',
      'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1',
      'GET /assets/..\\..\\..\\etc\\passwd HTTP/1.1',
    ];
    for (const line of attempts) {
      const { status, text } = await rawStatus(srv, line);
      assert.ok(status === 403 || status === 400, `${line} → ${status}`);
      assert.ok(!text.includes('root:'), line);
    }
    const link = await request(srv, '/link.txt');
    assert.equal(link.status, 403);
    assert.ok(!link.body.includes('TOP SECRET'));
    const hidden = await request(srv, '/.env');
    assert.equal(hidden.status, 404);
    assert.ok(!hidden.body.includes('HIDDEN'));
    assert.equal((await rawStatus(srv, 'GET /%E0%A4%A HTTP/1.1')).status, 400);
  });

  test('precompressed .br and .gz files go to browsers that accept them, with Vary: Accept-Encoding', async () => {
    const js = 'console.log("a bundle worth compressing");\n'.repeat(100);
    const file = path.join(srv.staticDir, 'assets', 'bundle-def456.js');
    fs.writeFileSync(file, js);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(js));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(js));
    const shell = fs.readFileSync(path.join(srv.staticDir, 'index.html'));
    fs.writeFileSync(path.join(srv.staticDir, 'index.html.br'), zlib.brotliCompressSync(shell));
    const url = '/assets/bundle-def456.js';

    const br = await request(srv, url, { headers: { 'Accept-Encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(br.headers['content-security-policy'], CSP);
    assert.equal(br.headers['content-length'], String(fs.statSync(`${file}.br`).size));
    assert.equal(zlib.brotliDecompressSync(br.raw).toString('utf8'), js);

    const gz = await request(srv, url, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.equal(zlib.gunzipSync(gz.raw).toString('utf8'), js);

    const plain = await request(srv, url);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(plain.body, js);
    // Each encoding is its own representation: its own ETag, and a 304 only for its own.
    assert.notEqual(plain.headers.etag, br.headers.etag);
    const again = await request(srv, url, { headers: { 'Accept-Encoding': 'br', 'If-None-Match': String(br.headers.etag) } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.vary, 'Accept-Encoding');

    const head = await request(srv, url, { method: 'HEAD', headers: { 'Accept-Encoding': 'br' } });
    assert.equal(head.headers['content-encoding'], 'br');
    assert.equal(head.headers['content-length'], br.headers['content-length']);
    assert.equal(head.body, '');

    // The app shell for a client-side route comes compressed too, as HTML that is never cached.
    const route = await request(srv, '/chat/bob', { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(route.headers['content-encoding'], 'br');
    assert.equal(route.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(route.headers['cache-control'], 'no-cache');
    assert.match(zlib.brotliDecompressSync(route.raw).toString('utf8'), /Peerchat test shell/);
    // A file without precompressed versions is sent as it is.
    const css = await request(srv, '/assets/style-abc123.css', { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(css.headers['content-encoding'], undefined);
    assert.equal(css.body, 'body{margin:0}');
  });

  test('a compressed copy older than its file, or a symlink, is not sent: the file is', async () => {
    const file = path.join(srv.staticDir, 'assets', 'edited-aaa111.js');
    const before = 'console.log("first build");\n'.repeat(80);
    fs.writeFileSync(file, before);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(before));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    fs.utimesSync(`${file}.br`, old, old);
    const url = '/assets/edited-aaa111.js';
    assert.equal((await request(srv, url, { headers: { 'Accept-Encoding': 'br' } })).headers['content-encoding'], 'br');

    const after = 'console.log("edited by hand");\n'.repeat(80);
    fs.writeFileSync(file, after);
    const res = await request(srv, url, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(res.body, after);

    fs.writeFileSync(path.join(outside, 'evil.gz'), zlib.gzipSync('alert("from outside")'));
    fs.symlinkSync(path.join(outside, 'evil.gz'), `${file}.gz`);
    const gz = await request(srv, url, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], undefined);
    assert.equal(gz.body, after);
  });

  test('files the build writes while the server runs are served at once', async () => {
    assert.equal((await request(srv, '/assets/later-789abc.js')).status, 404);
    fs.writeFileSync(path.join(srv.staticDir, 'assets', 'later-789abc.js'), 'console.log("rebuilt");');
    const later = await request(srv, '/assets/later-789abc.js');
    assert.equal(later.status, 200);
    assert.equal(later.body, 'console.log("rebuilt");');
  });

  test('Range headers are ignored: the whole file, and odd ranges cannot hurt the server', async () => {
    for (const range of ['bytes=-5', 'bytes=9-2', 'bytes=0-3', 'bytes=999999-']) {
      const res = await request(srv, '/assets/index-abc123.js', { headers: { Range: range } });
      assert.equal(res.status, 200, range);
      assert.equal(res.body, 'console.log("app");', range);
    }
    assert.equal((await request(srv, '/healthz')).status, 200);
  });

  test('GET /ws without an upgrade gets 426; upgrades elsewhere get 404', async () => {
    assert.equal((await request(srv, '/ws')).status, 426);
    assert.equal(await upgradeStatus(srv, {}, '/not-ws'), 404);
  });

  test('WebSocket upgrades: same origin and no origin allowed, other origins refused with 403', async () => {
    const host = `${srv.address.host}:${srv.address.port}`;
    assert.equal(await upgradeStatus(srv, {}), 101);
    assert.equal(await upgradeStatus(srv, { Origin: `http://${host}` }), 101);
    assert.equal(await upgradeStatus(srv, { Origin: 'https://evil.example' }), 403);
    assert.equal(await upgradeStatus(srv, { Origin: 'null' }), 403);
    assert.equal(await upgradeStatus(srv, { Origin: `http://${srv.address.host}:1` }), 403);
    await assert.rejects(Client.connect(srv.wsUrl, { origin: 'https://evil.example' }), /HTTP 403/);
    const ok = await Client.connect(srv.wsUrl, { origin: `http://${host}` });
    await ok.close();
  });
});

describe('HTTP configuration', () => {
  test('allowedOrigins lets a listed origin in, and only that one', async () => {
    const srv = await startServer({ allowedOrigins: ['http://localhost:5173'] });
    try {
      assert.equal(await upgradeStatus(srv, { Origin: 'http://localhost:5173' }), 101);
      assert.equal(await upgradeStatus(srv, { Origin: 'http://localhost:5174' }), 403);
    } finally {
      await srv.stop();
    }
  });

  test('without a built app, pages say to run npm run build; /healthz still works', async () => {
    const parent = tempDir();
    const missing = path.join(parent, 'no-dist-here');
    const srv = await startServer({ staticDir: missing });
    try {
      const res = await request(srv, '/');
      assert.equal(res.status, 503);
      assert.match(res.body, /npm run build/);
      assert.equal((await request(srv, '/healthz')).status, 200);
    } finally {
      await srv.stop();
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
