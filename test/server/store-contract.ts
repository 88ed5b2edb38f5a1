/**
 * The AccountStore contract, as a suite any implementation can run (SQLite now; Redis when the
 * scale-out store lands): `storeContract('name', async () => ({ store, reopen, cleanup }))`.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { AccountStore } from '../../signal-server/src/account-store';

export interface StoreFixture {
  store: AccountStore;
  /** Closes and opens the same underlying data again (persistence check). */
  reopen(): Promise<AccountStore>;
  cleanup(): Promise<void>;
}

const HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const KEY = 'A'.repeat(43);
const HOUR = 3600_000;

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

    test('using a closed store fails loudly', async () => {
      const { store } = await open();
      await store.close();
      await assert.rejects(store.getUser('x'));
      await store.close(); // idempotent
    });
  });
}
