// A contact who reset their account key (web/src/db/contacts.ts): once the person accepts the new
// key, the device-list version floor kept for the old key is gone, so the new key's list (which
// starts again at version 1) verifies; under one key, an older list is still refused.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePublicKey, generateIdentity, ready, type IdentityKeyPair } from '../../shared/crypto/index';
import { deviceEntry, firstDeviceList, signDeviceList, verifyDeviceList, withDeviceName, type DeviceList } from '../../shared/devices/device-list';
import { withAcceptedKey } from '../../web/src/db/contacts';
import type { StoredContact } from '../../web/src/db/schema';

let k1: IdentityKeyPair;
let k2: IdentityKeyPair;
let dev: IdentityKeyPair;

before(async () => {
  await ready();
  k1 = generateIdentity();
  k2 = generateIdentity();
  dev = generateIdentity();
});

function listAt(version: number): DeviceList {
  let list = firstDeviceList('bob', deviceEntry(dev.publicKey, 'One', 1));
  while (list.version < version) list = withDeviceName(list, list.devices[0]!.id, `One v${list.version + 1}`);
  return list;
}

describe('accepting a contact’s new account key', () => {
  test('the version floor resets: the new key’s v1 list verifies; under the old key a rollback is still refused', () => {
    const v5 = listAt(5);
    const contact: StoredContact = {
      conv: 'bob',
      peerName: 'bob',
      identityKey: encodePublicKey(k1.publicKey),
      devices: signDeviceList(v5, k1),
      devicesVersion: 5,
      pendingKey: encodePublicKey(k2.publicKey),
      pendingSince: 1,
    };
    // Before the person decides, the floor stands: a v1 under the old key is a rollback.
    const old = verifyDeviceList(signDeviceList(listAt(1), k1), { accountKey: k1.publicKey, account: 'bob', minVersion: contact.devicesVersion ?? 0 });
    assert.equal(old.ok, false);

    const next = withAcceptedKey(contact, encodePublicKey(k2.publicKey), 7);
    assert.ok(next);
    assert.equal(next.identityKey, encodePublicKey(k2.publicKey));
    assert.equal(next.pendingKey, undefined);
    assert.equal(next.devicesVersion ?? 0, 0, 'the floor is per account key');
    assert.equal(next.devices, undefined);
    const fresh = verifyDeviceList(signDeviceList(listAt(1), k2), { accountKey: k2.publicKey, account: 'bob', minVersion: next.devicesVersion ?? 0 });
    assert.ok(fresh.ok, 'the new key’s first list is accepted');
  });

  test('a key that is not the pending one changes nothing', () => {
    const contact: StoredContact = { conv: 'bob', peerName: 'bob', identityKey: encodePublicKey(k1.publicKey), devicesVersion: 3 };
    assert.equal(withAcceptedKey(contact, encodePublicKey(k2.publicKey)), null);
  });
});
