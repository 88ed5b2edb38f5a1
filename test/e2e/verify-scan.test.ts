// Scanning the other device's safety-number QR code in the Verify dialog, in real Chromium.
// Alice's camera is Chromium's fake capture device playing a Y4M file this test writes: first a
// picture without a code, then a QR code of a wrong safety number, then bob's real one (Chromium
// opens the file again for every capture, so rewriting it changes what the next scan sees).
// Bob's Chromium has no camera at all. Also: scanning from a photo (a PNG of the code).
// Everything is found as a person finds it (test/e2e/page-queries.ts): the dialog by its role and
// name, then inside it the "Safety number" group, the "Mark as verified" switch and its state,
// the scan buttons, the alerts and statuses the scanner announces, and the "Camera view".
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/verify-scan.test.ts
// Screenshots go to /tmp/shots-verify-scan/.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import QRCode from 'qrcode';
import { SAFETY_QR_PREFIX } from '../../shared/crypto/index';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser, type Step } from './browsers';
import { PASSWORD, openConversation, register, send, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';
import { inPage, pattern, waitInPage } from './page-queries';
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

/** The Verify dialog with `peer`, found by its role and accessible name (its heading). */
const dialogWith = (peer: string): Step => ({ role: 'dialog', name: `Verify ${peer}` });
const SWITCH: Step = { role: 'switch', name: 'Mark as verified' };

/** The open Verify dialog as a person (or a screen reader) perceives it. */
interface VerifyView {
  /** The digits of the group named "Safety number", or null when it shows none. */
  number: string | null;
  /** Whether the "Mark as verified" switch is on; null when the dialog has no such switch. */
  verified: boolean | null;
  /** Every alert and status in the dialog, as "alert: <text>" / "status: <text>". */
  announced: string[];
  /** Whether an element named "Camera view" (the live video) is in the dialog at all, shown or not. */
  cameraView: boolean;
}

/** What the Verify dialog with `peer` shows; throws when that dialog is not open. */
function verifyView(user: BrowserUser, peer: string): Promise<VerifyView> {
  return inPage(
    user,
    (q, { dialog, toggle }) => {
      const root = q.queryOne([dialog]);
      if (!root) throw new Error(`no open dialog ${JSON.stringify(dialog)}`);
      const group = q.queryOne([{ role: 'group', name: 'Safety number' }], root);
      const digits = group ? q.renderedText(group).replace(/\s+/g, '') : '';
      const control = q.queryOne([toggle], root);
      return {
        number: digits || null,
        verified: control ? q.describe(control).checked : null,
        announced: [
          ...q.queryAll([{ role: 'alert' }], root).map((el) => `alert: ${q.renderedText(el)}`),
          ...q.queryAll([{ role: 'status' }], root).map((el) => `status: ${q.renderedText(el)}`),
        ],
        cameraView: q.queryAll([{ name: 'Camera view', hidden: true }], root).length > 0,
      };
    },
    { dialog: dialogWith(peer), toggle: SWITCH },
  );
}

/**
 * Waits until the open Verify dialog with `peer` holds an element fitting `step` (or, `present`
 * false, holds none: the dialog itself must be there, so a closed dialog never passes).
 */
async function waitInDialog(user: BrowserUser, peer: string, step: Step, what: string, { present = true, timeoutMs = 10_000 } = {}): Promise<void> {
  await waitInPage(
    user,
    (q, a) => {
      const root = q.queryOne([a.dialog]);
      return !!root && (q.queryAll([a.step], root).length > 0) === a.present;
    },
    { dialog: dialogWith(peer), step, present },
    timeoutMs,
    `${what} ${present ? 'in' : 'to be gone from'} the Verify ${peer} dialog`,
  );
}

/** Waits until the dialog announces `text` with that role (an alert for warnings and failures, a status otherwise). */
function waitForAnnounced(user: BrowserUser, peer: string, role: 'alert' | 'status', text: string, timeoutMs = 10_000): Promise<void> {
  return waitInDialog(user, peer, { role, text }, `${role} "${text}"`, { timeoutMs });
}

/** Waits until the "Mark as verified" switch in the dialog is on. */
function waitForVerifiedSwitch(user: BrowserUser, peer: string): Promise<void> {
  return waitInPage(
    user,
    (q, steps) => {
      const control = q.queryOne(steps);
      return !!control && q.describe(control).checked === true;
    },
    [dialogWith(peer), SWITCH],
    10_000,
    `the "Mark as verified" switch on, in the Verify ${peer} dialog`,
  ).then(() => undefined);
}

/** Clicks the button (or switch) named `name` inside the Verify dialog with `peer`. */
function clickInDialog(user: BrowserUser, peer: string, name: string, role: 'button' | 'switch' = 'button'): Promise<void> {
  return user.clickWhere([dialogWith(peer), { role, name }]);
}

/** The scanner's verdict on screen is the mismatch warning and nothing else: an alert, no "match" status. */
function assertMismatchShown(view: VerifyView): void {
  assert.equal(view.announced.length, 1, `exactly one announcement, got ${JSON.stringify(view.announced)}`);
  assert.match(view.announced[0] ?? '', /^alert: ⚠ The codes do not match\./);
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

/** Opens the Verify dialog with `peer` and waits for its safety number. */
async function openVerify(user: BrowserUser, peer: string): Promise<void> {
  await user.click('Verify');
  await user.waitForRole('dialog', `Verify ${peer}`);
  await waitInDialog(user, peer, { role: 'group', name: 'Safety number', text: pattern(/^(\d{5}\s+){11}\d{5}$/) }, 'the safety number');
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
    await waitInDialog(bob, 'alice', { role: 'img', name: 'QR code of the safety number', visible: true }, 'the QR code');
    bobsNumber = (await verifyView(bob, 'alice')).number ?? '';
    assert.match(bobsNumber, /^[0-9]{60}$/);
    assert.notEqual(bobsNumber, wrongNumber);
  });

  step('without a camera, scanning says so in a sentence and the numbers stay there to compare', async () => {
    await clickInDialog(bob, 'alice', 'Scan their code');
    await waitForAnnounced(bob, 'alice', 'alert', 'No camera is available here.');
    assert.equal((await verifyView(bob, 'alice')).number, bobsNumber);
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
    await waitForAnnounced(bob, 'alice', 'alert', 'That QR code is not a Peerchat safety number.');
    await bob.setFiles('Scan from a photo', [photo]);
    await waitForAnnounced(bob, 'alice', 'alert', 'The codes do not match.');
    const view = await verifyView(bob, 'alice');
    assertMismatchShown(view);
    assert.equal(view.verified, false);
    await bob.screenshot(`${SHOTS}/phone-mismatch.png`);
    await dark(bob, true);
    await bob.screenshot(`${SHOTS}/phone-mismatch-dark.png`);
    await dark(bob, false);
    await closeVerify(bob, 'alice');
    await bob.waitForNoText('✓ Verified');
  });

  step('the camera opens only on "Scan their code" and closes with the dialog (Esc)', async () => {
    await openVerify(alice, 'bob');
    assert.equal((await verifyView(alice, 'bob')).number, bobsNumber, 'both devices show the same number');
    await recordCameraStreams(alice);
    assert.deepEqual(await cameraUse(alice), [0, 0], 'opening the dialog does not open the camera');
    await clickInDialog(alice, 'bob', 'Scan their code');
    await waitInDialog(alice, 'bob', { role: 'button', name: 'Stop scanning', visible: true }, 'the "Stop scanning" button');
    await waitInDialog(alice, 'bob', { name: 'Camera view', visible: true }, 'the camera view');
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
    await clickInDialog(alice, 'bob', 'Scan their code');
    await waitForAnnounced(alice, 'bob', 'alert', 'The codes do not match.', 20_000);
    const view = await verifyView(alice, 'bob');
    assertMismatchShown(view);
    assert.equal(view.verified, false);
    assert.equal(view.cameraView, false, 'the camera view is gone');
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
    await waitForAnnounced(alice, 'bob', 'alert', 'No QR code was found in that picture.');
    const photo = path.join(work, 'bob.png');
    await QRCode.toFile(photo, SAFETY_QR_PREFIX + bobsNumber, { errorCorrectionLevel: 'M' });
    await alice.setFiles('Scan from a photo', [photo]);
    await waitForAnnounced(alice, 'bob', 'status', 'The codes match.');
    await waitForVerifiedSwitch(alice, 'bob');
    await closeVerify(alice, 'bob');
    await alice.waitForText('✓ Verified');
  });

  step('scanning bob’s real code with the camera marks bob verified', async () => {
    await openVerify(alice, 'bob');
    await clickInDialog(alice, 'bob', 'Mark as verified', 'switch');
    await closeVerify(alice, 'bob');
    await alice.waitForNoText('✓ Verified');
    showOnCamera(SAFETY_QR_PREFIX + bobsNumber);
    await openVerify(alice, 'bob');
    await clickInDialog(alice, 'bob', 'Scan their code');
    await waitForAnnounced(alice, 'bob', 'status', 'The codes match.', 20_000);
    await waitForVerifiedSwitch(alice, 'bob');
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
    await waitForAnnounced(bob, 'alice', 'status', 'The codes match.');
    await waitForVerifiedSwitch(bob, 'alice');
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
    // No device of bob's is left to approve the new browser: he starts over with a new key.
    await bob.fill('Username', 'bob');
    await bob.fill('Password', PASSWORD);
    await bob.click('Log in');
    await bob.click('I lost all my devices: start over with a new key', { timeoutMs: 15_000 });
    await bob.click('Start over with a new key');
    await bob.waitForText(/Signed in as\s+bob/, 15_000);
    await send(alice, 'Sent after the key change');
    await alice.waitForText('bob’s security key has changed.', 20_000);
    await alice.waitForNoText('✓ Verified');
    await openConversation(bob, 'alice');
    await openVerify(bob, 'alice');
    const newNumber = (await verifyView(bob, 'alice')).number ?? '';
    assert.match(newNumber, /^[0-9]{60}$/);
    assert.notEqual(newNumber, bobsNumber);
    await openVerify(alice, 'bob');
    const newKey: Step = { text: 'This is the safety number for the new key' };
    await waitInDialog(alice, 'bob', newKey, 'the notice about the new key');
    const pendingView = await verifyView(alice, 'bob');
    assert.equal(pendingView.number, newNumber);
    assert.equal(pendingView.verified, null, 'no "Mark as verified" switch before the new key is accepted');
    const photo = path.join(work, 'bob-new.png');
    await QRCode.toFile(photo, SAFETY_QR_PREFIX + newNumber, { errorCorrectionLevel: 'M' });
    await alice.setFiles('Scan from a photo', [photo]);
    await waitForAnnounced(alice, 'bob', 'status', 'The codes match.');
    await waitInDialog(alice, 'bob', newKey, 'the notice about the new key', { present: false });
    await waitForVerifiedSwitch(alice, 'bob');
    await closeVerify(alice, 'bob');
    await alice.waitForText('✓ Verified');
    await waitForMessage(alice, 'Sent after the key change', 'delivered', 30_000);
  });
});
