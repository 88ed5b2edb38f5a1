/**
 * The AccountStore contract, as a suite any implementation can run (store-contract.test.ts runs
 * it against SQLite and Redis): `storeContract('name', async () => ({ store, reopen, cleanup }))`.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { AccountStore, StoredDeviceList } from '../../signal-server/src/account-store';

export interface StoreFixture {
  store: AccountStore;
  /** Closes and opens the same underlying data again (persistence check). */
  reopen(): Promise<AccountStore>;
  cleanup(): Promise<void>;
}

const HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const KEY = 'A'.repeat(43);
const HOUR = 3600_000;
/** The store never parses or verifies lists (accounts.ts does), so any text stands in for one. */
const list = (version: number, text = `list v${version}`): StoredDeviceList => ({ signed: { list: text, sig: 's'.repeat(86) }, version });

export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`AccountStore contract: ${name}`, () => {
    let fx: StoreFixture | undefined;
    const open = async (): Promise<StoreFixture> => (fx = await make());
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });

    test('createUser stores display name, lower-case key, hash and optional identity key', async () => {
      const { store } = await open();
      const r = await store.createUser('Alice_B', HASH, KEY);
      assert.equal(r.ok, true);
      const u = await store.getUser('alice_b');
      assert.ok(u);
      assert.equal(u.username, 'Alice_B');
      assert.equal(u.usernameKey, 'alice_b');
      assert.equal(u.passwordHash, HASH);
      assert.equal(u.identityKey, KEY);
      assert.ok(Math.abs(u.createdAt - Date.now()) < 5000);
      assert.equal(await store.getUser('Alice_B'), null, 'lookups are by key');
      assert.equal(await store.getUser('nobody'), null);
      const plain = await store.createUser('bob', HASH);
      assert.equal(plain.ok && plain.user.identityKey, null);
    });

    test('usernames are unique ignoring case', async () => {
      const { store } = await open();
      assert.equal((await store.createUser('carol', HASH)).ok, true);
      assert.deepEqual(await store.createUser('CAROL', HASH), { ok: false, code: 'USER_EXISTS' });
      assert.deepEqual(await store.createUser('carol', HASH), { ok: false, code: 'USER_EXISTS' });
      assert.equal((await store.getUser('carol'))?.username, 'carol');
    });

    test('setIdentityKey: the latest wins', async () => {
      const { store } = await open();
      await store.createUser('dave', HASH);
      await store.setIdentityKey('dave', KEY);
      await store.setIdentityKey('dave', 'B'.repeat(43));
      assert.equal((await store.getUser('dave'))?.identityKey, 'B'.repeat(43));
    });

    test('sessions: create, get, extend, delete; expired ones are refused and purged', async () => {
      const { store } = await open();
      await store.createUser('erin', HASH);
      const now = Date.now();
      await store.createSession('erin', 'h1', now + HOUR);
      await store.createSession('erin', 'h2', now + HOUR);
      await store.createSession('erin', 'old', now - 1);

      const s = await store.getSession('h1', now);
      assert.deepEqual(s && { ...s, createdAt: 0 }, { tokenHash: 'h1', userKey: 'erin', createdAt: 0, expiresAt: now + HOUR });
      assert.equal(await store.getSession('old', now), null);
      assert.equal(await store.getSession('unknown', now), null);

      assert.equal(await store.extendSession('h1', now + 2 * HOUR), true);
      assert.equal((await store.getSession('h1', now))?.expiresAt, now + 2 * HOUR);
      assert.equal(await store.extendSession('nope', now), false);
      assert.equal(await store.getSession('h1', now + 3 * HOUR), null, 'expired at a later time');

      assert.equal(await store.deleteSession('h2'), true);
      assert.equal(await store.deleteSession('h2'), false);
      assert.equal(await store.getSession('h2', now), null);

      await store.createSession('erin', 'p1', now + 10);
      await store.createSession('erin', 'p2', now + HOUR);
      assert.equal(await store.purgeExpiredSessions(now + 20), 1);
      assert.ok(await store.getSession('p2', now));
    });

    test('data survives closing and reopening', async () => {
      const f = await open();
      await f.store.createUser('Frank', HASH, KEY);
      await f.store.createSession('frank', 'tok', Date.now() + HOUR);
      const again = await f.reopen();
      assert.equal((await again.getUser('frank'))?.username, 'Frank');
      assert.equal((await again.getSession('tok'))?.userKey, 'frank');
    });

    test('device lists: none at first; only a higher version replaces the stored one', async () => {
      const { store } = await open();
      await store.createUser('gina', HASH, KEY);
      assert.equal((await store.getUser('gina'))?.deviceList, null);
      assert.equal(await store.setDeviceList('gina', list(2)), true);
      assert.deepEqual((await store.getUser('gina'))?.deviceList, list(2));
      assert.equal(await store.setDeviceList('gina', list(2, 'other v2')), false, 'an equal version does not replace');
      assert.equal(await store.setDeviceList('gina', list(1)), false, 'an older version does not replace');
      assert.deepEqual((await store.getUser('gina'))?.deviceList, list(2));
      assert.equal(await store.setDeviceList('gina', list(5)), true);
      assert.equal((await store.getUser('gina'))?.deviceList?.version, 5);
      assert.equal(await store.setDeviceList('nobody', list(1)), false);
      // Setting the identity key leaves the list alone.
      await store.setIdentityKey('gina', 'B'.repeat(43));
      assert.equal((await store.getUser('gina'))?.deviceList?.version, 5);
    });

    test('resetAccount replaces the key and the list whatever the stored version', async () => {
      const { store } = await open();
      await store.createUser('hank', HASH, KEY);
      await store.setDeviceList('hank', list(7));
      assert.equal(await store.resetAccount('hank', 'C'.repeat(43), list(1, 'fresh')), true);
      const u = await store.getUser('hank');
      assert.equal(u?.identityKey, 'C'.repeat(43));
      assert.deepEqual(u?.deviceList, list(1, 'fresh'));
      // Versions count from the new list on.
      assert.equal(await store.setDeviceList('hank', list(2)), true);
      assert.equal(await store.resetAccount('nobody', KEY, list(1)), false);
    });

    test('sessions belong to a device; one from before devices is bound by the first device', async () => {
      const { store } = await open();
      await store.createUser('ivy', HASH);
      const later = Date.now() + HOUR;
      await store.createSession('ivy', 'dev-a', later, 'device-a');
      await store.createSession('ivy', 'legacy', later);
      assert.equal((await store.getSession('dev-a'))?.deviceId, 'device-a');
      assert.equal((await store.getSession('legacy'))?.deviceId, undefined);
      assert.equal(await store.bindSessionDevice('dev-a', 'device-a'), true, 'already its device');
      assert.equal(await store.bindSessionDevice('dev-a', 'device-b'), false, 'another device cannot take it');
      assert.equal((await store.getSession('dev-a'))?.deviceId, 'device-a');
      assert.equal(await store.bindSessionDevice('legacy', 'device-c'), true);
      assert.equal((await store.getSession('legacy'))?.deviceId, 'device-c');
      assert.equal(await store.bindSessionDevice('legacy', 'device-b'), false);
      assert.equal(await store.bindSessionDevice('gone', 'device-a'), false);
    });

    test('deleteSessionsOf: by device, or all but one; other accounts untouched', async () => {
      const { store } = await open();
      await store.createUser('jack', HASH);
      await store.createUser('kate', HASH);
      const later = Date.now() + HOUR;
      await store.createSession('jack', 'a1', later, 'dev-a');
      await store.createSession('jack', 'a2', later, 'dev-a');
      await store.createSession('jack', 'b1', later, 'dev-b');
      await store.createSession('jack', 'c1', later, 'dev-c');
      await store.createSession('jack', 'old', later);
      await store.createSession('kate', 'k1', later, 'dev-a');
      assert.equal(await store.deleteSessionsOf('jack', { deviceIds: ['dev-a', 'dev-b'] }), 3);
      assert.equal(await store.getSession('a1'), null);
      assert.equal(await store.getSession('b1'), null);
      assert.ok(await store.getSession('c1'));
      assert.ok(await store.getSession('old'));
      assert.ok(await store.getSession('k1'), "another account's session of the same device id stays");
      assert.equal(await store.deleteSessionsOf('jack', { exceptTokenHash: 'c1' }), 1);
      assert.ok(await store.getSession('c1'));
      assert.equal(await store.getSession('old'), null);
      assert.equal(await store.deleteSessionsOf('jack', {}), 1);
      assert.equal(await store.getSession('c1'), null);
      assert.ok(await store.getSession('k1'));
    });

    test('device lists and session devices survive closing and reopening', async () => {
      const f = await open();
      await f.store.createUser('Leo', HASH, KEY);
      await f.store.setDeviceList('leo', list(3));
      await f.store.createSession('leo', 'tok', Date.now() + HOUR, 'dev-l');
      const again = await f.reopen();
      assert.deepEqual((await again.getUser('leo'))?.deviceList, list(3));
      assert.equal((await again.getSession('tok'))?.deviceId, 'dev-l');
    });

    test('using a closed store fails loudly', async () => {
      const { store } = await open();
      await store.close();
      await assert.rejects(store.getUser('x'));
      await store.close(); // idempotent
    });
  });
}
