// Encrypted backup and restore in real browser processes against the real server: alice
// (Chromium) talks with bob (Firefox), marks him verified and makes a backup in Settings; her
// browser is then gone. In a NEW browser profile, in Firefox, she logs in, starts over with a new
// key and restores the file: a wrong passphrase writes nothing (checked in IndexedDB) and says so;
// the right one brings back the same history, and bob is still marked verified. bob makes a
// backup in Firefox too; the test opens it with the passphrase (shared/backup, as the app does)
// and finds his history and his verified mark in it.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test test/e2e/backup.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openBackup, decodeBackupRecords } from '../../shared/backup/index';
import { ready } from '../../shared/crypto/index';
import { PASSWORD, contactLabel, openConversation, register, send, shownMessages, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';

const PASSPHRASE = 'seven blue horses at dawn';
const FROM_ALICE = 'Please keep this: the meeting moved to Friday';
const FROM_BOB = '好的，周五见';

function messageCount(): Promise<number> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('peerchat-alice');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('messages').objectStore('messages').count();
      req.onsuccess = () => (open.result.close(), resolve(req.result));
      req.onerror = () => reject(req.error);
    };
  });
}

/** Waits until `who`'s row in the contact list says they are verified (not "not verified"). */
async function waitVerified(user: BrowserUser, who = 'bob'): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await contactLabel(user, who);
    if (last && /(^|, )verified/.test(last)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${who}'s row never said verified (last: ${last})`);
}

describe('backup and restore into a new browser profile', { timeout: 240_000 }, () => {
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let aliceNew: BrowserUser;
  let dir: string;
  let file: string;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-backup-'));
    file = path.join(dir, 'alice.peerchat-backup');
    srv = await startTestServer();
    [alice, bob] = await Promise.all([launchBrowser('chromium', { name: 'alice' }), launchBrowser('firefox', { name: 'bob' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob, aliceNew].filter(Boolean), 'backup');
    await closeAllBrowsers();
    await srv?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('alice and bob talk; alice marks bob verified and saves a backup', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await openConversation(alice, 'bob');
    await send(alice, FROM_ALICE);
    await openConversation(bob, 'alice');
    await waitForMessage(bob, FROM_ALICE);
    await send(bob, FROM_BOB);
    await waitForMessage(alice, FROM_BOB, 'received', 20_000);
    await alice.evaluate(() => (document.querySelector('pc-app') as unknown as { service: { setVerified(n: string, v: boolean): Promise<void> } }).service.setVerified('bob', true));
    await waitVerified(alice);

    if (alice.raw.kind !== 'chromium') throw new Error('chromium expected');
    const page = alice.raw.page;
    await alice.evaluate(() => void delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker);
    await alice.click('Settings');
    await alice.fill('Passphrase for the backup (at least 10 characters)', PASSPHRASE);
    const download = page.waitForEvent('download');
    await alice.click('Make a backup');
    const d = await download;
    await d.saveAs(file);
    assert.match(d.suggestedFilename(), /^Peerchat-backup-alice-.*\.peerchat-backup$/);
    await alice.waitForText('Backup saved.');
    await alice.close();
  });

  step('Firefox makes a backup that opens with its passphrase and holds the history and the verified mark', async () => {
    await bob.evaluate(() => (document.querySelector('pc-app') as unknown as { service: { setVerified(n: string, v: boolean): Promise<void> } }).service.setVerified('alice', true));
    await waitVerified(bob, 'alice');
    // The app saves with a download link to a Blob; the test keeps the Blob it was given.
    await bob.evaluate(() => {
      const w = window as unknown as { keptBlobs: Blob[] };
      w.keptBlobs = [];
      const original = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (b: Blob | MediaSource) => {
        if (b instanceof Blob) w.keptBlobs.push(b);
        return original(b);
      };
    });
    await bob.click('Settings');
    await bob.fill('Passphrase for the backup (at least 10 characters)', PASSPHRASE);
    await bob.click('Make a backup');
    await bob.waitForText('Backup saved.', 60_000);
    const b64 = await bob.evaluate(async () => {
      const blobs = (window as unknown as { keptBlobs: Blob[] }).keptBlobs;
      const bytes = new Uint8Array(await blobs[blobs.length - 1]!.arrayBuffer());
      let bin = '';
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(bin);
    });
    const bobFile = path.join(dir, 'bob.peerchat-backup');
    writeFileSync(bobFile, Buffer.from(b64, 'base64'));
    await ready();
    const opened = await openBackup([new Uint8Array(readFileSync(bobFile))], PASSPHRASE);
    const texts: string[] = [];
    let aliceVerified = false;
    for await (const r of decodeBackupRecords(opened.plaintext)) {
      if (r.t === 'message') texts.push(r.text);
      if (r.t === 'contact' && r.conv === 'alice') aliceVerified = r.verified === true;
    }
    assert.deepEqual(texts.sort(), [FROM_ALICE, FROM_BOB].sort());
    assert.equal(aliceVerified, true, 'alice is verified in bob\'s backup');
  });

  step('a new browser profile: a wrong passphrase writes nothing and says so', async () => {
    aliceNew = await launchBrowser('firefox', { name: 'alice-new' });
    await aliceNew.goto(srv.url);
    await aliceNew.fill('Username', 'alice');
    await aliceNew.fill('Password', PASSWORD);
    await aliceNew.click('Log in');
    await aliceNew.click('I lost all my devices: start over with a new key', { timeoutMs: 20_000 });
    await aliceNew.click('Start over with a new key');
    await aliceNew.waitForText('Signed in as alice', 30_000);
    await aliceNew.click('Settings');
    await aliceNew.setFiles('Backup file', [file]);
    await aliceNew.fill('Passphrase of the backup', 'not the right passphrase');
    await aliceNew.click('Restore');
    await aliceNew.waitForText('That passphrase does not open this backup. Check it and try again.', 60_000);
    assert.equal(await aliceNew.evaluate(messageCount), 0);
  });

  step('the right passphrase restores the same history, and bob is still verified', async () => {
    await aliceNew.fill('Passphrase of the backup', PASSPHRASE);
    await aliceNew.click('Restore');
    await aliceNew.waitForText('Restored 2 messages. Reloading…', 60_000);
    await aliceNew.waitForText('Signed in as alice', 30_000);
    assert.equal(await aliceNew.evaluate(messageCount), 2);
    await waitVerified(aliceNew);
    await openConversation(aliceNew, 'bob');
    await waitForMessage(aliceNew, FROM_BOB);
    const texts = (await shownMessages(aliceNew)).map((m) => m.text);
    assert.ok(texts.includes(FROM_ALICE) && texts.includes(FROM_BOB), texts.join(' | '));
  });
});
