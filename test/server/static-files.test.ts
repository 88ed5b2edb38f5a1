/**
 * Static files under hostile clients: early disconnects must not leave files open, the file that
 * is checked must be the file that is sent, Accept-Encoding is read as a list with weights, and
 * the compressed copies are not addressable by themselves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { createHttpHandler } from '../../signal-server/src/http-handler';
import { silentLogger } from '../../signal-server/src/logger';
import { registerUser, startServer, tempDir, type TestServer } from './helpers';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request whose target goes out byte for byte (no client-side normalisation). */
function get(srv: TestServer, target: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: srv.address.host, port: srv.address.port, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** This process's open file descriptors that point at `file` (the server runs in this process). */
function openFdsOn(file: string): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch {
      // The descriptor closed while listing.
    }
  }
  return count;
}

/** Polls until `ready` holds (fails after about 5 s). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ready(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ready(), 'condition not reached');
}

/** Polls `probe` until it returns 0 or about 5 s have passed; returns its last answer. */
async function settlesToZero(probe: () => number): Promise<number> {
  let last = probe();
  for (let i = 0; i < 100 && last !== 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = probe();
  }
  return last;
}

describe('static files', () => {
  let srv: TestServer;
  let outside: string;
  before(async () => {
    srv = await startServer();
    outside = tempDir('peerchat-outside-');
  });
  after(async () => {
    await srv.stop();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('clients that disconnect at once leave no file open on the server', async () => {
    // The HTTP handler in a server of its own, to see each response's read stream.
    const handler = createHttpHandler({ staticDir: srv.staticDir, version: 'test', logger: silentLogger() });
    const streams: fs.ReadStream[] = [];
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests++;
      res.on('pipe', (s: fs.ReadStream) => streams.push(s));
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const index = fs.realpathSync(path.join(srv.staticDir, 'index.html'));
    try {
      assert.equal(openFdsOn(index), 0);
      const N = 50;
      await Promise.all(
        Array.from(
          { length: N },
          () =>
            new Promise<void>((resolve, reject) => {
              const sock = net.connect(port, '127.0.0.1', () => {
                sock.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', () => {
                  sock.resetAndDestroy();
                  resolve();
                });
              });
              sock.on('error', reject);
            }),
        ),
      );
      // Every request got its file stream, and each stream has opened its file or closed.
      await until(() => streams.length === requests && requests === N && streams.every((s) => !s.pending || s.closed));
      assert.equal(await settlesToZero(() => openFdsOn(index)), 0);
      assert.ok(streams.every((s) => s.destroyed));
    } finally {
      for (const s of streams) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  test('the file sent is the file checked: %3F in a name does not reach another file', async () => {
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
    fs.writeFileSync(path.join(srv.staticDir, 'b?.txt'), 'the real b?.txt');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(srv.staticDir, 'b%3F.txt'));
    const res = await get(srv, '/b%3F.txt');
    assert.ok(!res.body.includes('TOP SECRET'), `${res.status} ${res.body}`);
    // The same for every character decodeURI leaves encoded.
    for (const ch of ['#', ':', '@', '&', '=', '+', '$', ',', ';']) {
      const name = `c${ch}.txt`;
      const encoded = `c${encodeURIComponent(ch)}.txt`;
      fs.writeFileSync(path.join(srv.staticDir, name), `the real ${name}`);
      fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(srv.staticDir, encoded));
      const r = await get(srv, `/${encoded}`);
      assert.ok(!r.body.includes('TOP SECRET'), `${encoded}: ${r.status} ${r.body}`);
      if (r.status === 200) assert.equal(r.body, `the real ${name}`);
    }
    // Ordinary escapes still name their files.
    fs.writeFileSync(path.join(srv.staticDir, 'hello world.txt'), 'spaced');
    const spaced = await get(srv, '/hello%20world.txt');
    assert.equal(spaced.status, 200);
    assert.equal(spaced.body, 'spaced');
  });

  test('Accept-Encoding is read as a list with weights: q=0 refuses an encoding', async () => {
    const js = 'console.log("weights");\n'.repeat(100);
    const file = path.join(srv.staticDir, 'assets', 'weights-aaa111.js');
    fs.writeFileSync(file, js);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(js));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(js));
    const url = '/assets/weights-aaa111.js';
    const encodingFor = async (accept: string) => (await get(srv, url, { 'Accept-Encoding': accept })).headers['content-encoding'];

    assert.equal(await encodingFor('br;q=0, gzip'), 'gzip');
    assert.equal(await encodingFor('gzip, br;q=0'), 'gzip');
    assert.equal(await encodingFor('br;q=0.0, gzip;q=0'), undefined);
    assert.equal(await encodingFor('BR;Q=0, GZIP'), 'gzip');
    assert.equal(await encodingFor('gzip;q=1, br;q=0.5'), 'gzip');
    assert.equal(await encodingFor('gzip;q=0.5, br'), 'br');
    assert.equal(await encodingFor('gzip, br'), 'br');
    assert.equal(await encodingFor('*'), 'br');
    assert.equal(await encodingFor('*, br;q=0'), 'gzip');
    assert.equal(await encodingFor('*;q=0'), undefined);
    assert.equal(await encodingFor('identity'), undefined);
    // Not a token match inside other words.
    assert.equal(await encodingFor('x-brotli-ish, agzipx'), undefined);
    const plain = await get(srv, url, { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    assert.equal(plain.body, js);
  });

  test('the .br and .gz copies cannot be requested by their own names', async () => {
    const js = 'console.log("copies");\n'.repeat(100);
    const file = path.join(srv.staticDir, 'assets', 'copies-bbb222.js');
    fs.writeFileSync(file, js);
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(js));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(js));
    for (const target of ['/assets/copies-bbb222.js.br', '/assets/copies-bbb222.js.gz', '/assets/copies-bbb222.js.GZ', '/assets/copies-bbb222.js%2Ebr', '/assets/copies-bbb222.js.br/']) {
      const res = await get(srv, target, { 'Accept-Encoding': 'br, gzip' });
      assert.equal(res.status, 404, target);
      assert.equal(res.headers['content-encoding'], undefined, target);
    }
    assert.equal((await get(srv, '/assets/copies-bbb222.js')).body, js);
  });
});

describe('static files and slow readers', () => {
  test('a download that stalls is cut after the idle timeout; WebSocket connections are not', async () => {
    const srv = await startServer({ httpIdleTimeoutMs: 300 });
    const ws = await registerUser(srv, 'idle');
    // Larger than what the loopback socket buffers hold, so a client that never reads stalls it.
    const big = path.join(srv.staticDir, 'assets', 'big-ccc333.wasm');
    fs.writeFileSync(big, Buffer.alloc(32 * 1024 * 1024, 7));
    const file = fs.realpathSync(big);
    const sock = net.connect(srv.address.port, srv.address.host);
    sock.on('error', () => {
      // The server cutting the connection is what the test waits for.
    });
    try {
      sock.pause();
      sock.write(`GET /assets/big-ccc333.wasm HTTP/1.1\r\nHost: ${srv.address.host}\r\n\r\n`);
      for (let i = 0; i < 500 && openFdsOn(file) === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(openFdsOn(file), 1, 'the download started');
      // The reader never reads: the server gives up, and the file is closed.
      assert.equal(await settlesToZero(() => openFdsOn(file)), 0);
      // The logged-in WebSocket was idle all along and is still connected.
      assert.equal(srv.stats().connections, 1);
      assert.equal(ws.client.ws.readyState, ws.client.ws.OPEN);
    } finally {
      sock.destroy();
      await ws.client.close();
      await srv.stop();
    }
  });
});
