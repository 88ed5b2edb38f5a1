// HTTPS mode end to end: the server generates its certificate into a temporary DATA_DIR (and
// reuses it on the next start), and two separate Chromium processes that trust that certificate
// (as a person who accepted it would) register, log in over WSS and chat over real WebRTC.
// The app's service worker also activates there: a trusted HTTPS origin is a secure context.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/https.test.ts

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createSignalServer, type SignalServer, type SignalServerOptions } from '../../signal-server/src/server';
import { STATIC_DIR, waitForMessage } from './app-helpers';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';

const DIST = STATIC_DIR;
const PASSWORD = 'correct horse battery';

describe('HTTPS on the LAN (generated certificate)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'peerchat-https-'));
  const opts: SignalServerOptions = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    staticDir: DIST,
    scrypt: { N: 2 ** 12 },
    authRateLimit: { perSecond: 100, burst: 100 },
    tls: { selfSigned: true },
  };
  let server: SignalServer | undefined;
  const users: BrowserUser[] = [];

  after(async () => {
    await closeAllBrowsers();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the certificate is generated once into DATA_DIR/tls and reused on the next start', async () => {
    const first = await createSignalServer(opts);
    const cert = first.certificate;
    assert.ok(cert, 'a generated certificate');
    assert.equal(cert.action, 'created');
    for (const f of ['ca-cert.pem', 'ca-key.pem', 'cert.pem', 'key.pem']) assert.ok(existsSync(path.join(dataDir, 'tls', f)), `tls/${f}`);
    for (const name of ['localhost', '127.0.0.1']) assert.ok(cert.names.includes(name), `covers ${name}`);
    const mtime = statSync(path.join(dataDir, 'tls', 'cert.pem')).mtimeMs;
    await first.close();

    server = await createSignalServer(opts);
    assert.equal(server.certificate?.action, 'reused');
    assert.equal(server.certificate?.fingerprint256, cert.fingerprint256);
    assert.equal(statSync(path.join(dataDir, 'tls', 'cert.pem')).mtimeMs, mtime);
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.wsUrl, /^wss:\/\//);
  });

  test('two browsers that accepted the certificate register, log in over WSS and chat', async () => {
    assert.ok(server?.certificate);
    const trust = [server.certificate.caCert];
    const url = server.url;
    try {
      const alice = await launchBrowser('chromium', { name: 'alice-https', trustCertificates: trust });
      users.push(alice);
      const bob = await launchBrowser('chromium', { name: 'bob-https', trustCertificates: trust });
      users.push(bob);
      for (const [user, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
        await user.goto(url);
        assert.equal(await user.evaluate(() => location.protocol + String(window.isSecureContext)), 'https:true');
        await user.fill('Username', name);
        await user.fill('Password', PASSWORD);
        await user.click('Register');
        await user.waitForText(`Signed in as ${name}`, 15_000);
      }
      assert.equal(server.stats().online, 2, 'both logged in over WSS');
      // bob opens alice's conversation too: she is his contact, so her first message is not a request.
      await bob.click('alice, online, not verified');
      await alice.click('bob, online, not verified');
      await alice.fill('Message', 'Hello over HTTPS');
      await alice.press('Enter');
      await bob.waitForText('Hello over HTTPS', 20_000);
      await waitForMessage(alice, 'Hello over HTTPS', 'delivered', 15_000); // or Read: bob has the conversation open

      // A trusted HTTPS origin gets the service worker (install, offline) like localhost does.
      const sw = await alice.waitFor(
        () => navigator.serviceWorker.getRegistration().then((r) => r?.active?.state === 'activated' || null),
        undefined,
        20_000,
      );
      assert.equal(sw, true);
    } catch (err) {
      await dumpDiagnostics(users, 'https-chat');
      throw err;
    }
  });
});
