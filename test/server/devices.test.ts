// One account, several devices (signal-server/src/device-*.ts, account-devices.ts): device lists
// signed by the account key, approval, signal routing by device, link relay, unlink and reset.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import { createPasswordHasher } from '../../signal-server/src/password';
import { newToken } from '../../signal-server/src/tokens';
import { cid, Client, fakeKey, loginUser, OFFER, PASSWORD, registerUser, startServer, tempDir, TEST_SCRYPT, type LoggedIn, type TestServer } from './helpers';
import { writeSchemaV1Database } from './old-schema';
import { deviceLogin, newAccount, newDevice, ready, signAnyList, signedList, type TestAccount, type TestDevice } from './device-fixtures';

const LINK = { type: 'link-request', rid: 'r'.repeat(22), name: 'Firefox on Linux', commit: 'c'.repeat(43) };

describe('devices', () => {
  let srv: TestServer;
  before(async () => {
    await ready();
    srv = await startServer();
  });
  after(() => srv.stop());

  /** Registers `account` from `device` with a first list naming `listed` (default: just that device). */
  async function registerWithList(account: TestAccount, device: TestDevice, listed: TestDevice[] = [device]): Promise<LoggedIn> {
    return registerUser(srv, account.username, PASSWORD, deviceLogin(account, device, signedList(account, 1, listed)));
  }

  async function loginDevice(account: TestAccount, device: TestDevice, extra: Record<string, unknown> = {}): Promise<LoggedIn> {
    return loginUser(srv, account.username, PASSWORD, { ...deviceLogin(account, device), ...extra });
  }

  test('register with a list: welcome carries the account key and list; lookup answers with them and the online devices', async () => {
    const alice = newAccount('dev_alice1');
    const a1 = newDevice('Chromium on Linux');
    const list = signedList(alice, 1, [a1]);
    const a = await registerUser(srv, alice.username, PASSWORD, deviceLogin(alice, a1, list));
    assert.equal(a.welcome.identityKey, alice.key);
    assert.deepEqual(a.welcome.devices, list);
    assert.deepEqual(a.presence, { type: 'presence', online: [], devices: [] });

    const bob = newAccount('dev_bob1');
    const b1 = newDevice();
    const b = await registerWithList(bob, b1);
    b.client.send({ type: 'lookup', username: alice.username });
    assert.deepEqual(await b.client.next('identity'), { type: 'identity', username: alice.username, identityKey: alice.key, devices: list, online: [a1.id] });

    // A client from before devices gets exactly the answer it got before.
    const legacy = await registerUser(srv, 'dev_legacy1', PASSWORD, { identityKey: fakeKey('l') });
    assert.equal(legacy.welcome.identityKey, undefined);
    assert.equal(legacy.welcome.devices, undefined);
    legacy.client.send({ type: 'lookup', username: alice.username });
    assert.deepEqual(await legacy.client.next('identity'), { type: 'identity', username: alice.username, identityKey: alice.key });
    for (const c of [a, b, legacy]) assert.deepEqual(c.client.invalid, []);
    await Promise.all([a.client.close(), b.client.close(), legacy.client.close()]);
  });

  test('a second device logging in does not replace the account key; it is not approved', async () => {
    const alice = newAccount('dev_alice2');
    const a1 = newDevice();
    const a = await registerWithList(alice, a1);
    const other = newAccount('dev_alice2');
    const a2 = newDevice('Firefox');
    // A new browser brings its own fresh key, as a browser without the account key would.
    const n = await loginUser(srv, alice.username, PASSWORD, { identityKey: other.key, deviceId: a2.id });
    assert.equal(n.welcome.identityKey, alice.key, 'the stored account key stays');
    assert.deepEqual(n.welcome.devices, a.welcome.devices, 'and the stored list');
    n.client.send({ type: 'lookup', username: alice.username });
    const id = await n.client.next('identity');
    assert.equal(id.identityKey, alice.key);
    assert.deepEqual(id.online, [a1.id], 'the unapproved device is not online');

    // Nor does a client from before devices (no device id) replace it.
    const legacy = await loginUser(srv, alice.username, PASSWORD, { identityKey: other.key });
    legacy.client.send({ type: 'lookup', username: alice.username });
    assert.equal((await legacy.client.next('identity')).identityKey, alice.key);
    // And once the account has a list, such a client (the password alone) is no device of it:
    // it may not signal, and nobody's signals reach it (they would give away addresses).
    legacy.client.send({ type: 'signal', to: alice.username, cid: 'legacy-cid-1', data: { type: 'renegotiate', renegotiate: true } });
    assert.deepEqual(await legacy.client.nextError(), { type: 'error', code: 'DEVICE_NOT_APPROVED', ref: 'signal', to: alice.username, cid: 'legacy-cid-1' });
    a.client.send({ type: 'signal', to: alice.username, cid: 'own-cid-1', data: { type: 'renegotiate', renegotiate: true } });
    await legacy.client.expectNo('signal', 300);
    await Promise.all([a.client.close(), n.client.close(), legacy.client.close()]);
  });

  test('an unapproved device cannot signal and gets no signals; its link frames reach only its own account', async () => {
    const alice = newAccount('dev_alice3');
    const a1 = newDevice();
    const a2 = newDevice();
    const bob = newAccount('dev_bob3');
    const b1 = newDevice();
    const a = await registerWithList(alice, a1);
    const b = await registerWithList(bob, b1);
    const n = await loginDevice(alice, a2);

    n.client.send({ type: 'signal', to: bob.username, cid: cid(1), data: OFFER });
    assert.deepEqual(await n.client.nextError('DEVICE_NOT_APPROVED'), { type: 'error', code: 'DEVICE_NOT_APPROVED', ref: 'signal', to: bob.username, cid: cid(1) });
    await b.client.expectNo('signal');

    // Bob's signals to alice reach her approved device only.
    b.client.send({ type: 'signal', to: alice.username, cid: cid(2), data: OFFER });
    assert.equal((await a.client.next('signal')).cid, cid(2));
    b.client.send({ type: 'signal', to: alice.username, toDevice: a2.id, cid: cid(3), data: OFFER });
    assert.equal((await b.client.nextError('PEER_OFFLINE')).cid, cid(3));
    // Nor from her own approved device.
    a.client.send({ type: 'signal', to: alice.username, cid: cid(4), data: OFFER });
    assert.equal((await a.client.nextError('PEER_OFFLINE')).cid, cid(4));
    await n.client.expectNo('signal');

    // Linking: the new device to the others of its account, and back; never to bob.
    // A client-supplied fromDevice is dropped: the server names the sender.
    n.client.send({ type: 'link', fromDevice: b1.id, data: LINK });
    assert.deepEqual(await a.client.next('link'), { type: 'link', fromDevice: a2.id, data: LINK });
    const challenge = { type: 'link-challenge', rid: LINK.rid };
    a.client.send({ type: 'link', toDevice: a2.id, data: challenge });
    assert.deepEqual(await n.client.next('link'), { type: 'link', fromDevice: a1.id, data: challenge });
    // Naming bob's device does not reach it either.
    n.client.send({ type: 'link', toDevice: b1.id, data: LINK });
    assert.equal((await n.client.nextError('PEER_OFFLINE')).ref, 'link');
    await b.client.expectNo('link');
    await a.client.expectNo('link', 100);
    for (const c of [a, b, n]) assert.deepEqual(c.client.invalid, []);
    await Promise.all([a.client.close(), b.client.close(), n.client.close()]);
  });

  test('a connection without a device id cannot send link frames', async () => {
    const legacy = await registerUser(srv, 'dev_legacy4');
    legacy.client.send({ type: 'link', data: LINK });
    assert.deepEqual(await legacy.client.nextError(), { type: 'error', code: 'DEVICE_NOT_APPROVED', ref: 'link' });
    await legacy.client.close();
  });

  test('approved by devices-publish: the device can signal, everyone with a device is told, presence names it', async () => {
    const alice = newAccount('dev_alice5');
    const a1 = newDevice();
    const a2 = newDevice();
    const bob = newAccount('dev_bob5');
    const b1 = newDevice();
    const a = await registerWithList(alice, a1);
    const b = await registerWithList(bob, b1);
    const legacy = await registerUser(srv, 'dev_legacy5');
    const n = await loginDevice(alice, a2);

    n.client.send({ type: 'devices-publish', devices: signedList(alice, 2, [a1, a2]) });
    assert.deepEqual(await n.client.nextError(), { type: 'error', code: 'DEVICE_NOT_APPROVED', ref: 'devices-publish' });

    const v2 = signedList(alice, 2, [a1, a2]);
    a.client.send({ type: 'devices-publish', devices: v2 });
    for (const c of [a, b, n]) {
      assert.deepEqual(await c.client.next('devices', 3000, (m) => m.username === alice.username), { type: 'devices', username: alice.username, devices: v2 });
    }
    await legacy.client.expectNo('devices');
    const update = await b.client.next('presence-update', 3000, (m) => m.username === alice.username && (m.devices?.length ?? 0) === 2);
    assert.deepEqual(update.devices, [a1.id, a2.id].sort());
    // The legacy watcher saw alice come online once, and nothing about her devices.
    await legacy.client.expectNo('presence-update', 200, (m) => m.username === alice.username);

    n.client.send({ type: 'signal', to: bob.username, cid: cid(5), data: OFFER });
    assert.deepEqual(await b.client.next('signal'), { type: 'signal', from: alice.username, fromDevice: a2.id, cid: cid(5), data: OFFER });
    // And a resumed session of the device is approved too.
    const resumed = await Client.connect(srv.wsUrl);
    resumed.resume(n.welcome.token, { deviceId: a2.id });
    assert.deepEqual((await resumed.next('welcome')).devices, v2);
    resumed.send({ type: 'signal', to: bob.username, cid: cid(6), data: OFFER });
    assert.equal((await b.client.next('signal', 3000, (m) => m.cid === cid(6))).fromDevice, a2.id);
    await Promise.all([a.client.close(), b.client.close(), n.client.close(), legacy.client.close(), resumed.close()]);
  });

  test('signals go to the named device; fromDevice is set by the server and cannot be spoofed', async () => {
    const alice = newAccount('dev_alice6');
    const a1 = newDevice();
    const a2 = newDevice();
    const bob = newAccount('dev_bob6');
    const b1 = newDevice();
    await registerWithList(alice, a1, [a1, a2]).then((r) => r.client.close());
    const x1 = await loginDevice(alice, a1);
    const x2 = await loginDevice(alice, a2);
    const b = await registerWithList(bob, b1);

    b.client.send({ type: 'signal', to: alice.username, toDevice: a2.id, fromDevice: a1.id, cid: cid(7), data: OFFER });
    assert.deepEqual(await x2.client.next('signal'), { type: 'signal', from: bob.username, fromDevice: b1.id, cid: cid(7), data: OFFER });
    await x1.client.expectNo('signal');
    // Without toDevice: every approved device.
    b.client.send({ type: 'signal', to: alice.username, cid: cid(8), data: OFFER });
    assert.equal((await x1.client.next('signal')).cid, cid(8));
    assert.equal((await x2.client.next('signal')).cid, cid(8));
    // Between two devices of one account, never echoed to the sender.
    x1.client.send({ type: 'signal', to: alice.username, toDevice: a2.id, cid: cid(9), data: OFFER });
    assert.deepEqual(await x2.client.next('signal'), { type: 'signal', from: alice.username, fromDevice: a1.id, cid: cid(9), data: OFFER });
    await x1.client.expectNo('signal');
    // A client from before devices sends without fromDevice, as before.
    const legacy = await registerUser(srv, 'dev_legacy6');
    legacy.client.send({ type: 'signal', to: alice.username, toDevice: a1.id, cid: cid(10), data: OFFER });
    assert.deepEqual(await x1.client.next('signal'), { type: 'signal', from: 'dev_legacy6', cid: cid(10), data: OFFER });
    await Promise.all([x1.client.close(), x2.client.close(), b.client.close(), legacy.client.close()]);
  });

  test('refused lists: another key, a rollback, another account, too many devices, garbage', async () => {
    const alice = newAccount('dev_alice7');
    const a1 = newDevice();
    const a = await registerWithList(alice, a1);
    const v2 = signedList(alice, 2, [a1, newDevice()]);
    a.client.send({ type: 'devices-publish', devices: v2 });
    await a.client.next('devices');

    const mallory = newAccount('dev_alice7');
    const refused = async (devices: unknown, code = 'DEVICE_LIST_REFUSED'): Promise<void> => {
      a.client.send({ type: 'devices-publish', devices });
      assert.deepEqual(await a.client.nextError(), { type: 'error', code, ref: 'devices-publish' });
    };
    await refused(signedList(alice, 3, [a1], mallory.keys), 'DEVICE_LIST_REFUSED');
    await refused(signedList(alice, 2, [a1]));
    await refused(signedList(alice, 1, [a1]));
    await refused(signedList(alice, 3, [a1], alice.keys, 'dev_bob7'));
    await refused(signAnyList(alice, 3, Array.from({ length: 17 }, () => newDevice())), 'TOO_MANY_DEVICES');
    await refused({ list: v2.list.replace('"version":2', '"version":3'), sig: v2.sig });
    a.client.send({ type: 'lookup', username: alice.username });
    assert.deepEqual((await a.client.next('identity')).devices, v2, 'the stored list is unchanged');
    await a.client.expectNo('devices', 100);

    // Sixteen are fine.
    const sixteen = signAnyList(alice, 3, [a1, ...Array.from({ length: 15 }, () => newDevice())]);
    a.client.send({ type: 'devices-publish', devices: sixteen });
    assert.deepEqual((await a.client.next('devices')).devices, sixteen);

    // Register with a list signed by another key: the account is made, the list is refused.
    const carol = newAccount('dev_carol7');
    const c1 = newDevice();
    const c = await registerUser(srv, carol.username, PASSWORD, deviceLogin(carol, c1, signedList(carol, 1, [c1], mallory.keys)));
    assert.equal(c.welcome.devices, null);
    assert.deepEqual(await c.client.nextError(), { type: 'error', code: 'DEVICE_LIST_REFUSED', ref: 'devices-publish' });
    await Promise.all([a.client.close(), c.client.close()]);
  });

  test('a list with a login: a newer one is stored, an older one quietly ignored; an upgraded account publishes its first', async () => {
    const alice = newAccount('dev_alice8');
    const a1 = newDevice();
    const a2 = newDevice();
    // An account from before devices: key, no list.
    const old = await registerUser(srv, alice.username, PASSWORD, { identityKey: alice.key });
    await old.client.close();
    const v1 = signedList(alice, 1, [a1]);
    const a = await loginDevice(alice, a1, { devices: v1 });
    assert.deepEqual(a.welcome.devices, v1);
    // The welcome carried it; the same connection is not sent it again, the others are.
    await a.client.expectNo('devices', 100);

    const v2 = signedList(alice, 2, [a1, a2]);
    const again = await loginDevice(alice, a1, { devices: v2 });
    assert.deepEqual(again.welcome.devices, v2);
    assert.deepEqual(await a.client.next('devices'), { type: 'devices', username: alice.username, devices: v2 });
    const stale = await loginDevice(alice, a1, { devices: v1 });
    assert.deepEqual(stale.welcome.devices, v2, 'the welcome carries the newer stored list');
    await stale.client.expectNo('error', 200);
    await Promise.all([a.client.close(), again.client.close(), stale.client.close()]);
  });

  test('unlink: the removed device is logged out, its token no longer resumes, contacts see it go', async () => {
    const alice = newAccount('dev_alice9');
    const a1 = newDevice();
    const a2 = newDevice();
    const bob = newAccount('dev_bob9');
    const b1 = newDevice();
    await registerWithList(alice, a1, [a1, a2]).then((r) => r.client.close());
    const x1 = await loginDevice(alice, a1);
    const x2 = await loginDevice(alice, a2);
    const x2tab = await Client.connect(srv.wsUrl);
    x2tab.resume(x2.welcome.token, { deviceId: a2.id });
    await x2tab.next('welcome');
    const b = await registerWithList(bob, b1);
    assert.deepEqual(b.presence.devices?.[b.presence.online.indexOf(alice.username)], [a1.id, a2.id].sort());

    const v2 = signedList(alice, 2, [a1]);
    x1.client.send({ type: 'devices-publish', devices: v2 });
    for (const c of [x2.client, x2tab]) {
      await c.next('logged-out');
      assert.equal((await c.closed).code, 1000);
    }
    const update = await b.client.next('presence-update', 3000, (m) => m.username === alice.username && m.devices?.length === 1);
    assert.deepEqual(update, { type: 'presence-update', username: alice.username, online: true, devices: [a1.id] });

    const retry = await Client.connect(srv.wsUrl);
    retry.resume(x2.welcome.token, { deviceId: a2.id });
    assert.deepEqual(await retry.nextError(), { type: 'error', code: 'BAD_TOKEN', ref: 'resume' });
    // Logging in again with the password makes it an unapproved device, nothing more.
    const back = await loginDevice(alice, a2);
    back.client.send({ type: 'signal', to: bob.username, cid: cid(11), data: OFFER });
    assert.equal((await back.client.nextError()).code, 'DEVICE_NOT_APPROVED');
    // The device that stayed keeps working.
    x1.client.send({ type: 'signal', to: bob.username, cid: cid(12), data: OFFER });
    assert.equal((await b.client.next('signal')).fromDevice, a1.id);
    await Promise.all([x1.client.close(), b.client.close(), retry.close(), back.client.close()]);
  });

  test('a session token is tied to its device', async () => {
    const alice = newAccount('dev_alice10');
    const a1 = newDevice();
    const a = await registerWithList(alice, a1);
    for (const extra of [{ deviceId: newDevice().id }, {}]) {
      const c = await Client.connect(srv.wsUrl);
      c.resume(a.welcome.token, extra);
      assert.deepEqual(await c.nextError(), { type: 'error', code: 'BAD_TOKEN', ref: 'resume' });
      await c.close();
    }
    await a.client.close();
  });

  test('account reset: a new key and list replace the old; every other session ends', async () => {
    const alice = newAccount('dev_alice11');
    const a1 = newDevice();
    const a3 = newDevice('New laptop');
    const bob = newAccount('dev_bob11');
    const b1 = newDevice();
    const x1 = await registerWithList(alice, a1);
    const b = await registerWithList(bob, b1);
    const fresh = newAccount(alice.username);
    const n = await loginUser(srv, alice.username, PASSWORD, deviceLogin(fresh, a3));

    // Refused: signed by the old key, or not naming the device that resets.
    n.client.send({ type: 'account-reset', identityKey: fresh.key, devices: signedList(fresh, 1, [a3], alice.keys) });
    assert.deepEqual(await n.client.nextError(), { type: 'error', code: 'DEVICE_LIST_REFUSED', ref: 'account-reset' });
    n.client.send({ type: 'account-reset', identityKey: fresh.key, devices: signedList(fresh, 1, [newDevice()]) });
    assert.deepEqual(await n.client.nextError(), { type: 'error', code: 'DEVICE_LIST_REFUSED', ref: 'account-reset' });
    const legacy = await loginUser(srv, alice.username);
    legacy.client.send({ type: 'account-reset', identityKey: fresh.key, devices: signedList(fresh, 1, [a3]) });
    assert.deepEqual(await legacy.client.nextError(), { type: 'error', code: 'DEVICE_NOT_APPROVED', ref: 'account-reset' });

    const list = signedList(fresh, 1, [a3]);
    n.client.send({ type: 'account-reset', identityKey: fresh.key, devices: list });
    await x1.client.next('logged-out');
    await legacy.client.next('logged-out');
    assert.deepEqual(await n.client.next('devices'), { type: 'devices', username: alice.username, devices: list });
    assert.deepEqual(await b.client.next('devices'), { type: 'devices', username: alice.username, devices: list });
    b.client.send({ type: 'lookup', username: alice.username });
    assert.deepEqual(await b.client.next('identity'), { type: 'identity', username: alice.username, identityKey: fresh.key, devices: list, online: [a3.id] });
    n.client.send({ type: 'signal', to: bob.username, cid: cid(13), data: OFFER });
    assert.equal((await b.client.next('signal')).fromDevice, a3.id);

    const retry = await Client.connect(srv.wsUrl);
    retry.resume(x1.welcome.token, { deviceId: a1.id });
    assert.equal((await retry.nextError()).code, 'BAD_TOKEN');
    // The versions count from the new list on; the old key can sign nothing now.
    n.client.send({ type: 'devices-publish', devices: signedList(alice, 5, [a1]) });
    assert.equal((await n.client.nextError()).code, 'DEVICE_LIST_REFUSED');
    await Promise.all([n.client.close(), b.client.close(), retry.close()]);
  });

  test('presence: device ids in the snapshot and an update for every device that comes or goes', async () => {
    const alice = newAccount('dev_alice12');
    const a1 = newDevice();
    const a2 = newDevice();
    const bob = newAccount('dev_bob12');
    const b1 = newDevice();
    await registerWithList(alice, a1, [a1, a2]).then((r) => r.client.close());
    const b = await registerWithList(bob, b1);
    const legacy = await registerUser(srv, 'dev_legacy12');

    const x1 = await loginDevice(alice, a1);
    assert.deepEqual(await b.client.next('presence-update', 3000, (m) => m.username === alice.username), {
      type: 'presence-update',
      username: alice.username,
      online: true,
      devices: [a1.id],
    });
    assert.deepEqual(await legacy.client.next('presence-update', 3000, (m) => m.username === alice.username), { type: 'presence-update', username: alice.username, online: true });
    // Alone, her own account is not in her snapshot.
    assert.equal(x1.presence.online.includes(alice.username), false);

    const x2 = await loginDevice(alice, a2);
    const both = [a1.id, a2.id].sort();
    assert.deepEqual((await b.client.next('presence-update', 3000, (m) => m.username === alice.username)).devices, both);
    // Her other device is told too, and the new one sees the first in its snapshot.
    assert.deepEqual((await x1.client.next('presence-update', 3000, (m) => m.username === alice.username)).devices, both);
    const i = x2.presence.online.indexOf(alice.username);
    assert.ok(i >= 0);
    assert.deepEqual(x2.presence.devices?.[i], both);
    await legacy.client.expectNo('presence-update', 200, (m) => m.username === alice.username);

    await x2.client.close();
    assert.deepEqual(await b.client.next('presence-update', 3000, (m) => m.username === alice.username), {
      type: 'presence-update',
      username: alice.username,
      online: true,
      devices: [a1.id],
    });
    await x1.client.close();
    assert.deepEqual(await b.client.next('presence-update', 3000, (m) => m.username === alice.username), {
      type: 'presence-update',
      username: alice.username,
      online: false,
      devices: [],
    });
    assert.deepEqual(await legacy.client.next('presence-update', 3000, (m) => m.username === alice.username), { type: 'presence-update', username: alice.username, online: false });
    await Promise.all([b.client.close(), legacy.client.close()]);
  });

  test('an unapproved device alone does not make the account online', async () => {
    const alice = newAccount('dev_alice13');
    const a1 = newDevice();
    await registerWithList(alice, a1).then((r) => r.client.close());
    const watcher = await registerWithList(newAccount('dev_bob13'), newDevice());
    const n = await loginDevice(alice, newDevice());
    await watcher.client.expectNo('presence-update', 300, (m) => m.username === alice.username);
    assert.equal(watcher.presence.online.includes(alice.username), false);
    await Promise.all([n.client.close(), watcher.client.close()]);
  });
});

describe('devices: a database from before devices', () => {
  test('its accounts and sessions keep working; a device then publishes the first list and takes the session', async () => {
    await ready();
    const dataDir = tempDir();
    const alice = newAccount('Old_Alice');
    const token = newToken();
    const passwordHash = await createPasswordHasher({ scrypt: TEST_SCRYPT }).hashPassword(PASSWORD);
    writeSchemaV1Database(dataDir, [{ username: alice.username, passwordHash, identityKey: alice.key, sessions: [{ tokenHash: token.tokenHash, expiresAt: Date.now() + 3600_000 }] }]);
    const srv = await startServer({ dataDir });
    try {
      // The old session resumes as it did, and the password still logs in.
      const old = await Client.connect(srv.wsUrl);
      old.resume(token.token);
      assert.equal((await old.next('welcome')).username, alice.username);
      await old.close();
      const pw = await loginUser(srv, 'old_alice');
      pw.client.send({ type: 'lookup', username: 'old_alice' });
      assert.equal((await pw.client.next('identity')).identityKey, alice.key);
      await pw.client.close();

      // The upgraded browser resumes the same session as a device, with its first list.
      const a1 = newDevice();
      const list = signedList(alice, 1, [a1]);
      const dev = await Client.connect(srv.wsUrl);
      dev.resume(token.token, deviceLogin(alice, a1, list));
      const welcome = await dev.next('welcome');
      assert.equal(welcome.identityKey, alice.key);
      assert.deepEqual(welcome.devices, list);
      await dev.close();
      // From now on the session is that device's.
      const legacy = await Client.connect(srv.wsUrl);
      legacy.resume(token.token);
      assert.equal((await legacy.nextError()).code, 'BAD_TOKEN');
      await legacy.close();
    } finally {
      await srv.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('devices: link budget', () => {
  test('link frames past the relay budget are dropped with RATE_LIMITED', async () => {
    await ready();
    const srv = await startServer({ relayRateLimit: { perSecond: 1, burst: 64 * 1024 } });
    try {
      const alice = newAccount('dev_alice14');
      const a1 = newDevice();
      const a = await registerUser(srv, alice.username, PASSWORD, deviceLogin(alice, a1, signedList(alice, 1, [a1])));
      const n = await loginUser(srv, alice.username, PASSWORD, deviceLogin(alice, newDevice()));
      const big = { ...LINK, pad: 'x'.repeat(3900) };
      for (let i = 0; i < 20; i++) n.client.send({ type: 'link', data: big });
      assert.deepEqual(await n.client.nextError('RATE_LIMITED'), { type: 'error', code: 'RATE_LIMITED', ref: 'link' });
      let got = 0;
      while (a.client.queue.some((m) => m.type === 'link') || got === 0) {
        await a.client.next('link');
        got++;
      }
      assert.ok(got < 20, `${got} of 20 link frames relayed`);
      await Promise.all([a.client.close(), n.client.close()]);
    } finally {
      await srv.stop();
    }
  });
});
