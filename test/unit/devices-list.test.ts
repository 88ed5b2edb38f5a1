// Device lists (shared/devices/device-list.ts): signed by the account key, one canonical
// spelling, versioned. Forged, reordered, re-spaced, truncated, rolled-back lists, lists for
// another account, too long or with ids that do not match their keys are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { ready, identityFromSeed, encodePublicKey } from '../../shared/crypto/index';
import { lengthPrefixed, toBase64Url } from '../../shared/crypto/bytes';
import {
  DEVICE_NAME_MAX,
  MAX_DEVICES,
  canonicalDeviceList,
  deviceEntry,
  deviceIdOf,
  diffDeviceLists,
  findDevice,
  firstDeviceList,
  isDeviceId,
  parseSignedDeviceList,
  signDeviceList,
  verifyDeviceList,
  withDevice,
  withDeviceName,
  withoutDevice,
  type DeviceList,
  type SignedDeviceList,
} from '../../shared/devices/device-list';

await ready();

const T0 = 1_764_460_800_000;
const seed = (n: number) => new Uint8Array(32).fill(n);
const account = identityFromSeed(seed(1));
const other = identityFromSeed(seed(2));
const devKey = (n: number) => identityFromSeed(seed(10 + n)).publicKey;

/** A list of `n` devices, version `version`. */
function listOf(n: number, version = 1): DeviceList {
  let list = firstDeviceList('Alice', deviceEntry(devKey(0), 'Device 0', T0));
  for (let i = 1; i < n; i++) list = withDevice(list, deviceEntry(devKey(i), `Device ${i}`, T0 + i));
  return { ...list, version };
}

/** Signs any text as the list code would, bypassing signDeviceList's own checks (to forge bad lists). */
function signRaw(text: string, secretKey = account.secretKey): SignedDeviceList {
  return { list: text, sig: toBase64Url(sodium.crypto_sign_detached(lengthPrefixed(['peerchat-device-list-v1', text]), secretKey)) };
}

const opts = { accountKey: account.publicKey, account: 'alice' };

describe('device lists: signing and verifying', () => {
  test('a signed list verifies with the account key and reads back the same list', () => {
    const list = listOf(3);
    const signed = signDeviceList(list, account);
    const r = verifyDeviceList(signed, opts);
    assert.ok(r.ok);
    assert.equal(r.list.account, 'alice');
    assert.equal(r.list.version, 1);
    assert.deepEqual(
      r.list.devices.map((d) => d.name).sort(),
      ['Device 0', 'Device 1', 'Device 2'],
    );
    assert.equal(signed.list, canonicalDeviceList(list));
    assert.match(signed.sig, /^[A-Za-z0-9_-]{86}$/);
    // Survives the wire as JSON.
    assert.ok(verifyDeviceList(JSON.parse(JSON.stringify(signed)), opts).ok);
    // The account name is compared without case.
    assert.ok(verifyDeviceList(signed, { ...opts, account: 'ALICE' }).ok);
  });

  test('one list has one signed form: devices sorted by id, fixed key order, whatever the input order', () => {
    const list = listOf(4);
    const shuffled: DeviceList = { version: list.version, devices: [...list.devices].reverse(), account: list.account };
    assert.equal(signDeviceList(shuffled, account).list, signDeviceList(list, account).list);
    const ids = (JSON.parse(signDeviceList(list, account).list) as DeviceList).devices.map((d) => d.id);
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(Object.keys(JSON.parse(signDeviceList(list, account).list) as object), ['account', 'version', 'devices']);
  });

  test('a list signed by another key is refused (forged)', () => {
    assert.deepEqual(verifyDeviceList(signDeviceList(listOf(2), other), opts), { ok: false, code: 'DEVICE_LIST_SIGNATURE' });
    // ...and our list checked against another key.
    assert.deepEqual(verifyDeviceList(signDeviceList(listOf(2), account), { ...opts, accountKey: other.publicKey }), { ok: false, code: 'DEVICE_LIST_SIGNATURE' });
  });

  test('a signature over other bytes is refused: any change to the text, or another context', () => {
    const signed = signDeviceList(listOf(2), account);
    const renamed = signed.list.replace('Device 1', 'Device 9');
    assert.deepEqual(verifyDeviceList({ ...signed, list: renamed }, opts), { ok: false, code: 'DEVICE_LIST_SIGNATURE' });
    const noContext = toBase64Url(sodium.crypto_sign_detached(signed.list, account.secretKey));
    assert.deepEqual(verifyDeviceList({ ...signed, sig: noContext }, opts), { ok: false, code: 'DEVICE_LIST_SIGNATURE' });
  });

  test('a truncated list (a device removed, the old signature kept) is refused', () => {
    const signed = signDeviceList(listOf(3), account);
    const parsed = JSON.parse(signed.list) as DeviceList;
    const truncated = canonicalDeviceList({ ...parsed, devices: parsed.devices.slice(0, 2) });
    assert.deepEqual(verifyDeviceList({ list: truncated, sig: signed.sig }, opts), { ok: false, code: 'DEVICE_LIST_SIGNATURE' });
  });

  test('reordered devices are refused even when signed (not canonical)', () => {
    const list = listOf(3);
    const canonical = JSON.parse(canonicalDeviceList(list)) as DeviceList;
    const reordered = JSON.stringify({ ...canonical, devices: [...canonical.devices].reverse() });
    assert.notEqual(reordered, canonicalDeviceList(list));
    assert.deepEqual(verifyDeviceList(signRaw(reordered), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
    // Key order inside the list too.
    const keysSwapped = JSON.stringify({ version: canonical.version, account: canonical.account, devices: canonical.devices });
    assert.deepEqual(verifyDeviceList(signRaw(keysSwapped), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
  });

  test('re-spaced JSON is refused even when signed (not canonical)', () => {
    const text = canonicalDeviceList(listOf(2));
    assert.deepEqual(verifyDeviceList(signRaw(JSON.stringify(JSON.parse(text), null, 2)), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
    assert.deepEqual(verifyDeviceList(signRaw(text + ' '), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
    // The honest text signed the same way verifies (signRaw is the real signing).
    assert.ok(verifyDeviceList(signRaw(text), opts).ok);
  });

  test('an older version than one seen is refused (rollback); the same or newer is accepted', () => {
    const v3 = signDeviceList(listOf(2, 3), account);
    assert.deepEqual(verifyDeviceList(v3, { ...opts, minVersion: 4 }), { ok: false, code: 'DEVICE_LIST_ROLLBACK' });
    assert.ok(verifyDeviceList(v3, { ...opts, minVersion: 3 }).ok);
    assert.ok(verifyDeviceList(v3, { ...opts, minVersion: 1 }).ok);
    assert.ok(verifyDeviceList(v3, opts).ok);
  });

  test('a list for another account is refused', () => {
    const signed = signDeviceList({ ...listOf(1), account: 'mallory' }, account);
    assert.deepEqual(verifyDeviceList(signed, opts), { ok: false, code: 'DEVICE_LIST_ACCOUNT' });
    // An account name in capitals is not canonical.
    const text = canonicalDeviceList(listOf(1)).replace('"alice"', '"Alice"');
    assert.deepEqual(verifyDeviceList(signRaw(text), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
  });

  test(`more than ${MAX_DEVICES} devices are refused, and never signed`, () => {
    assert.ok(verifyDeviceList(signDeviceList(listOf(MAX_DEVICES), account), opts).ok);
    const tooMany = listOf(MAX_DEVICES + 1);
    assert.throws(() => signDeviceList(tooMany, account), RangeError);
    assert.deepEqual(verifyDeviceList(signRaw(canonicalDeviceList(tooMany)), opts), { ok: false, code: 'DEVICE_LIST_TOO_MANY' });
  });

  test('an id that does not match its key is refused, and never signed', () => {
    const list = listOf(2);
    const [a, b] = list.devices;
    assert.ok(a && b);
    const swapped: DeviceList = { ...list, devices: [{ ...a, key: b.key }, { ...b, key: a.key }] };
    assert.throws(() => signDeviceList(swapped, account), RangeError);
    assert.deepEqual(verifyDeviceList(signRaw(canonicalDeviceList(swapped)), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
    const madeUp: DeviceList = { ...list, devices: [{ ...a, id: 'A'.repeat(22) }] };
    assert.deepEqual(verifyDeviceList(signRaw(canonicalDeviceList(madeUp)), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
  });

  test('the same device twice is refused, and never signed', () => {
    const list = listOf(1);
    const [a] = list.devices;
    assert.ok(a);
    const twice: DeviceList = { ...list, devices: [a, { ...a, name: 'Again' }] };
    assert.throws(() => signDeviceList(twice, account), RangeError);
    assert.deepEqual(verifyDeviceList(signRaw(canonicalDeviceList(twice)), opts), { ok: false, code: 'DEVICE_LIST_BAD' });
  });

  test('malformed input is refused without throwing', () => {
    const good = signDeviceList(listOf(1), account);
    const entry = (JSON.parse(good.list) as DeviceList).devices[0]!;
    const bad: unknown[] = [
      null,
      'x',
      {},
      { list: good.list },
      { ...good, extra: 1 },
      { ...good, sig: good.sig.slice(1) },
      { ...good, sig: good.sig.slice(0, 85) + '+' },
      signRaw('not json'),
      signRaw('{"account":"alice","version":1,"devices":[]}'),
      signRaw(JSON.stringify({ account: 'alice', version: 0, devices: [entry] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1.5, devices: [entry] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1, devices: [{ ...entry, name: '' }] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1, devices: [{ ...entry, name: 'x'.repeat(DEVICE_NAME_MAX + 1) }] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1, devices: [{ ...entry, extra: 1 }] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1, devices: [{ ...entry, addedAt: -1 }] })),
      signRaw(JSON.stringify({ account: 'alice', version: 1, devices: [entry], __proto__: { x: 1 } }).replace('{"account"', '{"__proto__":{},"account"')),
    ];
    for (const x of bad) assert.deepEqual(verifyDeviceList(x, opts), { ok: false, code: 'DEVICE_LIST_BAD' }, JSON.stringify(x));
    assert.deepEqual(verifyDeviceList(good, { ...opts, accountKey: new Uint8Array(31) }), { ok: false, code: 'DEVICE_LIST_BAD' });
    assert.equal(parseSignedDeviceList({ ...good, extra: 1 }), null);
    assert.deepEqual(parseSignedDeviceList(good), good);
  });

  test('signDeviceList refuses what verifyDeviceList would refuse', () => {
    assert.throws(() => signDeviceList({ ...listOf(1), account: 'Alice' }, account), RangeError);
    assert.throws(() => signDeviceList({ ...listOf(1), version: 0 }, account), RangeError);
    assert.throws(() => signDeviceList({ ...listOf(1), devices: [] }, account), RangeError);
  });
});

describe('device lists: ids and changes', () => {
  test('a device id is 22 characters derived from the key, different per key', () => {
    const id = deviceIdOf(devKey(0));
    assert.ok(isDeviceId(id));
    assert.equal(deviceIdOf(devKey(0)), id);
    assert.notEqual(deviceIdOf(devKey(1)), id);
    assert.equal(isDeviceId('x'), false);
    assert.equal(isDeviceId(id + 'A'), false);
  });

  test('deviceEntry derives the id, encodes the key and caps the name', () => {
    const e = deviceEntry(devKey(0), 'n'.repeat(100), T0);
    assert.deepEqual(e, { id: deviceIdOf(devKey(0)), key: encodePublicKey(devKey(0)), name: 'n'.repeat(DEVICE_NAME_MAX), addedAt: T0 });
    assert.equal(deviceEntry(devKey(0), '', T0).name, 'Device');
  });

  test('firstDeviceList is version 1 with one device, account lowercased', () => {
    const list = firstDeviceList('Alice', deviceEntry(devKey(0), 'Laptop', T0));
    assert.deepEqual(list, { account: 'alice', version: 1, devices: [deviceEntry(devKey(0), 'Laptop', T0)] });
  });

  test('withDevice, withoutDevice and withDeviceName each make the next version', () => {
    const v1 = listOf(1);
    const added = deviceEntry(devKey(1), 'Phone', T0);
    const v2 = withDevice(v1, added);
    assert.equal(v2.version, 2);
    assert.deepEqual(findDevice(v2, added.id), added);
    assert.equal(v2.devices.length, 2);
    const v3 = withDeviceName(v2, added.id, 'My phone');
    assert.equal(v3.version, 3);
    assert.equal(findDevice(v3, added.id)?.name, 'My phone');
    assert.equal(findDevice(v3, v1.devices[0]!.id)?.name, 'Device 0');
    const v4 = withoutDevice(v3, added.id);
    assert.equal(v4.version, 4);
    assert.equal(findDevice(v4, added.id), undefined);
    assert.equal(v4.devices.length, 1);
    // The inputs are not changed.
    assert.equal(v1.version, 1);
    assert.equal(v1.devices.length, 1);
    assert.equal(findDevice(v2, added.id)?.name, 'Phone');
    // Every step signs and verifies, and an older one is then a rollback.
    for (const l of [v2, v3, v4]) assert.ok(verifyDeviceList(signDeviceList(l, account), { ...opts, minVersion: l.version }).ok);
    assert.deepEqual(verifyDeviceList(signDeviceList(v3, account), { ...opts, minVersion: v4.version }), { ok: false, code: 'DEVICE_LIST_ROLLBACK' });
  });

  test('withDevice with a known id replaces its entry instead of adding a second one', () => {
    const v1 = listOf(2);
    const again = deviceEntry(devKey(1), 'Renamed', T0 + 99);
    const v2 = withDevice(v1, again);
    assert.equal(v2.devices.length, 2);
    assert.deepEqual(findDevice(v2, again.id), again);
    assert.ok(verifyDeviceList(signDeviceList(v2, account), opts).ok);
  });

  test('diffDeviceLists names the devices added and removed', () => {
    const v1 = listOf(2);
    const phone = deviceEntry(devKey(5), 'Phone', T0);
    const v2 = withoutDevice(withDevice(v1, phone), v1.devices[0]!.id);
    assert.deepEqual(diffDeviceLists(v1, v2), { added: [phone], removed: [v1.devices[0]] });
    assert.deepEqual(diffDeviceLists(v1, withDeviceName(v1, v1.devices[1]!.id, 'x')), { added: [], removed: [] });
    assert.deepEqual(diffDeviceLists(null, v1), { added: v1.devices, removed: [] });
  });
});
