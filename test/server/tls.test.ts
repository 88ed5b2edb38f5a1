/**
 * HTTPS for LAN use: the TLS settings (checked eagerly, with sentences), the certificate
 * generated into DATA_DIR/tls (made once, reused, renewed when the LAN addresses change or it
 * expires), and a real HTTPS + WSS server on port 0.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../signal-server/src/config';
import { ensureSelfSignedCertificate, readTlsFiles } from '../../signal-server/src/tls';
import { startupBanner } from '../../signal-server/src/banner';
import { preferredLanAddress } from '../../signal-server/src/lan-urls';
import { Client, startServer, tempDir } from './helpers';

const ARGV0 = ['node', 'main.ts'];
const isBadConfig = (re: RegExp) => (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && re.test(err.message);

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('peerchat-tls-');
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A certificate + key pair on disk (made by the generator itself), and a second, unrelated key. */
async function certFiles(): Promise<{ cert: string; key: string; otherKey: string; garbage: string; folder: string }> {
  const d = dir();
  const a = await ensureSelfSignedCertificate(path.join(d, 'a'), { hostnames: [], ips: [] });
  const b = await ensureSelfSignedCertificate(path.join(d, 'b'), { hostnames: [], ips: [] });
  const garbage = path.join(d, 'garbage.pem');
  fs.writeFileSync(garbage, 'not a certificate\n');
  return { cert: a.files.cert, key: a.files.key, otherKey: b.files.key, garbage, folder: d };
}

describe('TLS settings', () => {
  test('off by default; --https / HTTPS=1 generate a certificate; --https=false stays off', () => {
    assert.deepEqual(loadConfig(ARGV0, {}).tls, { mode: 'off' });
    assert.deepEqual(loadConfig([...ARGV0, '--https'], {}).tls, { mode: 'self-signed' });
    assert.deepEqual(loadConfig([...ARGV0, '--https', '--port', '9443'], {}).port, 9443);
    assert.deepEqual(loadConfig(ARGV0, { HTTPS: '1' }).tls, { mode: 'self-signed' });
    assert.deepEqual(loadConfig(ARGV0, { HTTPS: 'true' }).tls, { mode: 'self-signed' });
    assert.deepEqual(loadConfig(ARGV0, { HTTPS: '0' }).tls, { mode: 'off' });
    assert.deepEqual(loadConfig([...ARGV0, '--https=false'], { HTTPS: '1' }).tls, { mode: 'off' });
    assert.throws(() => loadConfig(ARGV0, { HTTPS: 'maybe' }), isBadConfig(/^HTTPS must be 1 or 0/));
  });

  test('--cert and --key (or TLS_CERT and TLS_KEY) are read and checked at start', async () => {
    const f = await certFiles();
    const c = loadConfig([...ARGV0, '--cert', f.cert, '--key', f.key], {});
    assert.equal(c.tls.mode, 'files');
    assert.ok(c.tls.mode === 'files' && c.tls.cert.includes('BEGIN CERTIFICATE') && c.tls.key.includes('PRIVATE KEY'));
    const e = loadConfig(ARGV0, { TLS_CERT: path.relative(f.folder, f.cert), TLS_KEY: path.relative(f.folder, f.key) }, f.folder);
    assert.ok(e.tls.mode === 'files' && e.tls.certFile === f.cert && e.tls.keyFile === f.key);
  });

  test('config errors say what is wrong and which setting it is', async () => {
    const f = await certFiles();
    const missing = path.join(f.folder, 'nope.pem');
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.cert], {}), isBadConfig(/^--cert needs the certificate's private key too: add --key/));
    assert.throws(() => loadConfig(ARGV0, { TLS_KEY: f.key }), isBadConfig(/^TLS_KEY needs the certificate too: add --cert/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', missing, '--key', f.key], {}), isBadConfig(/^--cert: the certificate file .*nope\.pem does not exist\.$/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.cert, '--key', f.folder], {}), isBadConfig(/^--key: the private key file .* is a folder\.$/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.garbage, '--key', f.key], {}), isBadConfig(/^--cert: .*garbage\.pem is not a PEM file/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.key, '--key', f.key], {}), isBadConfig(/^--cert: .* is not a PEM certificate/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.cert, '--key', f.cert], {}), isBadConfig(/^--key: .* is not a readable PEM private key/));
    assert.throws(() => loadConfig([...ARGV0, '--cert', f.cert, '--key', f.otherKey], {}), isBadConfig(/^--key: .* is not the private key of the certificate/));
    assert.throws(
      () => loadConfig([...ARGV0, '--cert', f.cert, '--key', f.key, '--https=0'], {}),
      isBadConfig(/turn HTTPS on, but --https turns it off/),
    );
    if (process.getuid?.() !== 0) {
      // Root reads anything, so permission errors can only be seen as a normal user.
      fs.chmodSync(f.key, 0o000);
      assert.throws(() => readTlsFiles(f.cert, f.key), isBadConfig(/permission denied/));
    }
  });
});

describe('generated certificate', () => {
  test('made once into DATA_DIR/tls, covering localhost, the host name and the LAN addresses; reused on the next start', async () => {
    const d = dir();
    const first = await ensureSelfSignedCertificate(d, { hostnames: ['laptop', 'laptop.local'], ips: ['192.168.1.20', '10.0.0.5'] });
    assert.equal(first.action, 'created');
    for (const f of Object.values(first.files)) assert.ok(fs.existsSync(f), `${f} exists`);
    assert.equal(fs.statSync(first.files.key).mode & 0o777, 0o600);
    assert.equal(fs.statSync(first.files.caKey).mode & 0o777, 0o600);
    for (const name of ['localhost', 'laptop', 'laptop.local', '127.0.0.1', '192.168.1.20', '10.0.0.5']) assert.ok(first.names.includes(name), `covers ${name}`);

    const leaf = new X509Certificate(fs.readFileSync(first.files.cert));
    const ca = new X509Certificate(fs.readFileSync(first.files.caCert));
    assert.ok(ca.ca && !leaf.ca, 'a CA and a server certificate');
    assert.ok(leaf.verify(ca.publicKey) && leaf.checkIssued(ca), 'signed by the CA');
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 390 && days <= 398, `server certificate valid ~397 days (${days})`);

    const mtime = fs.statSync(first.files.cert).mtimeMs;
    const second = await ensureSelfSignedCertificate(d, { hostnames: ['laptop'], ips: ['192.168.1.20'] });
    assert.equal(second.action, 'reused');
    assert.equal(second.fingerprint256, first.fingerprint256);
    assert.equal(fs.statSync(first.files.cert).mtimeMs, mtime, 'files untouched');
  });

  test('a new LAN address, expiry within 30 days or a damaged file renew the server certificate, keeping the CA', async () => {
    const d = dir();
    const first = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.1.20'] });
    const moved = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.7.3'] });
    assert.equal(moved.action, 'renewed');
    assert.notEqual(moved.fingerprint256, first.fingerprint256);
    assert.equal(moved.caFingerprint256, first.caFingerprint256, 'phones that trust the CA keep trusting');
    assert.ok(moved.names.includes('192.168.7.3'));

    const later = new Date(moved.validTo.getTime() - 10 * 86_400_000);
    const renewed = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.7.3'], now: later });
    assert.equal(renewed.action, 'renewed');
    assert.equal(renewed.caFingerprint256, first.caFingerprint256);

    fs.writeFileSync(renewed.files.cert, 'garbage');
    const repaired = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.7.3'] });
    assert.equal(repaired.action, 'renewed');

    fs.rmSync(repaired.files.caKey);
    const fresh = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.7.3'] });
    assert.equal(fresh.action, 'created');
    assert.notEqual(fresh.caFingerprint256, first.caFingerprint256);
  });
});

describe('HTTPS server', () => {
  test('serves HTTPS and WSS with the generated certificate (port 0), and offers its CA for download', async () => {
    const dataDir = dir();
    const srv = await startServer({ dataDir, tls: { selfSigned: true, hostnames: [], ips: [] } });
    try {
      assert.equal(srv.protocol, 'https');
      assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(srv.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
      assert.ok(srv.certificate && fs.existsSync(path.join(dataDir, 'tls', 'cert.pem')));
      const ca = srv.certificate.caCert;

      const get = (p: string) =>
        new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
          https
            .get(`${srv.url}${p}`, { ca }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
            })
            .on('error', reject);
        });
      const health = await get('/healthz');
      assert.equal(health.status, 200);
      const der = await get('/peerchat-ca.crt');
      assert.equal(der.type, 'application/x-x509-ca-cert');
      assert.equal(new X509Certificate(der.body).fingerprint256, srv.certificate.caFingerprint256);

      // Not trusted without the CA: exactly what a browser sees before accepting it.
      await assert.rejects(fetch(`${srv.url}/healthz`));

      const alice = await Client.connect(srv.wsUrl, { ca });
      alice.register('alice');
      const welcome = await alice.next('welcome', 10_000);
      assert.equal(welcome.username, 'alice');
      await alice.close();
    } finally {
      await srv.stop(true);
    }
    // The second start reuses the same certificate.
    const again = await startServer({ dataDir, tls: { selfSigned: true, hostnames: [], ips: [] } });
    try {
      assert.equal(again.certificate?.action, 'reused');
    } finally {
      await again.stop();
    }
  });

  test('serves HTTPS with certificate files the user gave', async () => {
    const f = await certFiles();
    const creds = readTlsFiles(f.cert, f.key);
    const srv = await startServer({ tls: creds });
    try {
      assert.equal(srv.protocol, 'https');
      assert.equal(srv.certificate, undefined);
      const status = await new Promise<number>((resolve, reject) => {
        https.get(`${srv.url}/healthz`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 200);
    } finally {
      await srv.stop();
    }
  });
});

describe('start-up banner', () => {
  test('lists every URL, shows a QR code of the main LAN URL, and explains the certificate', async () => {
    const d = dir();
    const certificate = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.1.20'] });
    const text = await startupBanner({ protocol: 'https', host: '0.0.0.0', port: 8443, lan: ['192.168.1.20', '10.0.0.5'], certificate, certDir: 'data/tls' });
    assert.match(text, /https:\/\/localhost:8443/);
    assert.match(text, /^ {2}https:\/\/192\.168\.1\.20:8443$/m);
    assert.match(text, /^ {2}https:\/\/10\.0\.0\.5:8443$/m);
    assert.match(text, /open https:\/\/192\.168\.1\.20:8443\n/);
    assert.ok((text.match(/[▄▀█]/g) ?? []).length > 100, 'a QR code drawn with block characters');
    assert.ok(text.includes(certificate.caFingerprint256));
    assert.match(text, /https:\/\/192\.168\.1\.20:8443\/peerchat-ca\.crt/);

    const plain = await startupBanner({ protocol: 'http', host: '0.0.0.0', port: 8080, lan: ['192.168.1.20'] });
    assert.match(plain, /start with --https/);
    const local = await startupBanner({ protocol: 'http', host: '127.0.0.1', port: 8080, lan: ['192.168.1.20'] });
    assert.doesNotMatch(local, /192\.168/);
    assert.match(local, /Only this computer can connect/);
  });

  test('names the data folder, absolute, so a start from another folder is noticed', async () => {
    const text = await startupBanner({ protocol: 'http', host: '127.0.0.1', port: 8080, lan: [], dataDir: '/home/me/peerchat/data' });
    assert.match(text, /^Data folder \(accounts\): \/home\/me\/peerchat\/data$/m);
  });

  test('the main LAN address is a physical interface on a home-router range, not a container bridge', () => {
    const nic = (address: string, internal = false) => ({ address, netmask: '255.255.255.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` });
    assert.equal(
      preferredLanAddress({ lo: [nic('127.0.0.1', true)], docker0: [nic('172.17.0.1')], eth0: [nic('10.0.0.7')], wlan0: [nic('192.168.1.20')] }),
      '192.168.1.20',
    );
    assert.equal(preferredLanAddress({ docker0: [nic('192.168.99.1')], eth0: [nic('172.20.0.5')] }), '172.20.0.5');
    assert.equal(preferredLanAddress({ lo: [nic('127.0.0.1', true)] }), null);
  });
});
