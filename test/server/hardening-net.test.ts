/**
 * Network-facing hardening: host names (DNS rebinding), client addresses behind a reverse proxy,
 * security headers, what failed logins leave in the log, file modes of the data folder, and
 * hostile frames and slow requests that must not stall the server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../signal-server/src/logger';
import { DB_FILE } from '../../signal-server/src/sqlite-store';
import { cid, Client, OFFER, registerUser, startServer, tempDir, waitFor, type TestServer } from './helpers';

function get(srv: TestServer, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: srv.address.port, path: urlPath, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

describe('DNS rebinding: only host names the server serves', () => {
  let srv: TestServer;
  let port: number;
  before(async () => {
    srv = await startServer();
    port = srv.address.port;
  });
  after(() => srv.stop());

  test('a WebSocket whose Host and Origin are both a foreign name is refused with 403', async () => {
    const headers = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` };
    await assert.rejects(Client.connect(srv.wsUrl, { headers }), /HTTP 403/);
    await assert.rejects(Client.connect(srv.wsUrl, { headers: { Host: `evil.example:${port}` } }), /HTTP 403/);
    assert.equal(srv.stats().connections, 0);
  });

  test('localhost, 127.0.0.1, ::1 and this machine’s name are served, on any port', async () => {
    const hosts = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `${os.hostname()}:${port}`, `${os.hostname()}.local:${port}`, 'app.localhost'];
    for (const host of hosts) {
      const c = await Client.connect(srv.wsUrl, { headers: { Host: host, Origin: `http://${host}` } });
      await c.close();
    }
    // Node's own clients send no Origin; they still need a served Host.
    const plain = await Client.connect(srv.wsUrl);
    await plain.close();
  });

  test('plain HTTP for a foreign name gets 403 with a sentence, not the app', async () => {
    const bad = await get(srv, '/', { Host: `evil.example:${port}` });
    assert.equal(bad.status, 403);
    assert.match(bad.body, /--allowed-hosts/);
    assert.doesNotMatch(bad.body, /Peerchat test shell/);
    const good = await get(srv, '/', { Host: `localhost:${port}` });
    assert.equal(good.status, 200);
    assert.match(good.body, /Peerchat test shell/);
  });

  test('--allowed-hosts adds names (exact, and a domain with its subdomains)', async () => {
    const other = await startServer({ allowedHosts: ['chat.example.org', '.home.arpa'] });
    try {
      const p = other.address.port;
      for (const host of ['chat.example.org', 'home.arpa', 'pc.home.arpa']) {
        const c = await Client.connect(other.wsUrl, { headers: { Host: `${host}:${p}`, Origin: `http://${host}:${p}` } });
        await c.close();
      }
      await assert.rejects(Client.connect(other.wsUrl, { headers: { Host: `evil.example:${p}`, Origin: `http://evil.example:${p}` } }), /HTTP 403/);
      // The origin must still match the (allowed) Host.
      await assert.rejects(Client.connect(other.wsUrl, { headers: { Host: `chat.example.org:${p}`, Origin: `http://evil.example:${p}` } }), /HTTP 403/);
    } finally {
      await other.stop();
    }
  });
});

describe('client address behind a reverse proxy (--trust-proxy)', () => {
  const openWithForwardedFor = async (srv: TestServer, n: number, xff: (i: number) => string): Promise<{ open: Client[]; refused: number }> => {
    const open: Client[] = [];
    let refused = 0;
    for (let i = 0; i < n; i++) {
      try {
        open.push(await Client.connect(srv.wsUrl, { headers: { 'X-Forwarded-For': xff(i) } }));
      } catch (err) {
        assert.match((err as Error).message, /HTTP 429/);
        refused++;
      }
    }
    return { open, refused };
  };

  test('from a trusted proxy, 70 users with their own forwarded addresses are not capped at 64', async () => {
    const srv = await startServer({ trustProxy: ['127.0.0.1'] });
    try {
      const { open, refused } = await openWithForwardedFor(srv, 70, (i) => `10.1.0.${i + 1}`);
      assert.equal(refused, 0);
      assert.equal(open.length, 70);
      await Promise.all(open.map((c) => c.close()));
    } finally {
      await srv.stop();
    }
  });

  test('without --trust-proxy (or from a peer that is not a named proxy) X-Forwarded-For is ignored', async () => {
    for (const trustProxy of [undefined, ['10.9.9.9', '192.168.0.0/16']]) {
      const srv = await startServer({ trustProxy });
      try {
        const { open, refused } = await openWithForwardedFor(srv, 70, (i) => `10.1.0.${i + 1}`);
        assert.equal(open.length, 64);
        assert.equal(refused, 6);
        await Promise.all(open.map((c) => c.close()));
      } finally {
        await srv.stop();
      }
    }
  });

  test('the right-most address the proxy did not add counts: a client cannot pick its address by prepending one', async () => {
    const srv = await startServer({ trustProxy: ['127.0.0.0/8'], maxConnectionsPerIp: 2 });
    try {
      const { open, refused } = await openWithForwardedFor(srv, 4, (i) => `203.0.113.${i + 1}, 198.51.100.7, 127.0.0.2`);
      assert.equal(open.length, 2);
      assert.equal(refused, 2);
      await Promise.all(open.map((c) => c.close()));
    } finally {
      await srv.stop();
    }
  });
});

test('CSP: connect-src and form-action are same-origin only', async () => {
  const srv = await startServer();
  try {
    for (const p of ['/', '/healthz', '/missing']) {
      const res = await get(srv, p);
      const directives = new Map(
        String(res.headers['content-security-policy'])
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name = '', ...values]) => [name, values.join(' ')]),
      );
      assert.equal(directives.get('connect-src'), "'self'", p);
      assert.equal(directives.get('form-action'), "'self'", p);
    }
  } finally {
    await srv.stop();
  }
});

test('a failed login’s log has no username, token or SDP', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const srv = await startServer({ logger: createLogger('trace', sink) });
  const secretName = 'Hunter2.MyRealPassw0rd';
  const typedPassword = 'Tr0ub4dor&3 with spaces';
  try {
    const alice = await registerUser(srv, 'alice');
    const bob = await registerUser(srv, 'bob');
    alice.client.send({ type: 'signal', to: 'bob', cid: cid(1), data: OFFER });
    await bob.client.next('signal');

    const c = await Client.connect(srv.wsUrl);
    c.login(secretName, 'wrong password');
    assert.equal((await c.nextError()).code, 'UNKNOWN_USER');
    c.login(typedPassword, 'wrong password');
    assert.equal((await c.nextError()).code, 'INVALID_USERNAME');
    c.register(secretName, 'x');
    assert.ok(await c.nextError());
    c.login('alice', 'not her password');
    assert.equal((await c.nextError()).code, 'BAD_PASSWORD');
    c.resume(alice.welcome.token.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')));
    assert.equal((await c.nextError()).code, 'BAD_TOKEN');
    await Promise.all([c.close(), alice.client.close(), bob.client.close()]);
    await waitFor(() => srv.stats().connections === 0, 3000, 'all closed');
  } finally {
    await srv.stop();
  }
  const log = lines.join('');
  assert.match(log, /auth refused/, 'the failures are logged');
  for (const secret of [secretName, secretName.toLowerCase(), typedPassword, 'not her password', 'wrong password', OFFER.sdp, JSON.stringify(OFFER.sdp).slice(1, -1)]) {
    assert.ok(!log.includes(secret), `log contains ${JSON.stringify(secret)}`);
  }
  assert.ok(!log.includes('Hunter2'), 'no part of the typed name');
  const refusals = log.split('\n').filter((l) => l.includes('auth refused')).map((l) => JSON.parse(l) as { userTag?: string; user?: string; code: string });
  assert.equal(refusals.length, 5);
  for (const r of refusals) assert.equal(r.user, undefined);
  // The same name gives the same tag, so repeated attempts can still be told apart.
  const tags = refusals.map((r) => r.userTag);
  assert.equal(tags[0], tags[2]);
  assert.notEqual(tags[0], tags[3]);
  assert.match(String(tags[0]), /^[0-9a-f]{12}$/);
});

describe('data folder modes', () => {
  const mode = (p: string): number => fs.statSync(p).mode & 0o777;

  test('a new data folder is 0700 and the database (and its -wal/-shm) 0600', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const srv = await startServer({ dataDir });
    try {
      const u = await registerUser(srv, 'modes');
      await u.client.close();
      assert.equal(mode(dataDir), 0o700);
      const db = path.join(dataDir, DB_FILE);
      assert.equal(mode(db), 0o600);
      const extra = [`${db}-wal`, `${db}-shm`].filter((f) => fs.existsSync(f));
      assert.ok(extra.length > 0, 'WAL mode keeps a -wal file while open');
      for (const f of extra) assert.equal(mode(f), 0o600, f);
    } finally {
      await srv.stop();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });

  test('an existing looser folder and database are tightened', async () => {
    const dataDir = tempDir();
    fs.chmodSync(dataDir, 0o755);
    const db = path.join(dataDir, DB_FILE);
    const first = await startServer({ dataDir });
    await first.stop(true);
    fs.chmodSync(dataDir, 0o777);
    fs.chmodSync(db, 0o644);
    for (const f of [`${db}-wal`, `${db}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o666);
    const srv = await startServer({ dataDir });
    try {
      assert.equal(mode(dataDir), 0o700);
      assert.equal(mode(db), 0o600);
      for (const f of [`${db}-wal`, `${db}-shm`]) if (fs.existsSync(f)) assert.equal(mode(f), 0o600, f);
    } finally {
      await srv.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('hostile frames and slow requests', () => {
  test('32,000-deep nested JSON under 64 KiB is answered with BAD_MESSAGE while others are served', async () => {
    const srv = await startServer();
    try {
      const ally = await registerUser(srv, 'ally');
      const friend = await registerUser(srv, 'friend');
      const deep = '['.repeat(32_000) + ']'.repeat(32_000);
      const inSignal = `{"type":"signal","to":"friend","cid":"${cid(9)}","data":${deep}}`;
      assert.ok(Buffer.byteLength(inSignal) < 64 * 1024);
      const attacker = await Client.connect(srv.wsUrl);
      attacker.send(deep);
      assert.equal((await attacker.nextError()).code, 'BAD_MESSAGE');
      ally.client.send(inSignal);
      assert.equal((await ally.client.nextError()).code, 'BAD_MESSAGE');
      const objects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
      assert.ok(Buffer.byteLength(objects) < 64 * 1024);
      attacker.send(objects);
      assert.equal((await attacker.nextError()).code, 'BAD_MESSAGE');
      // Everyone is still served, the attacker included.
      ally.client.send({ type: 'signal', to: 'friend', cid: cid(1), data: OFFER });
      assert.equal((await friend.client.next('signal')).cid, cid(1));
      assert.equal(friend.client.queue.length, 0, 'the deep signal was not relayed');
      attacker.register('attacker');
      await attacker.next('welcome');
      await Promise.all([ally.client.close(), friend.client.close(), attacker.close()]);
    } finally {
      await srv.stop();
    }
  });

  test('an upgrade whose headers trickle in a byte at a time is cut at the header timeout', async () => {
    const srv = await startServer({ headersTimeoutMs: 300 });
    try {
      const request =
        'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Padding: ' +
        'x'.repeat(200) +
        '\r\n\r\n';
      const socket = net.connect(srv.address.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.on('error', () => undefined);
      let sent = 0;
      let isClosed = false;
      void closed.then(() => (isClosed = true));
      // One byte every 20 ms: the whole request would take over 5 s, far past the 300 ms allowed.
      while (!isClosed && sent < request.length) {
        socket.write(request[sent] as string);
        sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
      await closed;
      assert.ok(sent < request.length, `cut after ${sent} of ${request.length} bytes`);
      assert.doesNotMatch(answer, /101 Switching Protocols/);
      assert.equal(srv.stats().connections, 0);
    } finally {
      await srv.stop();
    }
  });
});
