// Scanning the other device's safety-number QR code in the Verify dialog, in real Chromium.
// Alice's camera is Chromium's fake capture device playing a Y4M file this test writes: first a
// picture without a code, then a QR code of a wrong safety number, then bob's real one (Chromium
// opens the file again for every capture, so rewriting it changes what the next scan sees).
// Bob's Chromium has no camera at all. Also: scanning from a photo (a PNG of the code).
//
// Run: npx vite build --config web/vite.config.ts && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/verify-scan.test.ts
// Screenshots go to /tmp/shots-verify-scan/.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import QRCode from 'qrcode';
import { SAFETY_QR_PREFIX } from '../../shared/crypto/index';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { login, openConversation, register, send, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';
import { qrGray, toY4m } from '../unit/support/qr-image';

const SHOTS = '/tmp/shots-verify-scan';
mkdirSync(SHOTS, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'peerchat-verify-scan-'));
const cameraFile = path.join(work, 'camera.y4m');
const CAMERA = { width: 640, height: 480 };

/** Makes alice's fake camera show `payload` as a QR code from the next capture on (null: no code). */
function showOnCamera(payload: string | null): void {
  const image = payload ? qrGray(payload, { scale: 8, ...CAMERA }) : { ...CAMERA, gray: new Uint8Array(CAMERA.width * CAMERA.height).fill(200) };
  writeFileSync(cameraFile, toY4m(image));
}

const wrongNumber = Array.from({ length: 60 }, () => randomInt(10)).join('');

/** State of the open Verify dialog as the person sees it (through its shadow roots). */
function verifyState(user: BrowserUser) {
  return user.evaluate(() => {
    const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
    const dialog = conv?.querySelector('pc-verify-dialog')?.shadowRoot;
    const scanner = dialog?.querySelector('pc-safety-scanner')?.shadowRoot;
    return {
      number: dialog?.querySelector('[data-safety-number]')?.getAttribute('data-safety-number') ?? null,
      verified: dialog?.querySelector<HTMLInputElement>('#verified')?.checked ?? null,
      scan: scanner?.querySelector('[data-scan]')?.getAttribute('data-scan') ?? null,
      video: !!scanner?.querySelector('video'),
    };
  });
}

/** Records every camera stream the page opens, so the test can check they were all stopped. */
function recordCameraStreams(user: BrowserUser): Promise<void> {
  return user.evaluate(() => {
    const w = window as unknown as { cameraStreams?: MediaStream[] };
    if (w.cameraStreams) return;
    w.cameraStreams = [];
    const media = navigator.mediaDevices;
    const original = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      w.cameraStreams!.push(stream);
      return stream;
    };
  });
}

/** [streams opened, tracks still live]. */
function cameraUse(user: BrowserUser): Promise<[number, number]> {
  return user.evaluate(() => {
    const streams = (window as unknown as { cameraStreams?: MediaStream[] }).cameraStreams ?? [];
    const live = streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length;
    return [streams.length, live] as [number, number];
  });
}

/** Light or dark colour scheme, for the screenshots. */
async function dark(user: BrowserUser, on: boolean): Promise<void> {
  if (user.raw.kind === 'chromium') await user.raw.page.emulateMedia({ colorScheme: on ? 'dark' : 'light' });
}

async function openVerify(user: BrowserUser, peer: string): Promise<void> {
  await user.click('Verify');
  await user.waitForRole('dialog', `Verify ${peer}`);
  await user.waitFor(() => {
    const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
    return !!conv?.querySelector('pc-verify-dialog')?.shadowRoot?.querySelector('[data-safety-number]');
  });
}

async function closeVerify(user: BrowserUser, peer: string): Promise<void> {
  await user.press('Escape');
  await user.waitForRole('dialog', `Verify ${peer}`, { hidden: true });
}

describe('scanning the safety-number QR code', { timeout: 240_000 }, () => {
  let alice: BrowserUser;
  let bob: BrowserUser;
  let srv: TestServer;
  let bobsNumber = '';
  const steps = stepTracker(test);
  const { step } = steps;

  before(async () => {
    showOnCamera(null);
    srv = await startTestServer();
    [alice, bob] = await Promise.all([
      launchBrowser('chromium', {
        name: 'alice',
        chromiumArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${cameraFile}`],
      }),
      launchBrowser('chromium', { name: 'bob', viewport: { width: 360, height: 740 } }),
    ]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([alice, bob].filter(Boolean), 'verify-scan');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  step('alice and bob chat; bob’s Verify dialog shows the number and its code', async () => {
    await register(alice, srv.url, 'alice');
    await register(bob, srv.url, 'bob');
    await openConversation(alice, 'bob');
    await send(alice, 'Shall we verify?');
    await openConversation(bob, 'alice');
    await waitForMessage(bob, 'Shall we verify?', 'received', 30_000);
    await openVerify(bob, 'alice');
    await bob.waitForRole('img', 'QR code of the safety number');
    bobsNumber = (await verifyState(bob)).number ?? '';
    assert.match(bobsNumber, /^[0-9]{60}$/);
    assert.notEqual(bobsNumber, wrongNumber);
  });

  step('without a camera, scanning says so in a sentence and the numbers stay there to compare', async () => {
    await bob.click('Scan their code');
    await bob.waitForText('No camera is available here.');
    assert.equal((await verifyState(bob)).number, bobsNumber);
    await bob.screenshot(`${SHOTS}/phone-no-camera.png`);
    await closeVerify(bob, 'alice');
  });

  step('a photo of another safety number’s code warns and does not verify', async () => {
    await openVerify(bob, 'alice');
    const photo = path.join(work, 'wrong.png');
    await QRCode.toFile(photo, SAFETY_QR_PREFIX + wrongNumber, { errorCorrectionLevel: 'M' });
    const link = path.join(work, 'link.png');
    await QRCode.toFile(link, 'https://example.com/');
    await bob.setFiles('Scan from a photo', [link]);
    await bob.waitForText('That QR code is not a Peerchat safety number.');
    await bob.setFiles('Scan from a photo', [photo]);
    await bob.waitForText('The codes do not match.');
    const state = await verifyState(bob);
    assert.equal(state.scan, 'mismatch');
    assert.equal(state.verified, false);
    await bob.screenshot(`${SHOTS}/phone-mismatch.png`);
    await dark(bob, true);
    await bob.screenshot(`${SHOTS}/phone-mismatch-dark.png`);
    await dark(bob, false);
    await closeVerify(bob, 'alice');
    await bob.waitForNoText('✓ Verified');
  });

  step('the camera opens only on "Scan their code" and closes with the dialog (Esc)', async () => {
    await openVerify(alice, 'bob');
    assert.equal((await verifyState(alice)).number, bobsNumber, 'both devices show the same number');
    await recordCameraStreams(alice);
    assert.deepEqual(await cameraUse(alice), [0, 0], 'opening the dialog does not open the camera');
    await alice.click('Scan their code');
    await alice.waitForRole('button', 'Stop scanning');
    await alice.waitFor(() => {
      const streams = (window as unknown as { cameraStreams?: MediaStream[] }).cameraStreams ?? [];
      return streams.length === 1;
    });
    assert.deepEqual(await cameraUse(alice), [1, 1], 'scanning, camera on');
    await alice.screenshot(`${SHOTS}/wide-scanning.png`);
    await closeVerify(alice, 'bob');
    assert.deepEqual(await cameraUse(alice), [1, 0], 'closing the dialog stopped the camera');
  });

  step('a code of another safety number warns, does not verify, and turns the camera off', async () => {
    showOnCamera(SAFETY_QR_PREFIX + wrongNumber);
    await openVerify(alice, 'bob');
    await alice.click('Scan their code');
    await alice.waitForText('The codes do not match.', 20_000);
    const state = await verifyState(alice);
    assert.equal(state.scan, 'mismatch');
    assert.equal(state.verified, false);
    assert.equal(state.video, false);
    assert.deepEqual(await cameraUse(alice), [2, 0]);
    await alice.screenshot(`${SHOTS}/wide-mismatch.png`);
    await dark(alice, true);
    await alice.screenshot(`${SHOTS}/wide-mismatch-dark.png`);
    await dark(alice, false);
    await closeVerify(alice, 'bob');
    await alice.waitForNoText('✓ Verified');
  });

  step('a photo without a code says so; a photo of bob’s code marks bob verified', async () => {
    await openVerify(alice, 'bob');
    const blank = path.join(work, 'blank.png');
    await QRCode.toFile(blank, 'x', { color: { dark: '#ffffff', light: '#ffffff' } });
    await alice.setFiles('Scan from a photo', [blank]);
    await alice.waitForText('No QR code was found in that picture.');
    const photo = path.join(work, 'bob.png');
    await QRCode.toFile(photo, SAFETY_QR_PREFIX + bobsNumber, { errorCorrectionLevel: 'M' });
    await alice.setFiles('Scan from a photo', [photo]);
    await alice.waitForText('The codes match.');
    await alice.waitFor(() => {
      const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
      return conv?.querySelector('pc-verify-dialog')?.shadowRoot?.querySelector<HTMLInputElement>('#verified')?.checked === true;
    });
    await closeVerify(alice, 'bob');
    await alice.waitForText('✓ Verified');
  });

  step('scanning bob’s real code with the camera marks bob verified', async () => {
    await openVerify(alice, 'bob');
    await alice.click('Mark as verified', { role: 'switch' });
    await closeVerify(alice, 'bob');
    await alice.waitForNoText('✓ Verified');
    showOnCamera(SAFETY_QR_PREFIX + bobsNumber);
    await openVerify(alice, 'bob');
    await alice.click('Scan their code');
    await alice.waitForText('The codes match.', 20_000);
    await alice.waitFor(() => {
      const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
      return conv?.querySelector('pc-verify-dialog')?.shadowRoot?.querySelector<HTMLInputElement>('#verified')?.checked === true;
    });
    assert.deepEqual(await cameraUse(alice), [3, 0], 'the camera is off once the code is read');
    await alice.screenshot(`${SHOTS}/wide-match.png`);
    await dark(alice, true);
    await alice.screenshot(`${SHOTS}/wide-match-dark.png`);
    await dark(alice, false);
    await closeVerify(alice, 'bob');
    await alice.waitForText('✓ Verified');
  });

  step('on the phone, a photo of alice’s code (the same number) marks alice verified', async () => {
    await openVerify(bob, 'alice');
    await bob.setFiles('Scan from a photo', [path.join(work, 'bob.png')]);
    await bob.waitForText('The codes match.');
    await bob.waitFor(() => {
      const conv = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot;
      return conv?.querySelector('pc-verify-dialog')?.shadowRoot?.querySelector<HTMLInputElement>('#verified')?.checked === true;
    });
    await bob.screenshot(`${SHOTS}/phone-match.png`);
    await dark(bob, true);
    await bob.screenshot(`${SHOTS}/phone-match-dark.png`);
    await dark(bob, false);
    await closeVerify(bob, 'alice');
    await bob.waitForText('✓ Verified');
  });

  step('after a key change, scanning the new key’s matching code accepts it and marks it verified', async () => {
    // Bob moves to a new browser: a new identity key, so alice's app holds it as pending.
    await bob.close();
    await alice.waitForNoText('Connected directly', 60_000);
    bob = await launchBrowser('chromium', { name: 'bob-new-browser', viewport: { width: 360, height: 740 } });
    await bob.goto(srv.url);
    await login(bob, 'bob');
    await send(alice, 'Sent after the key change');
    await alice.waitForText('bob’s security key has changed.', 20_000);
    await alice.waitForNoText('✓ Verified');
    await openConversation(bob, 'alice');
    await openVerify(bob, 'alice');
    const newNumber = (await verifyState(bob)).number ?? '';
    assert.match(newNumber, /^[0-9]{60}$/);
    assert.notEqual(newNumber, bobsNumber);
    await openVerify(alice, 'bob');
    await alice.waitForText('This is the safety number for the new key');
    assert.equal((await verifyState(alice)).number, newNumber);
    const photo = path.join(work, 'bob-new.png');
    await QRCode.toFile(photo, SAFETY_QR_PREFIX + newNumber, { errorCorrectionLevel: 'M' });
    await alice.setFiles('Scan from a photo', [photo]);
    await alice.waitForText('The codes match.');
    await alice.waitForNoText('This is the safety number for the new key');
    await closeVerify(alice, 'bob');
    await alice.waitForText('✓ Verified');
    await waitForMessage(alice, 'Sent after the key change', 'delivered', 30_000);
  });
});
