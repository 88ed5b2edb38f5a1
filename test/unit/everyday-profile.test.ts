// ProfileService (web/src/everyday/profile-service.ts) over a fake `profiles` store: a contact's
// profile frame sets that contact's profile and nobody else's; a wrong hash, an oversize avatar
// or an avatar that is no image is refused without a crash; my profile goes once per device
// version and again to every ready link when I change it; my own devices adopt the newest.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { toBase64Url } from '../../shared/crypto/bytes';
import { hashBytesHex } from '../../shared/crypto/file-hash';
import { parsePeerMsg, type PeerMsg } from '../../shared/peer-protocol';
import { EVERYDAY_LIMITS, type ProfileFrame } from '../../shared/messaging/everyday-messages';
import { ProfileService } from '../../web/src/everyday/profile-service';
import type { ChatDb, StoredProfileRecord } from '../../web/src/db/schema';
import type { PeerLink } from '../../web/src/net/peer-link';

const warnings: unknown[][] = [];

before(async () => {
  await ready();
  console.warn = (...args: unknown[]) => void warnings.push(args);
});

/** Just enough of idb for the `profiles` store. */
function fakeDb() {
  const rows = new Map<string, StoredProfileRecord>();
  const store = {
    get: async (k: string) => rows.get(k),
    put: async (v: StoredProfileRecord) => void rows.set(v.conv, structuredClone(v)),
  };
  const db = {
    getAll: async () => [...rows.values()],
    get: async (_s: string, k: string) => rows.get(k),
    transaction: () => ({ store, done: Promise.resolve() }),
  };
  return { db: db as unknown as ChatDb, rows };
}

function fakeLink(device: string | null) {
  const sent: PeerMsg[] = [];
  const link = { peerDeviceId: device, send: (m: PeerMsg) => (sent.push(m), true) } as unknown as PeerLink;
  return { link, sent };
}

function setup(readyLinks: Record<string, PeerLink[]> = {}) {
  const { db, rows } = fakeDb();
  const service = new ProfileService({
    readyDb: async () => db,
    me: () => 'alice',
    readyConvs: () => Object.keys(readyLinks),
    readyLinks: (c) => readyLinks[c] ?? [],
  });
  return { service, rows, db };
}

function avatarFrame(name: string, ts: number, bytes: Uint8Array, hash = hashBytesHex(bytes)): ProfileFrame {
  return { type: 'profile', name, ts, avatar: { mime: 'image/webp', data: toBase64Url(bytes), hash } };
}

const flush = () => new Promise((r) => setTimeout(r, 10));

describe('receiving profiles', () => {
  test('a contact’s frame sets that contact’s profile only: never mine, never a third account’s', async () => {
    const { service, rows } = setup();
    await service.setMine('Alice', null);
    await service.receive('bob', { type: 'profile', name: '  Bob\u202e  the builder ', ts: 10 }, false);
    assert.equal(service.state.get().profiles.get('bob')?.name, 'Bob the builder');
    assert.equal(service.state.get().profiles.get('alice')?.name, 'Alice');
    assert.deepEqual([...rows.keys()].sort(), ['alice', 'bob']);
    // The frame cannot name anyone: a field naming another account makes it no frame at all.
    assert.equal(parsePeerMsg(JSON.stringify({ type: 'profile', name: 'Carol', ts: 11, from: 'carol' })), null);
    assert.equal(parsePeerMsg(JSON.stringify({ type: 'profile', name: 'Carol', ts: 11, account: 'carol' })), null);
    // An older or equal version changes nothing.
    await service.receive('bob', { type: 'profile', name: 'Old Bob', ts: 10 }, false);
    assert.equal(service.displayName('bob'), 'Bob the builder');
  });

  test('an avatar whose bytes do not match its hash is refused (and the profile with it)', async () => {
    const { service } = setup();
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    warnings.length = 0;
    await service.receive('bob', avatarFrame('Bob', 5, bytes, hashBytesHex(new Uint8Array([9]))), false);
    assert.equal(service.state.get().profiles.get('bob'), undefined);
    assert.ok(warnings.length > 0, 'a refused profile is logged');
  });

  test('an avatar over the size cap is refused, by the parser and by the service', async () => {
    const { service } = setup();
    const big = new Uint8Array(EVERYDAY_LIMITS.maxAvatarBytes + 1).fill(7);
    assert.equal(parsePeerMsg(JSON.stringify(avatarFrame('Bob', 5, big))), null);
    await service.receive('bob', avatarFrame('Bob', 5, big), false);
    assert.equal(service.state.get().profiles.get('bob'), undefined);
  });

  test('an avatar that is no image is ignored with a warning, no crash', async () => {
    const { service } = setup();
    warnings.length = 0;
    await service.receive('bob', avatarFrame('Bob', 5, new TextEncoder().encode('not an image at all')), false);
    assert.equal(service.state.get().profiles.get('bob'), undefined);
    assert.ok(warnings.length > 0);
  });

  test('my own device’s profile is adopted as mine when newer', async () => {
    const { service } = setup();
    await service.setMine('Alice', null);
    const mineTs = service.mine()?.ts ?? 0;
    await service.receive('alice', { type: 'profile', name: 'Alice on the phone', ts: mineTs + 5 }, true);
    assert.equal(service.mine()?.name, 'Alice on the phone');
    await service.receive('alice', { type: 'profile', name: 'Older', ts: mineTs + 1 }, true);
    assert.equal(service.mine()?.name, 'Alice on the phone');
  });
});

describe('sending my profile', () => {
  test('once per device and version when a link comes up, and again to every ready link on a change', async () => {
    const bob1 = fakeLink('b1');
    const bob2 = fakeLink('b2');
    const mine = fakeLink('a2');
    const { service } = setup({ bob: [bob1.link], alice: [mine.link] });
    service.linkReady('bob', bob1.link);
    await flush();
    assert.equal(bob1.sent.length, 0, 'no profile set: nothing sent');
    await service.setMine('Alice', null);
    await flush();
    assert.equal(bob1.sent.length, 1);
    assert.equal(mine.sent.length, 1, 'my other device gets it too');
    service.linkReady('bob', bob1.link);
    service.linkReady('bob', bob2.link);
    await flush();
    assert.equal(bob1.sent.length, 1, 'that device had this version');
    assert.equal(bob2.sent.length, 1, 'another device of the same contact had not');
    await service.setMine('Alice L.', null);
    await flush();
    const last = bob1.sent.at(-1) as ProfileFrame;
    assert.equal(last.type, 'profile');
    assert.equal(last.name, 'Alice L.');
  });
});
