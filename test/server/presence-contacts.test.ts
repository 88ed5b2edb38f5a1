import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIMITS } from '../../shared/limits';
import { deviceLogin, newAccount, newDevice, ready, signedList } from './device-fixtures';
import { Client, loginUser, registerUser, waitFor, type TestServer, startServer } from './helpers';

/** A device id (22 characters base64url); an account without a device list approves any. */
const device = (fill: string): string => fill.repeat(22).slice(0, 22);

describe('presence in contacts mode', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer({ presence: 'contacts' });
  });
  after(() => srv.stop());

  test('the welcome says contacts; presence reaches only the connections that subscribed', async () => {
    const anna = await registerUser(srv, 'Anna');
    assert.equal(anna.welcome.presence, 'contacts');
    assert.deepEqual(anna.presence.online, [], 'nobody before subscribing');
    const stranger = await registerUser(srv, 'Stranger');
    assert.deepEqual(stranger.presence.online, [], 'not even Anna, who is online');

    // Anna follows Ben before he exists: a name costs no lookup, and he is heard once he comes.
    anna.client.send({ type: 'presence-subscribe', users: ['ben', 'Cleo'] });
    assert.deepEqual(await anna.client.next('presence'), { type: 'presence', online: [] });
    const ben = await registerUser(srv, 'Ben');
    assert.deepEqual(ben.presence.online, []);
    assert.deepEqual(await anna.client.next('presence-update'), { type: 'presence-update', username: 'Ben', online: true });

    // Ben follows Anna: the answer is the current state at once.
    ben.client.send({ type: 'presence-subscribe', users: ['ANNA'] });
    assert.deepEqual(await ben.client.next('presence'), { type: 'presence', online: ['Anna'] });

    await ben.client.close();
    assert.deepEqual(await anna.client.next('presence-update'), { type: 'presence-update', username: 'Ben', online: false });
    await anna.client.close();
    // The stranger followed nobody: it heard nothing about anyone.
    await stranger.client.expectNo('presence-update', 300);
    assert.equal(stranger.client.queue.length, 0, JSON.stringify(stranger.client.queue));
    await stranger.client.close();
    await waitFor(() => srv.stats().subscribedConnections === 0, 3000, 'subscriptions gone with their connections');
  });

  test('a new list replaces the old one; an empty list follows nobody', async () => {
    const w = await registerUser(srv, 'watcher');
    const d = await registerUser(srv, 'Dora');
    const e = await registerUser(srv, 'Emil');
    w.client.send({ type: 'presence-subscribe', users: ['dora'] });
    assert.deepEqual(await w.client.next('presence'), { type: 'presence', online: ['Dora'] });
    w.client.send({ type: 'presence-subscribe', users: ['emil', 'emil', 'Emil'] });
    assert.deepEqual(await w.client.next('presence'), { type: 'presence', online: ['Emil'] }, 'duplicates count once');
    await d.client.close();
    await e.client.close();
    assert.deepEqual(await w.client.next('presence-update'), { type: 'presence-update', username: 'Emil', online: false });
    await w.client.expectNo('presence-update', 200, (m) => m.username === 'Dora');
    const e2 = await loginUser(srv, 'emil');
    await w.client.next('presence-update', 3000, (m) => m.username === 'Emil' && m.online);
    w.client.send({ type: 'presence-subscribe', users: [] });
    assert.deepEqual(await w.client.next('presence'), { type: 'presence', online: [] });
    await e2.client.close();
    await w.client.expectNo('presence-update', 300);
    await w.client.close();
  });

  test('devices: the snapshot and updates carry device ids, and the own account is always heard', async () => {
    const f1 = await registerUser(srv, 'Fay', undefined, { deviceId: device('a') });
    assert.deepEqual(f1.presence, { type: 'presence', online: [], devices: [] });
    const g = await registerUser(srv, 'Gus', undefined, { deviceId: device('g') });
    g.client.send({ type: 'presence-subscribe', users: ['fay'] });
    assert.deepEqual(await g.client.next('presence'), { type: 'presence', online: ['Fay'], devices: [[device('a')]] });
    // Fay's second device: she hears it without subscribing to herself, and it sees her first one.
    const f2 = await loginUser(srv, 'fay', undefined, { deviceId: device('b') });
    const both = [device('a'), device('b')].sort();
    assert.deepEqual(f2.presence, { type: 'presence', online: ['Fay'], devices: [both] });
    assert.deepEqual(await f1.client.next('presence-update'), { type: 'presence-update', username: 'Fay', online: true, devices: both });
    assert.deepEqual(await g.client.next('presence-update'), { type: 'presence-update', username: 'Fay', online: true, devices: both });
    await Promise.all([f1.client.close(), f2.client.close(), g.client.close()]);
  });

  test('a new device list goes to the account\'s own devices and its subscribers only', async () => {
    await ready();
    const ida = newAccount('Ida');
    const i1 = newDevice();
    const i2 = newDevice();
    const ida1 = await registerUser(srv, ida.username, undefined, deviceLogin(ida, i1, signedList(ida, 1, [i1])));
    const follower = await registerUser(srv, 'follower', undefined, { deviceId: device('f') });
    const other = await registerUser(srv, 'other', undefined, { deviceId: device('o') });
    follower.client.send({ type: 'presence-subscribe', users: ['ida'] });
    await follower.client.next('presence');
    const v2 = signedList(ida, 2, [i1, i2]);
    ida1.client.send({ type: 'devices-publish', devices: v2 });
    for (const c of [ida1, follower]) assert.deepEqual(await c.client.next('devices'), { type: 'devices', username: 'Ida', devices: v2 });
    await other.client.expectNo('devices', 300);
    await Promise.all([ida1.client.close(), follower.client.close(), other.client.close()]);
  });

  test('refused: more names than the cap, bad names, bad shapes (BAD_MESSAGE); before login (NOT_LOGGED_IN)', async () => {
    const anon = await Client.connect(srv.wsUrl);
    anon.send({ type: 'presence-subscribe', users: ['someone'] });
    assert.deepEqual(await anon.nextError(), { type: 'error', code: 'NOT_LOGGED_IN', ref: 'presence-subscribe' });
    await anon.close();

    const h = await registerUser(srv, 'Hana');
    const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `user${i}`);
    for (const users of [names(LIMITS.maxPresenceSubscriptions + 1), ['x'.repeat(LIMITS.usernameMax + 1)], [''], [42], 'ben', null]) {
      h.client.send({ type: 'presence-subscribe', users });
      assert.deepEqual(await h.client.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'presence-subscribe' }, JSON.stringify(users).slice(0, 40));
    }
    h.client.send({ type: 'presence-subscribe' });
    assert.deepEqual(await h.client.nextError(), { type: 'error', code: 'BAD_MESSAGE', ref: 'presence-subscribe' });
    // Exactly the cap is fine.
    h.client.send({ type: 'presence-subscribe', users: names(LIMITS.maxPresenceSubscriptions) });
    assert.deepEqual(await h.client.next('presence'), { type: 'presence', online: [] });
    await waitFor(() => srv.stats().subscribedConnections === 1, 3000, 'only this connection subscribed');
    await h.client.close();
    await waitFor(() => srv.stats().subscribedConnections === 0, 3000, 'subscriptions gone with the connection');
  });
});

describe('presence in open mode (the default)', () => {
  test('the welcome says open; presence-subscribe changes nothing: everyone still hears about everyone', async () => {
    const srv = await startServer();
    try {
      const a = await registerUser(srv, 'Ada');
      assert.equal(a.welcome.presence, 'open');
      a.client.send({ type: 'presence-subscribe', users: ['nobody'] });
      const b = await registerUser(srv, 'Bob');
      assert.deepEqual(b.presence.online, ['Ada']);
      assert.deepEqual(await a.client.next('presence-update'), { type: 'presence-update', username: 'Bob', online: true });
      assert.equal(a.client.queue.filter((m) => m.type === 'presence').length, 0, 'no snapshot answer in open mode');
      assert.equal(srv.stats().subscribedConnections, 0);
      await Promise.all([a.client.close(), b.client.close()]);
    } finally {
      await srv.stop();
    }
  });
});
