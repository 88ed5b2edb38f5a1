// One account on two browsers (alice in Chromium and alice in Firefox) and a contact (bob in
// Chromium), three browser processes against the real server over real WebRTC:
// - bob, who talked with alice before, sees a quiet line "alice added a device: Firefox on Linux";
// - bob's message appears on both of alice's devices;
// - what alice sends from one device appears on her other device, as sent by her;
// - a message bob sent while one of alice's devices was away reaches that device from bob
//   (it is owed per device), even with her other device gone;
// - alice's device that was away catches up from her other device while bob is offline, an
//   image bob sent meanwhile included: a thumbnail card "Kept on your other device";
// - a 20 MiB file from "Your devices" in Chromium arrives in Firefox with the same hash.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/devices.test.ts

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, shownMessages, startTestServer, stepTracker, waitForMessage, waitLinkReady, type TestServer } from './app-helpers';
import { pngFile, randomFile, sendVerified, shownCards, waitForCard } from './file-helpers';
import { waitInPage } from './page-queries';

const MiB = 1024 * 1024;
const YOUR_DEVICES = 'Your devices';

/** The 6-digit code shown in a "Code" group (the pending screen or the approve dialog). */
async function shownCode(user: BrowserUser): Promise<string> {
  const code = await waitInPage(
    user,
    (q) => {
      const t = q.queryAll([{ role: 'group', name: 'Code' }]).map((el) => q.renderedText(el).replace(/\s/g, ''))[0] ?? '';
      return /^\d{6}$/.test(t) ? t : null;
    },
    undefined,
    20_000,
    'a linking code',
  );
  return code ?? '';
}

describe('one account, several devices', { timeout: 420_000 }, () => {
  let srv: TestServer;
  let aliceC: BrowserUser;
  let aliceF: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pc-devices-'));
    srv = await startTestServer();
    [aliceC, aliceF, bob] = await Promise.all([
      launchBrowser('chromium', { name: 'alice-chromium' }),
      launchBrowser('firefox', { name: 'alice-firefox' }),
      launchBrowser('chromium', { name: 'bob' }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([aliceC, aliceF, bob].filter((u): u is BrowserUser => !!u), 'devices');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  step('alice links Firefox to her account (same code on both screens, The codes match, Approve)', async () => {
    await register(aliceC, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    // bob and alice talk before she has a second device (bob keeps her device list from then).
    await openConversation(bob, 'alice');
    await send(bob, 'Before Firefox');
    await openConversation(aliceC, 'bob');
    await waitForMessage(aliceC, 'Before Firefox', 'received', 20_000);
    await aliceF.goto(srv.url);
    await aliceF.fill('Username', 'alice');
    await aliceF.fill('Password', PASSWORD);
    await aliceF.click('Log in');
    await aliceC.waitForRole('dialog', 'New device: Firefox on Linux wants to join', { timeoutMs: 20_000 });
    const [codeN, codeE] = await Promise.all([shownCode(aliceF), shownCode(aliceC)]);
    assert.equal(codeN, codeE);
    await aliceF.click('The codes match');
    await aliceC.click('Approve');
    await aliceF.waitForText(/Signed in as\s+alice/, 30_000);
    // Each of alice's devices shows the other in "Your devices", linked directly.
    for (const a of [aliceC, aliceF]) {
      await openConversation(a, YOUR_DEVICES, 30_000);
      await waitLinkReady(a, 30_000);
    }
  });

  step("bob sees a quiet line, not a warning: alice added a device", async () => {
    await bob.waitForText('alice added a device: Firefox on Linux', 20_000);
    await bob.waitForNoText(/security key has changed/i, 1000);
  });

  step("bob's message appears on both of alice's devices", async () => {
    await openConversation(bob, 'alice');
    await send(bob, 'Hello to every alice');
    await openConversation(aliceC, 'bob');
    await openConversation(aliceF, 'bob');
    await waitForMessage(aliceC, 'Hello to every alice', 'received', 20_000);
    await waitForMessage(aliceF, 'Hello to every alice', 'received', 20_000);
    await waitForMessage(bob, 'Hello to every alice', 'delivered', 20_000);
  });

  step('what alice sends from Chromium appears on Firefox, as sent by her', async () => {
    await send(aliceC, 'Sent from Chromium');
    await waitForMessage(bob, 'Sent from Chromium', 'received', 20_000);
    await waitForMessage(aliceF, 'Sent from Chromium', undefined, 20_000);
    const copy = (await shownMessages(aliceF)).find((m) => m.text === 'Sent from Chromium');
    assert.equal(copy?.outgoing, true, 'shown as sent by alice');
    assert.equal(copy?.from, 'You');
  });

  step("a message bob sent while alice's Firefox was away reaches it from bob, her Chromium gone meanwhile", async () => {
    await aliceF.goto('about:blank');
    await waitInPage(aliceC, (q) => q.queryAll([{ role: 'button', name: { re: '^Your devices, offline' } }]).length === 1, undefined, 20_000, 'Firefox offline');
    await openConversation(aliceC, 'bob');
    await send(bob, 'Owed to Firefox');
    await waitForMessage(aliceC, 'Owed to Firefox', 'received', 20_000);
    await waitForMessage(bob, 'Owed to Firefox', 'delivered', 20_000);
    // Chromium goes away before Firefox is back: only bob can give Firefox the message.
    await aliceC.goto('about:blank');
    await aliceF.goto(srv.url);
    await aliceF.waitForText(/Signed in as\s+alice/, 20_000);
    await openConversation(aliceF, 'bob');
    await waitForMessage(aliceF, 'Owed to Firefox', 'received', 30_000);
    await aliceC.goto(srv.url);
    await aliceC.waitForText(/Signed in as\s+alice/, 20_000);
    await openConversation(aliceC, YOUR_DEVICES);
    await waitLinkReady(aliceC, 30_000);
    await openConversation(aliceC, 'bob');
  });

  step("alice's Firefox, away meanwhile, catches up from Chromium while bob is offline", async () => {
    // Firefox leaves (its page goes away: offline for the server and for Chromium).
    await aliceF.goto('about:blank');
    await waitInPage(aliceC, (q) => q.queryAll([{ role: 'button', name: { re: '^Your devices, offline' } }]).length === 1, undefined, 20_000, 'Firefox offline');
    await send(bob, 'While Firefox was away');
    await waitForMessage(aliceC, 'While Firefox was away', 'received', 20_000);
    await send(aliceC, 'Answered from Chromium');
    await waitForMessage(bob, 'Answered from Chromium', 'received', 20_000);
    await bob.setFiles('Attach file', [pngFile(path.join(dir, 'away.png'), 320, 200)]);
    await waitForCard(aliceC, 'away.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    await waitForCard(bob, 'away.png', (c) => c.state === 'done', 20_000, 'done');
    await bob.close();
    // Firefox comes back; only Chromium can tell it what happened.
    await aliceF.goto(srv.url);
    await aliceF.waitForText(/Signed in as\s+alice/, 20_000);
    await openConversation(aliceF, 'bob');
    await waitForMessage(aliceF, 'While Firefox was away', 'received', 30_000);
    await waitForMessage(aliceF, 'Answered from Chromium', undefined, 30_000);
    // The image comes across as its card without its bytes: the preview, no Save.
    const card = await waitForCard(aliceF, 'away.png', (c) => c.text.includes('Kept on your other device'), 30_000, 'kept on the other device');
    assert.equal(card.state, '');
    await waitInPage(
      aliceF,
      (q) => q.queryAll([{ role: 'img', name: 'Preview of away.png' }]).some((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0),
      undefined,
      10_000,
      'thumbnail shown',
    );
    assert.ok(!(await shownCards(aliceF)).some((c) => c.name === 'away.png' && c.text.includes('Save')));
  });

  step('a 20 MiB file from "Your devices" in Chromium arrives in Firefox with the same hash', async () => {
    await openConversation(aliceC, YOUR_DEVICES);
    await openConversation(aliceF, YOUR_DEVICES);
    await waitLinkReady(aliceC, 30_000);
    await waitLinkReady(aliceF, 30_000);
    const rate = await sendVerified(aliceC, aliceF, randomFile(path.join(dir, 'to-my-firefox.bin'), 20 * MiB + 4321));
    console.log(`# Your devices, Chromium → Firefox 20 MiB: ${rate.toFixed(1)} MB/s`);
  });
});
