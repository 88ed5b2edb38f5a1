/**
 * HTTPS for LAN use: the TLS settings (checked eagerly, with sentences), the certificate
 * generated into DATA_DIR/tls (made once, reused, renewed when the LAN addresses change or it
 * expires), the local CA's name constraints (checked by a real TLS client), and a real HTTPS +
 * WSS server on port 0.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { after, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { NameConstraints } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { loadConfig } from '../../signal-server/src/config';
import { createLogger } from '../../signal-server/src/logger';
import { ensureSelfSignedCertificate, readTlsFiles, wantedNames, type GeneratedCertificate } from '../../signal-server/src/tls';
import { startCertificateRenewal } from '../../signal-server/src/tls-renewal';
import { signServerCertificate } from '../../signal-server/src/tls-x509';
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

const DAY_MS = 86_400_000;

/** The CA's name constraints as parsed by @peculiar/x509 (an implementation separate from ours). */
function nameConstraintsOf(caPem: string): { critical: boolean; dns: string[]; ips: string[]; excluded: number } | null {
  const ext = new x509.X509Certificate(caPem).getExtension('2.5.29.30');
  if (!ext) return null;
  const nc = AsnConvert.parse(ext.value, NameConstraints);
  const permitted = [...(nc.permittedSubtrees ?? [])];
  return {
    critical: ext.critical,
    dns: permitted.filter((t) => t.base.dNSName !== undefined).map((t) => t.base.dNSName as string),
    ips: permitted.filter((t) => t.base.iPAddress !== undefined).map((t) => t.base.iPAddress as string),
    excluded: nc.excludedSubtrees?.length ?? 0,
  };
}

const LOCAL_RANGES = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'];

/** Serves `cert` (PEM chain) with a TLS server and connects to it as a client trusting only `ca`. */
async function tlsHandshake(cred: { cert: string; key: string }, ca: string, servername: string): Promise<'ok' | Error> {
  const server = tls.createServer({ cert: cred.cert, key: cred.key }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<'ok' | Error>((resolve) => {
      const socket = tls.connect({ port, host: '127.0.0.1', servername, ca: [ca] }, () => {
        socket.end();
        resolve('ok');
      });
      socket.on('error', resolve);
    });
  } finally {
    server.close();
  }
}

/** A CA like the ones Peerchat made before name constraints: CA for any name, valid 10 years. */
async function oldStyleCa(): Promise<{ cert: string; key: string }> {
  const subtle = webcrypto.subtle;
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=Peerchat local CA (old), O=Peerchat',
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + 3650 * DAY_MS),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    },
    webcrypto as unknown as Crypto,
  );
  const key = x509.PemConverter.encode(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { cert: cert.toString('pem') + '\n', key: key + '\n' };
}

describe('local CA limits', () => {
  test('the CA has critical name constraints permitting exactly localhost, .local, the host name and the local ranges, and lives two years', async () => {
    const d = dir();
    const made = await ensureSelfSignedCertificate(d, { hostnames: ['laptop', 'laptop.local'], ips: ['192.168.1.20', '10.0.0.5'] });
    const nc = nameConstraintsOf(made.caCert);
    assert.ok(nc, 'the CA has a name constraints extension');
    assert.equal(nc.critical, true);
    assert.equal(nc.excluded, 0);
    assert.deepEqual(nc.dns, ['localhost', 'local', '.local', 'laptop']);
    assert.deepEqual(nc.ips, LOCAL_RANGES);

    const ca = new X509Certificate(made.caCert);
    const caDays = (Date.parse(ca.validTo) - Date.now()) / DAY_MS;
    assert.ok(caDays > 725 && caDays <= 731, `CA valid ~730 days (${caDays})`);
    assert.equal(made.caValidTo.getTime(), Date.parse(ca.validTo));
    assert.ok(made.validTo.getTime() <= made.caValidTo.getTime(), 'the server certificate never outlives its CA');
    assert.deepEqual(made.notices, []);
  });

  test('a certificate for another website signed by the CA is refused by a real TLS client; the generated one is accepted', async () => {
    const d = dir();
    const made = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['192.168.1.20'] });
    const caPair = { cert: fs.readFileSync(made.files.caCert, 'utf8'), key: fs.readFileSync(made.files.caKey, 'utf8') };
    const validity = { notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + 30 * DAY_MS) };
    for (const names of [{ dns: ['evil.example.com'], ips: [] }, { dns: [], ips: ['93.184.216.34'] }]) {
      const evil = await signServerCertificate(caPair, 'evil.example.com', names, validity);
      const result = await tlsHandshake({ cert: evil.cert + caPair.cert, key: evil.key }, made.caCert, 'evil.example.com');
      assert.ok(result instanceof Error, `a certificate for ${[...names.dns, ...names.ips].join()} must be refused`);
      assert.match(result.message, /permitted subtree violation/);
    }
    assert.equal(await tlsHandshake(made, made.caCert, 'localhost'), 'ok');
  });

  test('a LAN address outside the private ranges is permitted exactly; an address the CA was not made for is left out, with a notice', async () => {
    const d = dir();
    const first = await ensureSelfSignedCertificate(d, { hostnames: [], ips: ['203.0.113.7', '192.168.1.20'] });
    assert.deepEqual(nameConstraintsOf(first.caCert)?.ips, [...LOCAL_RANGES, '203.0.113.7/32']);
    assert.ok(first.names.includes('203.0.113.7'));
    assert.equal(await tlsHandshake(first, first.caCert, 'localhost'), 'ok');

    const moved = await ensureSelfSignedCertificate(d, { hostnames: ['newname'], ips: ['198.51.100.9', '192.168.1.30'] });
    assert.equal(moved.caFingerprint256, first.caFingerprint256, 'the CA is kept');
    assert.ok(moved.names.includes('192.168.1.30'));
    assert.ok(!moved.names.includes('198.51.100.9') && !moved.names.includes('newname'));
    assert.equal(moved.notices.length, 1);
    assert.match(moved.notices[0] ?? '', /does not cover newname, 198\.51\.100\.9: .*delete .*tls and restart/);
    assert.equal(await tlsHandshake(moved, moved.caCert, 'localhost'), 'ok');
  });

  test('the CA is made again when fewer than 60 days are left, with a notice, and the server certificate with it', async () => {
    const d = dir();
    const first = await ensureSelfSignedCertificate(d, { hostnames: [], ips: [] });
    const kept = await ensureSelfSignedCertificate(d, { hostnames: [], ips: [], now: new Date(first.caValidTo.getTime() - 61 * DAY_MS) });
    assert.equal(kept.caFingerprint256, first.caFingerprint256);
    assert.equal(kept.action, 'renewed', 'the server certificate expired before: renewed under the same CA');
    assert.ok(kept.validTo.getTime() <= kept.caValidTo.getTime(), 'and not past the CA');

    const late = new Date(first.caValidTo.getTime() - 59 * DAY_MS);
    const renewed = await ensureSelfSignedCertificate(d, { hostnames: [], ips: [], now: late });
    assert.equal(renewed.action, 'created');
    assert.notEqual(renewed.caFingerprint256, first.caFingerprint256);
    assert.ok((renewed.caValidTo.getTime() - late.getTime()) / DAY_MS > 725);
    assert.equal(renewed.notices.length, 1);
    assert.match(renewed.notices[0] ?? '', /local CA expires on .*made a new one .*must install the new one .*\/peerchat-ca\.crt/);
    assert.ok(new X509Certificate(renewed.cert).checkIssued(new X509Certificate(renewed.caCert)));
  });

  test('a CA without name constraints (made by an older Peerchat) is replaced once, with a log line; the next start keeps the new one', async () => {
    const dataDir = dir();
    const tlsDir = path.join(dataDir, 'tls');
    fs.mkdirSync(tlsDir, { recursive: true });
    const old = await oldStyleCa();
    const oldLeaf = await signServerCertificate(old, 'Peerchat on old', { dns: ['localhost'], ips: ['127.0.0.1'] }, { notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + 397 * DAY_MS) });
    fs.writeFileSync(path.join(tlsDir, 'ca-cert.pem'), old.cert);
    fs.writeFileSync(path.join(tlsDir, 'ca-key.pem'), old.key, { mode: 0o600 });
    fs.writeFileSync(path.join(tlsDir, 'cert.pem'), oldLeaf.cert);
    fs.writeFileSync(path.join(tlsDir, 'key.pem'), oldLeaf.key, { mode: 0o600 });
    const oldFingerprint = new X509Certificate(old.cert).fingerprint256;

    const start = async () => {
      const lines: Array<{ level: number; msg: string }> = [];
      const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
      const srv = await startServer({ dataDir, logger, tls: { selfSigned: true, hostnames: [], ips: [] } });
      const certificate = srv.certificate;
      assert.ok(certificate);
      const handshake = await tlsHandshake(certificate, certificate.caCert, 'localhost');
      await srv.stop(true);
      return { certificate, lines, handshake };
    };

    const first = await start();
    assert.equal(first.certificate.action, 'created');
    assert.notEqual(first.certificate.caFingerprint256, oldFingerprint);
    assert.ok(nameConstraintsOf(first.certificate.caCert)?.critical, 'the new CA is constrained');
    assert.equal(first.handshake, 'ok', 'the server certificate was reissued under the new CA');
    const warnings = first.lines.filter((l) => l.level === 40);
    assert.equal(warnings.length, 1, 'one log line about the replaced CA');
    assert.match(warnings[0]?.msg ?? '', /replaced the local CA .*could vouch for any website/);
    assert.match(warnings[0]?.msg ?? '', /Devices that trusted the old "Peerchat local CA" must install the new one .*\/peerchat-ca\.crt/);
    assert.ok(warnings[0]?.msg.includes(first.certificate.caFingerprint256), 'the line names the new fingerprint');

    const second = await start();
    assert.equal(second.certificate.action, 'reused');
    assert.equal(second.certificate.caFingerprint256, first.certificate.caFingerprint256);
    assert.deepEqual(second.lines.filter((l) => l.level === 40), [], 'no log line the second time');
  });
});

/** The fingerprint of the certificate a TLS server presents now (dates not checked: the clock is faked). */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

describe('renewal while the server runs', () => {
  test('a server certificate cut short by an ending CA is renewed (CA too) and loaded into the running server', async () => {
    const d = dir();
    const first = await ensureSelfSignedCertificate(d, { hostnames: [], ips: [] });
    // Issued when the CA had 80 days left: it ends with the CA.
    const issuedAt = new Date(first.caValidTo.getTime() - 80 * DAY_MS);
    const short = await ensureSelfSignedCertificate(d, { hostnames: [], ips: [], now: issuedAt });
    assert.equal(short.caFingerprint256, first.caFingerprint256);
    assert.equal(short.validTo.getTime(), short.caValidTo.getTime(), 'ends with the CA');

    const server = https.createServer({ cert: short.cert, key: short.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    let clock = new Date(issuedAt.getTime() + DAY_MS);
    const applied: GeneratedCertificate[] = [];
    const ticks: Array<{ ms: number }> = [];
    let stopped = false;
    const lines: string[] = [];
    const logger = createLogger('info', { write: (l: string) => void lines.push(l) });
    const renewal = startCertificateRenewal({
      dataDir: d,
      names: { hostnames: [], ips: [] },
      current: short,
      apply: (next) => {
        server.setSecureContext({ cert: next.cert, key: next.key });
        applied.push(next);
      },
      logger,
      now: () => clock,
      every: (_tick, ms) => {
        ticks.push({ ms });
        return () => (stopped = true);
      },
    });
    try {
      assert.equal(ticks.length, 1, 'a periodic check is scheduled');
      assert.ok(ticks[0] && ticks[0].ms <= 24 * 60 * 60 * 1000, 'at least daily');
      // Nothing is due yet: nothing changes.
      assert.equal(await renewal.check(), false);
      assert.equal(applied.length, 0);
      assert.equal(await servedFingerprint(port), short.fingerprint256);

      // 25 days before the end of both: the CA is renewed (with its notice), and the server certificate.
      clock = new Date(short.validTo.getTime() - 25 * DAY_MS);
      assert.equal(await renewal.check(), true);
      const next = applied[0];
      assert.ok(next);
      assert.notEqual(next.caFingerprint256, short.caFingerprint256);
      assert.ok((next.validTo.getTime() - clock.getTime()) / DAY_MS > 300, 'a full-length certificate again');
      assert.equal(renewal.current.fingerprint256, next.fingerprint256);
      assert.equal(await servedFingerprint(port), next.fingerprint256, 'the running server presents the new one');
      assert.ok(lines.some((l) => l.includes('renewed while running')));
      assert.ok(lines.some((l) => l.includes('must install the new one')));
      // And again nothing to do.
      assert.equal(await renewal.check(), false);
    } finally {
      renewal.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    assert.equal(stopped, true);
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

describe('names the server certificate asks for', () => {
  test('a host name with a domain also asks for its short name and the short name in .local', () => {
    assert.deepEqual(wantedNames({ machineName: 'MyBox.fritz.box', ips: [] }).dns, ['localhost', 'mybox.fritz.box', 'mybox', 'mybox.local']);
    assert.deepEqual(wantedNames({ machineName: 'mybox', ips: [] }).dns, ['localhost', 'mybox', 'mybox.local']);
  });
});

describe('a clock that is behind', () => {
  test('keeps the local CA (no new CA for devices to install) and says the clock is wrong', async () => {
    const d = dir();
    const made = new Date('2026-06-01T00:00:00Z');
    const first = await ensureSelfSignedCertificate(d, { hostnames: ['laptop'], ips: [], now: made });
    const early = new Date(made.getTime() - 30 * 86_400_000); // the clock before its time sync
    const again = await ensureSelfSignedCertificate(d, { hostnames: ['laptop'], ips: [], now: early });
    assert.equal(again.caFingerprint256, first.caFingerprint256, 'the same CA');
    assert.ok(again.notices.some((n) => n.includes('clock')), `a notice about the clock: ${again.notices.join(' | ')}`);
  });
});
