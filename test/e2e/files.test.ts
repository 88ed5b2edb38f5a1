// Files and images, end to end: two SEPARATE Chromium processes (alice 1280 wide, bob
// 360 wide) and a Firefox (carol), the real signal server, real data channels, OPFS and
// IndexedDB. Tests run in order and share the users.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/files.test.ts
// Screenshots go to /tmp/shots-files/.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { openConversation, register, send, waitForMessage, waitLinkReady, stepTracker, type TestServer } from './app-helpers';
import { b2sum256, clickInCard, hashInPage, opfsHas, sendVerified, pngFile, randomFile, shownCards, startFilePair, waitForCard, waitOpfsGone, waitPersisted, type FilePair } from './file-helpers';

const SHOTS = '/tmp/shots-files';
const MiB = 1024 * 1024;

function debugCounters(user: BrowserUser): Promise<{ chunksReceived: number; resumedFrom: Record<string, number> }> {
  return user.evaluate(() => {
    const d = (window as unknown as { peerchatTransfers: { chunksReceived: number; resumedFrom: Record<string, number> } }).peerchatTransfers;
    return { chunksReceived: d.chunksReceived, resumedFrom: { ...d.resumedFrom } };
  });
}

describe('files and images', { timeout: 600_000 }, () => {
  let pair: FilePair;
  let srv: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let dir: string;
  const steps = stepTracker(test);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    pair = await startFilePair('files');
    ({ srv, alice, bob, dir } = pair);
  });

  after(async () => {
    await pair?.dispose(steps.failed);
    await closeAllBrowsers();
  });

  const { step } = steps;

  step('an image is accepted automatically and shows inline on both sides', async () => {
    const png = pngFile(path.join(dir, 'sunset.png'), 640, 400);
    await alice.setFiles('Attach file', [png]);
    const a = await waitForCard(alice, 'sunset.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    const b = await waitForCard(bob, 'sunset.png', (c) => c.state === 'done' && (c.imageWidth ?? 0) > 0, 20_000, 'done with image');
    assert.equal(a.imageWidth, 640);
    assert.equal(b.imageWidth, 640);
    assert.equal(b.hash, b2sum256(png));
    assert.equal(a.hash, b.hash);
    assert.match(b.text, /Verified ✓/);
    await alice.screenshot(path.join(SHOTS, 'image-1280.png'));
    await bob.screenshot(path.join(SHOTS, 'image-360.png'));
  });

  step('a 50 MiB file arrives with matching hashes, and chat keeps flowing meanwhile', async () => {
    const file = randomFile(path.join(dir, 'big-50.bin'), 50 * MiB);
    const want = b2sum256(file);
    await alice.setFiles('Attach file', [file]);
    await waitForCard(bob, 'big-50.bin', (c) => c.state === 'offered', 15_000, 'offered');
    await bob.screenshot(path.join(SHOTS, 'offer-360.png'));
    await alice.screenshot(path.join(SHOTS, 'waiting-1280.png'));
    const t0 = Date.now();
    await clickInCard(bob, 'big-50.bin', 'Accept');
    await waitForCard(bob, 'big-50.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 10, 20_000, 'running ≥ 10 %');
    await send(alice, 'still chatting during the transfer');
    const c0 = Date.now();
    await waitForMessage(bob, 'still chatting during the transfer', undefined, 5_000);
    const chatMs = Date.now() - c0;
    const mid = (await shownCards(alice)).find((c) => c.name === 'big-50.bin');
    if (mid?.state === 'running') await alice.screenshot(path.join(SHOTS, 'progress-1280.png'));
    const bm = (await shownCards(bob)).find((c) => c.name === 'big-50.bin');
    if (bm?.state === 'running') await bob.screenshot(path.join(SHOTS, 'progress-360.png'));
    const b = await waitForCard(bob, 'big-50.bin', (c) => c.state === 'done', 120_000, 'done');
    const seconds = (Date.now() - t0) / 1000;
    const a = await waitForCard(alice, 'big-50.bin', (c) => c.state === 'done', 10_000, 'done');
    assert.equal(b.hash, want, 'receiver shows the right hash');
    assert.equal(a.hash, want, 'sender shows the right hash');
    assert.equal(await hashInPage(bob, b.id), want, 'the bytes in OPFS hash to the same');
    console.log(`# 50 MiB: ${seconds.toFixed(1)} s accept→verified, ${(50 * 1.048576 / seconds).toFixed(1)} MB/s; chat message during transfer arrived in ${chatMs} ms`);
    await alice.screenshot(path.join(SHOTS, 'verified-1280.png'));
    await bob.screenshot(path.join(SHOTS, 'verified-360.png'));
  });

  step('the receiver reloads mid-transfer and the transfer resumes without starting over', async () => {
    const file = randomFile(path.join(dir, 'resume-60.bin'), 60 * MiB);
    const want = b2sum256(file);
    const chunks = (60 * MiB) / (64 * 1024);
    await alice.setFiles('Attach file', [file]);
    await waitForCard(bob, 'resume-60.bin', (c) => c.state === 'offered', 15_000, 'offered');
    await clickInCard(bob, 'resume-60.bin', 'Accept');
    const at = await waitForCard(bob, 'resume-60.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 30, 30_000, 'running ≥ 30 %');
    await waitPersisted(bob, at.id); // a snapshot of verified chunks is in IndexedDB (first 200 ms in, then once a second)
    await bob.reload();
    assert.ok((at.pct ?? 0) < 100);
    await bob.waitForText(/Signed in as\s+bob/, 15_000);
    await openConversation(bob, 'alice');
    const tr = Date.now();
    const b = await waitForCard(bob, 'resume-60.bin', (c) => c.state === 'done', 120_000, 'done after resume');
    console.log(`# resume: reload → verified in ${((Date.now() - tr) / 1000).toFixed(1)} s`);
    const a = await waitForCard(alice, 'resume-60.bin', (c) => c.state === 'done', 10_000, 'done');
    const counters = await debugCounters(bob);
    const resumedFrom = counters.resumedFrom[b.id] ?? 0;
    console.log(`# resume: reloaded at ≥ ${at.pct} %, ${resumedFrom} of ${chunks} chunks kept, ${counters.chunksReceived} received after the reload`);
    assert.ok(resumedFrom > 0, 'chunks from before the reload were kept');
    assert.ok(counters.chunksReceived < chunks, `did not start over: ${counters.chunksReceived} of ${chunks} chunks after the reload`);
    assert.equal(counters.chunksReceived + resumedFrom, chunks, 'exactly the missing chunks were sent');
    assert.equal(b.hash, want);
    assert.equal(a.hash, want);
    assert.equal(await hashInPage(bob, b.id), want);
  });

  step('cancel works from either side and deletes the partial file', async () => {
    await waitLinkReady(alice);
    await waitLinkReady(bob);
    const one = randomFile(path.join(dir, 'cancel-by-sender.bin'), 80 * MiB);
    await alice.setFiles('Attach file', [one]);
    await waitForCard(bob, 'cancel-by-sender.bin', (c) => c.state === 'offered', 15_000, 'offered');
    await clickInCard(bob, 'cancel-by-sender.bin', 'Accept');
    const b1 = await waitForCard(bob, 'cancel-by-sender.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 5, 20_000, 'running');
    await clickInCard(alice, 'cancel-by-sender.bin', 'Cancel');
    await waitForCard(alice, 'cancel-by-sender.bin', (c) => c.state === 'cancelled' && /Cancelled by you/.test(c.text), 10_000, 'cancelled');
    await waitForCard(bob, 'cancel-by-sender.bin', (c) => c.state === 'cancelled' && /Cancelled by alice/.test(c.text), 10_000, 'cancelled');
    await waitOpfsGone(bob, b1.id);

    const two = randomFile(path.join(dir, 'cancel-by-receiver.bin'), 80 * MiB);
    await alice.setFiles('Attach file', [two]);
    await waitForCard(bob, 'cancel-by-receiver.bin', (c) => c.state === 'offered', 15_000, 'offered');
    await clickInCard(bob, 'cancel-by-receiver.bin', 'Accept');
    const b2 = await waitForCard(bob, 'cancel-by-receiver.bin', (c) => c.state === 'running' && (c.pct ?? 0) >= 5, 20_000, 'running');
    assert.ok(await opfsHas(bob, b2.id), 'the partial file exists while running');
    await clickInCard(bob, 'cancel-by-receiver.bin', 'Cancel');
    await waitForCard(bob, 'cancel-by-receiver.bin', (c) => c.state === 'cancelled' && /Cancelled by you/.test(c.text), 10_000, 'cancelled');
    await waitForCard(alice, 'cancel-by-receiver.bin', (c) => c.state === 'cancelled' && /Cancelled by bob/.test(c.text), 10_000, 'cancelled');
    assert.equal(await opfsHas(bob, b2.id), false, 'the partial file was deleted');
    // Chat still works afterwards.
    await send(bob, 'after the cancels');
    await waitForMessage(alice, 'after the cancels', undefined, 10_000);
  });

  step('a file goes Chromium → Firefox and Firefox → Chromium with matching hashes', async () => {
    const carol = await launchBrowser('firefox', { name: 'carol' });
    try {
      await register(carol, srv.url, 'carol');
      await openConversation(alice, 'carol');
      await openConversation(carol, 'alice');
      await waitLinkReady(alice);
      await waitLinkReady(carol);

      const toFx = await sendVerified(alice, carol, randomFile(path.join(dir, 'to-firefox.bin'), 12 * MiB + 12345));
      console.log(`# Chromium → Firefox 12 MiB: ${toFx.toFixed(1)} MB/s`);
      const fromFx = await sendVerified(carol, alice, randomFile(path.join(dir, 'from-firefox.bin'), 12 * MiB + 777));
      console.log(`# Firefox → Chromium 12 MiB: ${fromFx.toFixed(1)} MB/s`);
    } catch (err) {
      await dumpDiagnostics([carol], 'files-firefox');
      throw err;
    }
  });
});
