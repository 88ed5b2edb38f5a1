// One account, several devices, in real browsers against the real server:
// - a hostile relay that injects a link request for its own device (and answers the challenge
//   correctly) gets a dialog the person rejects: its device is never in the list;
// - a relay in the middle of a real linking (it swaps the new device's ephemeral key) makes the
//   two screens show different codes; Reject, nothing linked;
// - honest linking: both screens show the same code, Approve, Firefox is a device of the account;
// - the new device takes the approval only after the person says the codes match there too;
// - unlinking from the devices screen logs the other device out, with the reason;
// - a thief with only the password resets the account to its own key: the device that holds
//   the real key refuses the server's new key (no waiting for approval, key unchanged, shown);
//   only the person's explicit "link again" makes it forget the key and wait for approval;
// - an account from before devices (its key in the old `identities` record, published by a
//   client without a device id) keeps working, and its contact sees no warning.
//
// Run: npm run build:e2e && node test/e2e/run-in-netns.mjs node --import tsx --test --test-reporter=spec test/e2e/devices-link.test.ts

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { encodePublicKey, generateIdentity, ready, serializeIdentity } from '../../shared/crypto/index';
import { toBase64Url } from '../../shared/crypto/bytes';
import { deviceEntry, deviceIdOf, firstDeviceList, signDeviceList } from '../../shared/devices/device-list';
import { freshLinkSecrets, linkCommit } from '../../shared/devices/link-crypto';
import { parseLinkMsg } from '../../shared/devices/link-messages';
import { PROTOCOL_VERSION } from '../../shared/limits';
import type { TestControl, TestHooks, LinkData } from '../../signal-server/src/test-hooks';
import { closeAllBrowsers, dumpDiagnostics, launchBrowser, type BrowserUser } from './browsers';
import { PASSWORD, openConversation, register, send, startTestServer, stepTracker, waitForMessage, type TestServer } from './app-helpers';
import { inPage, waitInPage } from './page-queries';

const SHOTS = '/tmp/shots-devices';
mkdirSync(SHOTS, { recursive: true });
await ready();

const PENDING = 'Approve this device from one of your devices';

/** The 6-digit code shown in a "Code" group (the pending screen or the approve dialog). */
async function shownCode(user: BrowserUser, timeoutMs = 20_000): Promise<string> {
  const text = await waitInPage(
    user,
    (q) => {
      const t = q.queryAll([{ role: 'group', name: 'Code' }]).map((el) => q.renderedText(el).replace(/\s/g, ''))[0] ?? '';
      return /^\d{6}$/.test(t) ? t : null;
    },
    undefined,
    timeoutMs,
    'a linking code',
  );
  return text ?? '';
}

/** Logs in from the form; the browser has no account key, so it waits to be approved. */
async function loginPending(user: BrowserUser, url: string, username: string): Promise<void> {
  await user.goto(url);
  await user.fill('Username', username);
  await user.fill('Password', PASSWORD);
  await user.click('Log in');
  await user.waitForText(PENDING, 15_000);
}

/** The device names the devices screen lists. */
async function listedDevices(user: BrowserUser): Promise<string[]> {
  return inPage(user, (q) => q.queryAll([{ role: 'list', name: 'Your devices' }, { role: 'heading' }]).map((el) => q.renderedText(el).trim()));
}

async function openDevices(user: BrowserUser): Promise<void> {
  await user.click('Devices');
  await user.waitForRole('heading', 'Your devices');
}

async function closeDevices(user: BrowserUser): Promise<void> {
  await user.click('Back');
  await user.waitForRole('heading', 'Your devices', { hidden: true });
}

/** The public half of the account key this browser holds for `account` (null: none). */
function accountKeyHeld(user: BrowserUser, account: string): Promise<string | null> {
  return user.evaluate(
    (key: string) =>
      new Promise<string | null>((resolve, reject) => {
        const r = indexedDB.open('peerchat-device');
        r.onsuccess = () => {
          const get = r.result.transaction('accounts').objectStore('accounts').get(key);
          get.onsuccess = () => {
            r.result.close();
            resolve((get.result as { accountKey?: { publicKey: string } } | undefined)?.accountKey?.publicKey ?? null);
          };
          get.onerror = () => reject(get.error);
        };
        r.onerror = () => reject(r.error);
      }),
    account,
  );
}

/** Which security warning the open conversation shows (an alert), or null. */
async function bannerKind(user: BrowserUser): Promise<'key-changed' | 'session-failed' | null> {
  const alerts = await inPage(user, (q) => q.queryAll([{ role: 'alert' }]).map((el) => q.renderedText(el)));
  if (alerts.some((t) => /security key has changed/.test(t))) return 'key-changed';
  if (alerts.some((t) => /Could not set up a secure session/.test(t))) return 'session-failed';
  return null;
}

describe('devices: linking, unlinking, accounts from before devices', { timeout: 420_000 }, () => {
  let srv: TestServer;
  let control: TestControl | undefined;
  let aliceC: BrowserUser;
  let aliceF: BrowserUser;
  let bob: BrowserUser | undefined;
  const steps = stepTracker(test);
  const { step } = steps;
  /** Link frames the browsers sent, as the server received them. */
  const linkIn: Array<{ data: LinkData }> = [];
  /**
   * The relay in the middle: 'challenge' swaps the existing device's ephemeral key on its way to
   * the new device (the codes then differ); 'reveal' swaps the new device's (its commit then fails).
   */
  let mitm: 'challenge' | 'reveal' | null = null;
  const relay = freshLinkSecrets();

  before(async () => {
    const hooks: TestHooks = {
      onControl: (c) => (control = c),
      tapFrame: (dir, _conn, frame) => {
        if (dir !== 'in' || !frame.includes('"link"')) return;
        const m = JSON.parse(frame) as { type?: string; data?: LinkData };
        if (m.type === 'link' && m.data) linkIn.push({ data: m.data });
      },
      rewriteLink: (_username, _from, _to, data) => {
        const msg = parseLinkMsg(data);
        if (mitm === 'challenge' && msg?.type === 'link-challenge') return { ...data, eph: toBase64Url(relay.eph.publicKey) };
        if (mitm === 'reveal' && msg?.type === 'link-reveal') return { ...data, eph: toBase64Url(relay.eph.publicKey), nonce: toBase64Url(relay.nonce) };
        return data;
      },
    };
    srv = await startTestServer({ testHooks: hooks });
    [aliceC, aliceF] = await Promise.all([launchBrowser('chromium', { name: 'alice-chromium' }), launchBrowser('firefox', { name: 'alice-firefox' })]);
  });

  after(async () => {
    if (steps.failed) await dumpDiagnostics([aliceC, aliceF, bob].filter((u): u is BrowserUser => !!u), 'devices-link');
    await closeAllBrowsers();
    await srv?.dispose().catch(() => undefined);
  });

  step('a relay that injects a request for its own device: the person rejects it, it is never listed', async () => {
    await register(aliceC, srv.url, 'alice');
    await openDevices(aliceC);
    assert.equal((await listedDevices(aliceC)).length, 1);
    await aliceC.screenshot(`${SHOTS}/devices-one.png`);
    await closeDevices(aliceC);

    // The relay's own device: a key of its own, a request it commits to, and a correct reveal.
    const evil = generateIdentity();
    const evilId = deviceIdOf(evil.publicKey);
    const secrets = freshLinkSecrets();
    const before = linkIn.length;
    const request = { type: 'link-request', rid: secrets.rid, name: 'Evil laptop', commit: toBase64Url(linkCommit(secrets.eph.publicKey, secrets.nonce, evil.publicKey)) };
    assert.ok(control);
    assert.equal(control.injectLink('alice', evilId, request), 1);
    // alice's device answers with a challenge (to the relay's device id): the relay reveals.
    const deadline = Date.now() + 10_000;
    while (!linkIn.slice(before).some((f) => f.data.type === 'link-challenge')) {
      assert.ok(Date.now() < deadline, 'a challenge was sent');
      await new Promise((r) => setTimeout(r, 50)); // poll the frames the server saw
    }
    control.injectLink('alice', evilId, {
      type: 'link-reveal',
      rid: secrets.rid,
      eph: toBase64Url(secrets.eph.publicKey),
      nonce: toBase64Url(secrets.nonce),
      deviceKey: encodePublicKey(evil.publicKey),
    });
    await aliceC.waitForRole('dialog', 'New device: Evil laptop wants to join');
    await shownCode(aliceC);
    await aliceC.screenshot(`${SHOTS}/approve-dialog.png`);
    // No device of the person's shows this code: Reject.
    await aliceC.click('Reject');
    await aliceC.waitForRole('dialog', 'New device: Evil laptop wants to join', { hidden: true });
    await openDevices(aliceC);
    assert.deepEqual(await listedDevices(aliceC), ['Chromium on Linux']);
    await closeDevices(aliceC);
  });

  step('a relay in the middle of a real linking: the codes differ, Reject, nothing linked', async () => {
    mitm = 'challenge';
    await loginPending(aliceF, srv.url, 'alice');
    await aliceF.screenshot(`${SHOTS}/pending-waiting.png`);
    await aliceC.waitForRole('dialog', 'New device: Firefox on Linux wants to join', { timeoutMs: 20_000 });
    const [codeN, codeE] = await Promise.all([shownCode(aliceF), shownCode(aliceC)]);
    assert.notEqual(codeN, codeE, 'a relay that swapped keys makes the codes differ');
    await aliceF.screenshot(`${SHOTS}/pending-code.png`);
    await aliceC.click('Reject');
    await aliceF.waitForText('This device was not approved.', 15_000);
    await aliceF.screenshot(`${SHOTS}/pending-denied.png`);
    await openDevices(aliceC);
    assert.deepEqual(await listedDevices(aliceC), ['Chromium on Linux']);
    await closeDevices(aliceC);
  });

  step('a relay that swaps the new device’s key after its commit: the check fails, shown on both', async () => {
    mitm = 'reveal';
    await aliceF.click('Try again');
    await aliceC.waitForRole('dialog', 'Firefox on Linux was not added', { timeoutMs: 20_000 });
    await aliceC.waitForText('The check failed', 5_000);
    await aliceC.screenshot(`${SHOTS}/approve-check-failed.png`);
    await aliceF.waitForText('The check failed', 15_000);
    await aliceC.click('Close');
    await aliceC.waitForRole('dialog', 'Firefox on Linux was not added', { hidden: true });
    mitm = null;
  });

  step('honest linking: the same code on both screens, Approve, Firefox is a device of the account', async () => {
    await aliceF.click('Try again');
    await aliceC.waitForRole('dialog', 'New device: Firefox on Linux wants to join', { timeoutMs: 20_000 });
    const [codeN, codeE] = await Promise.all([shownCode(aliceF), shownCode(aliceC)]);
    assert.equal(codeN, codeE);
    await aliceF.screenshot(`${SHOTS}/pending-confirm.png`);
    // Approved there first: the grant waits on the new device until the person confirms here too.
    const grantsBefore = linkIn.filter((f) => f.data.type === 'link-grant').length;
    await aliceC.click('Approve');
    const deadline = Date.now() + 15_000;
    while (linkIn.filter((f) => f.data.type === 'link-grant').length === grantsBefore) {
      assert.ok(Date.now() < deadline, 'the grant was sent');
      await new Promise((r) => setTimeout(r, 50)); // poll the frames the server saw
    }
    await aliceF.waitForText(PENDING, 2_000);
    await aliceF.waitForRole('button', 'The codes match');
    await aliceF.click('The codes match');
    await aliceF.waitForText(/Signed in as\s+alice/, 30_000);
    await openDevices(aliceF);
    await waitInPage(aliceF, (q) => q.queryAll([{ role: 'list', name: 'Your devices' }, { role: 'heading' }]).length === 2, undefined, 10_000, 'two devices');
    await aliceF.screenshot(`${SHOTS}/devices-two-firefox.png`);
    await openDevices(aliceC);
    await waitInPage(aliceC, (q) => q.queryAll([{ role: 'list', name: 'Your devices' }, { role: 'heading' }]).length === 2, undefined, 10_000, 'two devices');
    assert.deepEqual((await listedDevices(aliceC)).sort(), ['Chromium on Linux', 'Firefox on Linux']);
    await aliceC.waitForText('Online now', 10_000);
    await aliceC.screenshot(`${SHOTS}/devices-two.png`);
  });

  step('unlink: the unlinked device is logged out and says why', async () => {
    await aliceC.click('Unlink Firefox on Linux');
    await aliceC.waitForRole('dialog', 'Unlink Firefox on Linux?');
    await aliceC.screenshot(`${SHOTS}/unlink-confirm.png`);
    await aliceC.clickWhere([{ role: 'dialog', name: 'Unlink Firefox on Linux?' }, { role: 'button', name: 'Unlink' }]);
    await aliceF.waitForRole('button', 'Log in', { timeoutMs: 15_000 });
    await aliceF.waitForText('This device was unlinked from your account', 10_000);
    await aliceF.screenshot(`${SHOTS}/unlinked-login.png`);
    await waitInPage(aliceC, (q) => q.queryAll([{ role: 'list', name: 'Your devices' }, { role: 'heading' }]).length === 1, undefined, 10_000, 'one device');
    await closeDevices(aliceC);
  });

  step('reset the account key from a device still held: a new key, this device stays signed in', async () => {
    const before = await accountKeyHeld(aliceC, 'alice');
    assert.ok(before);
    await openDevices(aliceC);
    await aliceC.click('Reset the account key…');
    await aliceC.screenshot(`${SHOTS}/devices-reset-confirm.png`);
    await aliceC.click('Reset the key');
    await aliceC.waitForText(/Signed in as\s+alice/, 15_000);
    await aliceC.waitForRole('button', 'Devices', { timeoutMs: 15_000 });
    const after = await accountKeyHeld(aliceC, 'alice');
    assert.ok(after);
    assert.notEqual(after, before, 'a new account key');
    await openDevices(aliceC);
    assert.deepEqual(await listedDevices(aliceC), ['Chromium on Linux']);
    await closeDevices(aliceC);
  });

  step('a thief with only the password resets the account: the device that holds the key keeps it, refuses, and says so', async () => {
    const held = await accountKeyHeld(aliceC, 'alice');
    assert.ok(held);
    // The thief logs in with a made-up device and resets the account to a key it holds. The
    // server then really shows that key, and ends alice's session.
    const thiefKey = generateIdentity();
    const thiefDevice = generateIdentity();
    const thiefDeviceId = deviceIdOf(thiefDevice.publicKey);
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`, { headers: { origin: srv.url } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const frames: Array<{ type: string; ref?: string }> = [];
    ws.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as { type: string }));
    const next = async (type: string): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!frames.some((m) => m.type === type)) {
        assert.ok(!frames.some((m) => m.type === 'error'), JSON.stringify(frames));
        assert.ok(Date.now() < deadline, `the thief got ${type}`);
        await new Promise((r) => setTimeout(r, 20)); // poll the thief's socket
      }
    };
    ws.send(JSON.stringify({ type: 'login', v: PROTOCOL_VERSION, username: 'alice', password: PASSWORD, deviceId: thiefDeviceId }));
    await next('welcome');
    const thiefList = signDeviceList(firstDeviceList('alice', deviceEntry(thiefDevice.publicKey, 'Thief laptop', Date.now())), thiefKey);
    ws.send(JSON.stringify({ type: 'account-reset', identityKey: encodePublicKey(thiefKey.publicKey), devices: thiefList }));
    await next('devices');
    await aliceC.waitForRole('button', 'Log in', { timeoutMs: 15_000 });
    const linkFramesBefore = linkIn.length;
    await aliceC.fill('Username', 'alice');
    await aliceC.fill('Password', PASSWORD);
    await aliceC.click('Log in');
    await aliceC.waitForText('The server shows a different key for your account', 15_000);
    await aliceC.waitForText(/Signed in as\s+alice/, 5_000);
    await aliceC.screenshot(`${SHOTS}/key-refused.png`);
    await aliceC.waitForNoText(PENDING, 1000);
    assert.equal(await accountKeyHeld(aliceC, 'alice'), held, 'the held account key is unchanged');
    assert.deepEqual(
      linkIn.slice(linkFramesBefore).map((f) => f.data.type),
      [],
      'no link request went out for the thief’s device to answer',
    );
    // Only the person's own choice, after a warning, drops the held key to be linked again.
    await aliceC.click('I reset the key on another device…');
    await aliceC.screenshot(`${SHOTS}/key-refused-link-again.png`);
    await aliceC.click('Forget this key and link again');
    await aliceC.waitForText(PENDING, 15_000);
    assert.equal(await accountKeyHeld(aliceC, 'alice'), null, 'forgotten only when the person chose it');
    ws.close();
  });

  step('an account from before devices keeps its key: its contact sees no warning', async () => {
    // carol, as the old app did it: a client without a device id published her key.
    const legacy = generateIdentity();
    const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/ws`, { headers: { origin: srv.url } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as { type: string };
        if (m.type === 'welcome') resolve();
        if (m.type === 'error') reject(new Error(raw.toString()));
      });
    });
    ws.send(JSON.stringify({ type: 'register', v: PROTOCOL_VERSION, username: 'carol', password: PASSWORD, identityKey: encodePublicKey(legacy.publicKey) }));
    await welcomed;

    // bob pins carol's key while she is online on the old client (the Verify dialog pins it).
    bob = await launchBrowser('chromium', { name: 'bob' });
    await register(bob, srv.url, 'bob');
    await openConversation(bob, 'carol');
    await bob.click('Verify');
    await bob.waitForRole('dialog', 'Verify carol');
    await bob.waitForText(/(\d{5}\s+){11}\d{5}/, 10_000);
    await bob.press('Escape');
    await send(bob, 'Hello carol, from before the upgrade');
    ws.close();

    // carol's browser still has the old record; the upgraded app moves it to the account key.
    await aliceF.close();
    aliceF = await launchBrowser('firefox', { name: 'carol-firefox' });
    await aliceF.goto(srv.url);
    await aliceF.evaluate(
      async (record: { identity: unknown; createdAt: number }) => {
        await new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('peerchat-device', 1);
          r.onupgradeneeded = () => r.result.createObjectStore('identities');
          r.onsuccess = () => {
            const tx = r.result.transaction('identities', 'readwrite');
            tx.objectStore('identities').put(record, 'carol');
            tx.oncomplete = () => {
              r.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
          r.onerror = () => reject(r.error);
        });
      },
      { identity: serializeIdentity(legacy), createdAt: Date.now() },
    );
    await aliceF.reload();
    await aliceF.fill('Username', 'carol');
    await aliceF.fill('Password', PASSWORD);
    await aliceF.click('Log in');
    await aliceF.waitForText(/Signed in as\s+carol/, 15_000);
    await openConversation(aliceF, 'bob');
    await waitForMessage(aliceF, 'Hello carol, from before the upgrade', 'received', 45_000);
    await waitForMessage(bob, 'Hello carol, from before the upgrade', 'delivered', 15_000);
    assert.equal(await bannerKind(bob), null, 'no key-change warning for carol’s contact');
    await bob.waitForNoText('security key has changed', 1000);
    // Her first device list was published with the login: one device, this one.
    await openDevices(aliceF);
    assert.deepEqual(await listedDevices(aliceF), ['Firefox on Linux']);
  });
});
