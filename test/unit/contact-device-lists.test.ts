// ContactDeviceLists (web/src/state/contact-device-lists.ts) over a fake history database: a
// newer list of a contact's, verified with the pinned key, is known at once and reported, so
// links to the devices it dropped close.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePublicKey, generateIdentity, ready, type IdentityKeyPair } from '../../shared/crypto/index';
import { deviceEntry, firstDeviceList, signDeviceList, withDevice, withoutDevice, type DeviceList } from '../../shared/devices/device-list';
import { ContactDeviceLists } from '../../web/src/state/contact-device-lists';
import type { ChatDb, StoredContact } from '../../web/src/db/schema';

let bobKey: IdentityKeyPair;
let b1: IdentityKeyPair;
let b2: IdentityKeyPair;

before(async () => {
  await ready();
  bobKey = generateIdentity();
  b1 = generateIdentity();
  b2 = generateIdentity();
  console.warn = () => undefined;
});

/** Just enough of idb for saveDevices: contacts, messages and the owed-copies store. */
function fakeDb(contact: StoredContact) {
  const contacts = new Map<string, StoredContact>([[contact.conv, contact]]);
  const store = (name: string) => ({
    get: async (k: string) => (name === 'contacts' ? contacts.get(k) : undefined),
    put: async (v: StoredContact) => void (name === 'contacts' && contacts.set(v.conv, v)),
    delete: async () => undefined,
    index: () => ({ getAllKeys: async () => [] }),
  });
  const db = {
    get: async (_s: string, k: string) => contacts.get(k),
    transaction: () => ({ objectStore: store, done: Promise.resolve() }),
  };
  return { db: db as unknown as ChatDb, contacts };
}

const flush = () => new Promise((r) => setTimeout(r, 20));

describe('contact device lists', () => {
  test('a newer list without a device: known at once and reported (its links close)', async () => {
    const v1: DeviceList = withDevice(firstDeviceList('bob', deviceEntry(b1.publicKey, 'One', 1)), deviceEntry(b2.publicKey, 'Two', 2));
    const { db } = fakeDb({ conv: 'bob', peerName: 'bob', identityKey: encodePublicKey(bobKey.publicKey), devices: signDeviceList(v1, bobKey), devicesVersion: v1.version });
    const changed: string[] = [];
    const lists = new ContactDeviceLists({
      readyDb: async () => db,
      me: () => 'alice',
      pinnedKey: () => encodePublicKey(bobKey.publicKey),
      emitMessage: () => undefined,
      refreshConversations: () => undefined,
      devicesChanged: (conv) => void changed.push(conv),
    });
    assert.equal((await lists.deviceIds('bob')).length, 2);
    const b2Id = v1.devices[1]!.id;
    const v2 = withoutDevice(v1, b2Id);
    lists.fromServer('bob', signDeviceList(v2, bobKey));
    await flush();
    assert.deepEqual(changed, ['bob']);
    assert.equal(lists.known('bob')?.version, v2.version);
    assert.ok(!lists.known('bob')?.ids.includes(b2Id));
    // A rollback under the same key changes nothing.
    lists.fromServer('bob', signDeviceList(v1, bobKey));
    await flush();
    assert.deepEqual(changed, ['bob']);
  });
});
