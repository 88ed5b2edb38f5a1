// OwnDevices: the account's own list as this browser knows it (web/src/devices/own-devices.ts).
// IndexedDB is absent in Node: the persistence calls fail and are logged, which the service
// survives by design; what is checked here is what it accepts, refuses, publishes and decides.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePublicKey, generateIdentity, ready, type IdentityKeyPair } from '../../shared/crypto/index';
import { deviceEntry, deviceIdOf, firstDeviceList, signDeviceList, verifyDeviceList, withDevice, withoutDevice, type DeviceList } from '../../shared/devices/device-list';
import type { ClientMsg, ServerMsg } from '../../shared/signal-protocol';
import { OwnDevices } from '../../web/src/devices/own-devices';
import type { DeviceKeys } from '../../web/src/crypto/device-identity';

let account: IdentityKeyPair;
let device: IdentityKeyPair;
let keys: DeviceKeys;

before(async () => {
  await ready();
  account = generateIdentity();
  device = generateIdentity();
  keys = { account, device, deviceId: deviceIdOf(device.publicKey) };
  // The service logs each failed IndexedDB call; keep the test output readable.
  console.warn = () => undefined;
});

function setup(k: DeviceKeys = keys) {
  const sent: ClientMsg[] = [];
  const unlinked: string[] = [];
  let now = 1_000;
  const own = new OwnDevices({ send: (m) => (sent.push(m), true), unlinked: (c) => void unlinked.push(c), now: () => now });
  return { own, sent, unlinked, k, tick: (ms: number) => (now += ms) };
}

const welcome = (devices: unknown): ServerMsg =>
  ({ type: 'welcome', v: 1, username: 'alice', token: 't'.repeat(43), expiresAt: 0, iceServers: [], devices }) as unknown as ServerMsg;

function listWithMe(): DeviceList {
  return firstDeviceList('alice', deviceEntry(device.publicKey, 'Chromium on Linux', 1));
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('own device list', () => {
  test('a browser with the account key and no list publishes the first one with the login', async () => {
    const { own } = setup();
    const fields = await own.prepare('alice', keys);
    assert.equal(fields.deviceId, keys.deviceId);
    assert.ok(fields.identityKey);
    const check = verifyDeviceList(fields.devices, { accountKey: account.publicKey, account: 'alice' });
    assert.ok(check.ok);
    assert.equal(check.list.version, 1);
    assert.deepEqual(check.list.devices.map((d) => d.id), [keys.deviceId]);
  });

  test('without the account key: no key, no list, and the welcome makes it pending', async () => {
    const { own } = setup();
    const fields = await own.prepare('alice', { ...keys, account: null });
    assert.equal(fields.identityKey, undefined);
    assert.equal(fields.devices, undefined);
    own.handleServerMessage(welcome(signDeviceList(listWithMe(), account)));
    assert.equal(own.state.get().status, 'pending');
  });

  test('a device that holds the account key never waits for approval on the server’s word: another key is refused and shown', async () => {
    const { own, sent, unlinked } = setup();
    await own.prepare('alice', keys);
    const fresh = generateIdentity();
    const other = generateIdentity();
    const theirs = firstDeviceList('alice', deviceEntry(other.publicKey, 'Firefox on Linux', 5));
    own.handleServerMessage({ ...(welcome(signDeviceList(theirs, fresh)) as object), identityKey: encodePublicKey(fresh.publicKey) } as ServerMsg);
    await flush();
    assert.equal(own.state.get().status, 'approved', 'not pending: nothing starts a link');
    assert.equal(own.state.get().refused, 'ACCOUNT_KEY_MISMATCH');
    assert.equal(own.state.get().list, null, 'the server’s list is not taken');
    assert.deepEqual(sent, [], 'nothing sent');
    assert.deepEqual(unlinked, [], 'not logged out, the key not forgotten');
    assert.equal(own.deviceKeys?.account, account, 'the held account key stays');
  });

  test('a list not signed by the held account key (welcome or push) is refused and shown', async () => {
    const { own, sent, unlinked } = setup();
    await own.prepare('alice', keys);
    const fresh = generateIdentity();
    // The same key claimed, but a list signed by another one (and naming this device).
    own.handleServerMessage({ ...(welcome(signDeviceList(listWithMe(), fresh)) as object), identityKey: encodePublicKey(account.publicKey) } as ServerMsg);
    await flush();
    assert.equal(own.state.get().status, 'approved');
    assert.equal(own.state.get().refused, 'ACCOUNT_KEY_MISMATCH');
    assert.equal(own.state.get().list, null);
    const { own: own2 } = setup();
    await own2.prepare('alice', keys);
    own2.handleServerMessage(welcome(signDeviceList(listWithMe(), account)));
    await flush();
    assert.equal(own2.state.get().refused, null);
    own2.handleServerMessage({ type: 'devices', username: 'alice', devices: signDeviceList({ ...listWithMe(), version: 2 }, fresh) } as ServerMsg);
    await flush();
    assert.equal(own2.state.get().status, 'approved');
    assert.equal(own2.state.get().refused, 'ACCOUNT_KEY_MISMATCH');
    assert.equal(own2.state.get().list?.version, 1, 'the verified list stays');
    assert.deepEqual(sent, []);
    assert.deepEqual(unlinked, []);
  });

  test('a welcome without a list (an account from before devices) publishes ours', async () => {
    const { own, sent } = setup();
    await own.prepare('alice', keys);
    own.handleServerMessage(welcome(null));
    assert.equal(sent[0]?.type, 'devices-publish');
    assert.equal(own.state.get().status, 'approved');
  });

  test('a verified list naming us is approved; forged and rolled-back lists are refused', async () => {
    const { own } = setup();
    await own.prepare('alice', keys);
    const other = generateIdentity();
    const v2 = withDevice(listWithMe(), deviceEntry(other.publicKey, 'Firefox on Linux', 2));
    own.handleServerMessage(welcome(signDeviceList(v2, account)));
    await flush();
    assert.equal(own.state.get().status, 'approved');
    assert.equal(own.state.get().list?.version, 2);
    // Signed by another key: refused.
    const forged = withoutDevice(v2, deviceIdOf(other.publicKey));
    own.handleServerMessage({ type: 'devices', username: 'alice', devices: signDeviceList(forged, generateIdentity()) });
    await flush();
    assert.equal(own.state.get().list?.version, 2);
    // Older than what we saw: refused (it would bring back a removed device).
    own.handleServerMessage({ type: 'devices', username: 'alice', devices: signDeviceList(listWithMe(), account) });
    await flush();
    assert.equal(own.state.get().list?.version, 2);
    assert.equal(own.state.get().list?.devices.length, 2);
  });

  test('a list without this device: unlinked, logged out with the reason', async () => {
    const { own, unlinked } = setup();
    await own.prepare('alice', keys);
    const other = generateIdentity();
    const v2 = withDevice(listWithMe(), deviceEntry(other.publicKey, 'Firefox on Linux', 2));
    own.handleServerMessage(welcome(signDeviceList(v2, account)));
    await flush();
    own.handleServerMessage({ type: 'devices', username: 'alice', devices: signDeviceList(withoutDevice(v2, keys.deviceId), account) });
    await flush();
    assert.deepEqual(unlinked, ['DEVICE_UNLINKED']);
  });

  test('unlink and rename publish the next version signed with the account key', async () => {
    const { own, sent } = setup();
    await own.prepare('alice', keys);
    const other = generateIdentity();
    const otherId = deviceIdOf(other.publicKey);
    own.handleServerMessage(welcome(signDeviceList(withDevice(listWithMe(), deviceEntry(other.publicKey, 'Firefox on Linux', 2)), account)));
    await flush();
    assert.equal(own.unlink(keys.deviceId), false, 'not this device');
    assert.ok(own.unlink(otherId));
    assert.ok(own.rename(otherId, '  Laptop  '));
    const [unlinked, renamed] = sent.filter((m): m is Extract<ClientMsg, { type: 'devices-publish' }> => m.type === 'devices-publish');
    const u = verifyDeviceList(unlinked?.devices, { accountKey: account.publicKey, account: 'alice', minVersion: 3 });
    assert.ok(u.ok);
    assert.deepEqual(u.list.devices.map((d) => d.id), [keys.deviceId]);
    const r = verifyDeviceList(renamed?.devices, { accountKey: account.publicKey, account: 'alice', minVersion: 3 });
    assert.ok(r.ok);
    assert.equal(r.list.devices.find((d) => d.id === otherId)?.name, 'Laptop');
  });

  test('presence of our own devices: online now, and when last seen', async () => {
    const { own, tick } = setup();
    await own.prepare('alice', keys);
    const other = deviceIdOf(generateIdentity().publicKey);
    own.handleServerMessage({ type: 'presence', online: ['bob', 'alice'], devices: [[], [keys.deviceId, other]] });
    assert.deepEqual([...own.state.get().online], [other]);
    tick(60_000);
    own.handleServerMessage({ type: 'presence-update', username: 'alice', online: true, devices: [keys.deviceId] });
    assert.deepEqual([...own.state.get().online], []);
    assert.equal(own.state.get().lastSeen.get(other), 61_000);
  });
});
