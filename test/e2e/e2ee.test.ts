// End-to-end encryption, in real browsers against the real server:
// - honest server: two Chromiums chat over a verified session and show the same safety number;
//   the verified mark; a privacy canary that must not reach the server's disk, logs or frames;
//   a key change after pinning (a new browser for the same account) warns and holds sending.
// - hostile relay (the server's TEST-ONLY hooks): rewritten DTLS fingerprints in the relayed SDP,
//   and a substituted identity key in `lookup` answers. The browsers refuse the session, show
//   the secure-session error, and deliver nothing.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/e2ee.test.ts
// Screenshots go to /tmp/shots-e2ee/.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { encodePublicKey, generateIdentity, ready } from '../../shared/crypto/index';
import type { SignalData } from '../../shared/signal-protocol';
import { createLogger } from '../../signal-server/src/logger';
import type { TestHooks } from '../../signal-server/src/test-hooks';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, shownMessages, startTestServer, waitForMessage, stepTracker, type TestServer } from './app-helpers';
import { inPage, waitInPage } from './page-queries';

const SHOTS = '/tmp/shots-e2ee';
mkdirSync(SHOTS, { recursive: true });
await ready();

/** Every file under `dir`, as bytes (SQLite db, -wal, -shm, anything else). */
function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...filesUnder(file));
    else out.push({ file, bytes: readFileSync(file) });
  }
  return out;
}

/** The safety number as the open Verify dialog shows it: 12 groups of 5 digits. */
async function shownSafetyNumber(user: BrowserUser, peer: string): Promise<string> {
  await user.click('Verify');
  await user.waitForRole('dialog', `Verify ${peer}`);
  const text = await waitInPage(
    user,
    (q, name) => {
      const t = q.queryAll([{ role: 'dialog', name }, { role: 'group', name: 'Safety number' }]).map((el) => q.renderedText(el)).join(' ');
      return /(\d{5}\s+){11}\d{5}/.test(t) ? t : null;
    },
    `Verify ${peer}`,
    10_000,
    'the safety number',
  );
  const m = /(\d{5}\s+){11}\d{5}/.exec(text ?? '');
  assert.ok(m);
  return m[0].split(/\s+/).join(' ');
}

async function closeDialog(user: BrowserUser, peer: string): Promise<void> {
  await user.press('Escape');
  await user.waitForRole('dialog', `Verify ${peer}`, { hidden: true });
}

/** Which security warning the open conversation shows (an alert), or null. */
async function bannerKind(user: BrowserUser): Promise<'key-changed' | 'session-failed' | null> {
  const alerts = await inPage(user, (q) => q.queryAll([{ role: 'alert' }]).map((el) => q.renderedText(el)));
  if (alerts.some((t) => /security key has changed/.test(t))) return 'key-changed';
  if (alerts.some((t) => /Could not set up a secure session/.test(t))) return 'session-failed';
  return null;
}

/** All message texts stored in a user's history database on this origin (whatever is on screen). */
function storedTexts(user: BrowserUser, username: string): Promise<string[]> {
  return user.evaluate(async (dbName: string) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(dbName);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    if (!db.objectStoreNames.contains('messages')) return [];
    const all = await new Promise<Array<{ text: string }>>((resolve, reject) => {
      const r = db.transaction('messages').objectStore('messages').getAll();
      r.onsuccess = () => resolve(r.result as Array<{ text: string }>);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return all.map((m) => m.text);
  }, `peerchat-${username}`);
}

describe('end-to-end encryption in the browser', { timeout: 420_000 }, () => {
  let alice: BrowserUser;
  let bob: BrowserUser;
  const servers: TestServer[] = [];
  const steps = stepTracker(test);

  before(async () => {
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('chromium', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'e2ee');
    await closeAllBrowsers();
    for (const s of servers) await s.dispose().catch(() => undefined);
  });

  const { step } = steps;

  describe('honest server', () => {
    let srv: TestServer;
    const frames: string[] = [];
    const logFile = path.join('/tmp', `peerchat-e2ee-log-${process.pid}.jsonl`);
    const canary = `canary-${randomBytes(16).toString('hex')}`;

    before(async () => {
      const hooks: TestHooks = { tapFrame: (_dir, _conn, frame) => void frames.push(frame) };
      // The most talkative log level, to a file we read back.
      const logger = createLogger('debug', pino.destination({ dest: logFile, sync: true }));
      srv = await startTestServer({ testHooks: hooks, logger });
      servers.push(srv);
    });

    step('two browsers chat over a verified end-to-end session', async () => {
      await register(alice, srv.url, 'alice');
      await register(bob, srv.url, 'bob');
      await openConversation(alice, 'bob');
      await send(alice, canary);
      await openConversation(bob, 'alice');
      await waitForMessage(bob, canary, 'received', 30_000);
      await waitForMessage(alice, canary, 'delivered');
      await alice.waitForText('end-to-end encrypted');
      await send(bob, 'Reply over the sealed channel');
      await waitForMessage(alice, 'Reply over the sealed channel', 'received');
    });

    step('both sides show the same safety number (and a QR code of it)', async () => {
      const onAlice = await shownSafetyNumber(alice, 'bob');
      const onBob = await shownSafetyNumber(bob, 'alice');
      assert.match(onAlice, /^(\d{5} ){11}\d{5}$/);
      assert.equal(onAlice, onBob);
      await alice.waitForRole('img', 'QR code of the safety number');
      await alice.screenshot(`${SHOTS}/verify-dialog.png`);
      if (bob.raw.kind === 'chromium') await bob.raw.page.emulateMedia({ colorScheme: 'dark' });
      await bob.screenshot(`${SHOTS}/verify-dialog-dark.png`);
      if (bob.raw.kind === 'chromium') await bob.raw.page.emulateMedia({ colorScheme: 'light' });
      await closeDialog(bob, 'alice');
      // Esc closed it and focus went back to the Verify button.
      const focused = await inPage(bob, (q) => {
        const el = q.focused();
        return el ? { role: q.roleOf(el), name: q.nameOf(el) } : null;
      });
      assert.deepEqual(focused, { role: 'button', name: 'Verify' });
    });

    step('"Mark as verified" shows a Verified mark in the conversation header', async () => {
      await alice.waitForText('Not verified');
      await alice.click('Mark as verified', { role: 'switch' });
      await closeDialog(alice, 'bob');
      await alice.waitForText('✓ Verified');
      await alice.waitForNoText('Not verified');
      await alice.reload();
      await alice.waitForText('Signed in as alice');
      await openConversation(alice, 'bob');
      await alice.waitForText('✓ Verified');
    });

    step('a forged frame on the channel tears the session down; nothing forged shows; it is rebuilt', async () => {
      const before = (await shownMessages(bob)).length;
      // Alice's page puts raw bytes on the data channel, bypassing the sealing: a forged
      // "sealed" frame (kind byte 2 and random bytes), as a tampering relay would.
      const sent = await alice.evaluate(() => {
        const svc = (document.querySelector('pc-app') as unknown as { service: Record<string, unknown> }).service;
        const links = svc['links'] as { get(conv: string): { peer: { send(b: Uint8Array): void } } | undefined };
        const link = links.get('bob');
        if (!link) return false;
        const forged = new Uint8Array(64);
        crypto.getRandomValues(forged);
        forged[0] = 2;
        link.peer.send(forged);
        return true;
      });
      assert.equal(sent, true);
      // Bob refuses the frame and drops the connection; the redial builds a new session.
      await bob.waitForNoText('Connected directly', 10_000);
      await bob.waitForText('Connected directly', 30_000);
      await send(alice, 'After the forged frame');
      await waitForMessage(bob, 'After the forged frame', 'received');
      const shown = await shownMessages(bob);
      assert.equal(shown.length, before + 1, 'nothing but the real message was added');
      assert.equal(await bannerKind(bob), null);
    });

    step('privacy canary: the text never reaches the server’s disk, logs or relayed frames', async () => {
      assert.ok(frames.length > 10, 'frames were captured');
      assert.ok(frames.some((f) => f.includes('"type":"signal"')), 'signalling was captured');
      const bytes = Buffer.from(canary);
      const leaks = frames.filter((f) => f.includes(canary));
      assert.deepEqual(leaks, [], 'not in any frame');
      const files = filesUnder(srv.dataDir);
      assert.ok(files.some((f) => f.file.endsWith('.sqlite')), 'the database is there');
      for (const f of files) assert.equal(f.bytes.includes(bytes), false, `not in ${f.file}`);
      const log = readFileSync(logFile);
      assert.ok(log.length > 0, 'the server logged something');
      assert.equal(log.includes(bytes), false, 'not in the logs');
    });

    step('a new key after pinning: warning, verified mark cleared, sending held until accepted', async () => {
      // Bob moves to a new browser: a new device, so a new identity key is published.
      await bob.close();
      await alice.waitForRole('button', 'bob, offline, verified', { timeoutMs: 15_000 });
      // The old direct channel may outlive the server connection; wait until it is gone too.
      const t0 = Date.now();
      await alice.waitForNoText('Connected directly', 60_000);
      console.log(`old channel noticed closed after ${Date.now() - t0} ms`);
      bob = await launchBrowser('chromium', { name: 'bob-new-browser' });
      await bob.goto(srv.url);
      // No device of bob's is left to approve the new browser: he starts over with a new key.
      await bob.fill('Username', 'bob');
      await bob.fill('Password', PASSWORD);
      await bob.click('Log in');
      await bob.click('I lost all my devices: start over with a new key', { timeoutMs: 15_000 });
      await bob.click('Start over with a new key');
      await bob.waitForText(/Signed in as\s+bob/, 15_000);
      await send(alice, 'Sent after the key change');
      await alice.waitForText('bob’s security key has changed.', 20_000);
      assert.equal(await bannerKind(alice), 'key-changed');
      await alice.waitForNoText('✓ Verified');
      await alice.waitForText('Not verified');
      // The refused session is final until the person decides (no redial after a key change):
      // the message waits, and bob never got it.
      await waitForMessage(alice, 'Sent after the key change', 'waiting');
      await alice.waitForRole('button', 'Accept new key');
      assert.equal((await storedTexts(bob, 'bob')).includes('Sent after the key change'), false, 'held back');
      await alice.screenshot(`${SHOTS}/key-change-warning.png`);
      // Comparing first shows the number for the new key.
      await alice.click('Compare safety numbers');
      await alice.waitForRole('dialog', 'Verify bob');
      await alice.waitForText('This is the safety number for the new key');
      await closeDialog(alice, 'bob');
      await alice.click('Accept new key');
      // bob's new browser starts with an empty history, so alice is no contact of his until he
      // opens her conversation: only then is her connection answered.
      await openConversation(bob, 'alice');
      await waitForMessage(alice, 'Sent after the key change', 'delivered', 30_000);
      assert.equal(await bannerKind(alice), null);
      await waitForMessage(bob, 'Sent after the key change', 'received');
    });
  });

  describe('Chromium and Firefox', () => {
    let srv: TestServer;
    let fox: BrowserUser;
    before(async () => {
      srv = await startTestServer();
      servers.push(srv);
      // At most two browsers at a time: Firefox takes Bob's place for this part.
      await bob.close();
      fox = await launchBrowser('firefox', { name: 'fox' });
    });
    after(async () => {
      await fox?.close();
      bob = await launchBrowser('chromium', { name: 'bob-again' });
    });

    step('libsodium runs in both engines: they chat sealed and agree on the safety number', async () => {
      await register(alice, srv.url, 'gina');
      await register(fox, srv.url, 'hank');
      await openConversation(alice, 'hank');
      await send(alice, 'Hello Firefox');
      await openConversation(fox, 'gina');
      await waitForMessage(fox, 'Hello Firefox', 'received', 30_000);
      await send(fox, 'Hello Chromium');
      await waitForMessage(alice, 'Hello Chromium', 'received');
      const a = await shownSafetyNumber(alice, 'hank');
      const f = await shownSafetyNumber(fox, 'gina');
      assert.equal(a, f);
      await fox.screenshot(`${SHOTS}/verify-dialog-firefox.png`);
      await closeDialog(alice, 'hank');
      await closeDialog(fox, 'gina');
    });
  });

  describe('hostile relay rewrites the DTLS fingerprints in the SDP', () => {
    let srv: TestServer;
    before(async () => {
      const rewriteSignal = (_from: string, _to: string, data: SignalData): SignalData => {
        if (data.type !== 'offer' && data.type !== 'answer') return data;
        // The fingerprint of a certificate the attacker would hold instead.
        const sdp = data.sdp.replace(/^(a=fingerprint:\S+ )([0-9A-Fa-f:]+)/gm, (_m, head: string, hex: string) => head + hex.replace(/[0-9A-Fa-f]/g, (c) => ((parseInt(c, 16) + 7) % 16).toString(16).toUpperCase()));
        return { ...data, sdp };
      };
      srv = await startTestServer({ testHooks: { rewriteSignal } });
      servers.push(srv);
    });

    step('the browsers refuse the session and say so; only the sealed first message arrives, never confirmed', async () => {
      await register(alice, srv.url, 'carol');
      await register(bob, srv.url, 'dave');
      await openConversation(bob, 'carol');
      await openConversation(alice, 'dave');
      await send(alice, 'sealed for dave only (fingerprints)');
      await alice.waitForText('Could not set up a secure session with dave.', 45_000);
      await alice.waitForRole('button', 'Retry');
      await alice.screenshot(`${SHOTS}/secure-session-error.png`);
      // No secure session ever came up with dave, so the first message also went as a message
      // request sealed to dave's account key (the relay cannot open it): dave has it once, and
      // alice sees it sent, never delivered (no receipt without a session).
      await waitForMessage(alice, 'sealed for dave only (fingerprints)', 'sent');
      await waitForMessage(bob, 'sealed for dave only (fingerprints)', 'received');
      assert.deepEqual(await storedTexts(bob, 'dave'), ['sealed for dave only (fingerprints)']);
      // Retry tries again (and fails again): nothing more arrives and nothing is confirmed.
      await alice.click('Retry');
      await alice.waitForText('Could not set up a secure session with dave.', 45_000);
      assert.deepEqual(await storedTexts(bob, 'dave'), ['sealed for dave only (fingerprints)']);
      await waitForMessage(alice, 'sealed for dave only (fingerprints)', 'sent');
    });
  });

  describe('hostile relay substitutes the published identity key', () => {
    let srv: TestServer;
    before(async () => {
      const fake = new Map<string, string>();
      const rewriteIdentityKey = (username: string, key: string | null): string | null => {
        if (!key) return key;
        let k = fake.get(username.toLowerCase());
        if (!k) fake.set(username.toLowerCase(), (k = encodePublicKey(generateIdentity().publicKey)));
        return k;
      };
      srv = await startTestServer({ testHooks: { rewriteIdentityKey } });
      servers.push(srv);
    });

    step('the handshake fails on both sides, the error shows, and nothing is delivered', async () => {
      await register(alice, srv.url, 'erin');
      await register(bob, srv.url, 'frank');
      await openConversation(bob, 'erin');
      await openConversation(alice, 'frank');
      await send(alice, 'must never arrive (identity)');
      await alice.waitForText('Could not set up a secure session with frank.', 30_000);
      await bob.waitForText('Could not set up a secure session with erin.', 30_000);
      // It also went as a message request, sealed to the key the relay handed out: frank cannot
      // open it (below, he stored nothing), and alice never sees it delivered.
      await waitForMessage(alice, 'must never arrive (identity)', 'sent');
      // Both sides refused the handshake (a final state, offered again only by Retry).
      await alice.waitForRole('button', 'Retry');
      await bob.waitForRole('button', 'Retry');
      assert.deepEqual(await storedTexts(bob, 'frank'), []);
      assert.deepEqual(await shownMessages(bob), []);
      // The substituted key was pinned as a first contact: no key-change warning, a hard refusal.
      assert.equal(await bannerKind(alice), 'session-failed');
    });
  });
});
