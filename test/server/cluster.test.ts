/**
 * Two instances on one Redis (a real redis-server started here): users on different instances
 * see each other, relay signals both ways, reach one device exactly, share the session cap, and
 * get each other's device lists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ServerMsg } from '../../shared/signal-protocol';
import { Client, cid, fakeKey, OFFER, registerUser, sleep, startServer, type LoggedIn, type TestServer } from './helpers';
import { newAccount, newDevice, ready, signedList } from './device-fixtures';
import { RedisProcess } from './redis-process';

let redis: RedisProcess;
/** Device ids by name (the protocol wants real ones). */
const dev = { alice1: '', bob1: '', carol1: '', carol2: '', dave: '', gina: '' };
before(async () => {
  await ready();
  for (const name of Object.keys(dev) as Array<keyof typeof dev>) dev[name] = newDevice().id;
  redis = await RedisProcess.start();
});
after(async () => {
  await redis.dispose();
});

let prefixes = 0;
/** Two instances sharing Redis under a prefix of their own (so tests never meet). */
async function twoInstances(extra: Parameters<typeof startServer>[0] = {}): Promise<[TestServer, TestServer]> {
  const r = { url: redis.url, prefix: `cluster-${++prefixes}:` };
  const a = await startServer({ presence: 'open', ...extra, redis: { ...r, instanceId: 'a' } });
  const b = await startServer({ presence: 'open', ...extra, redis: { ...r, instanceId: 'b' } });
  return [a, b];
}

type Presence = Extract<ServerMsg, { type: 'presence' }>;

/** Resolves once `client` knows `username` online with exactly `devices` (snapshot or update). */
async function seesDevices(who: LoggedIn, username: string, unsorted: string[]): Promise<void> {
  // The server sends device ids sorted.
  const devices = [...unsorted].sort();
  const snap: Presence = who.presence;
  const i = snap.online.indexOf(username);
  if (i >= 0 && JSON.stringify(snap.devices?.[i]) === JSON.stringify(devices)) return;
  await who.client.next('presence-update', 3000, (m) => m.username === username && JSON.stringify(m.devices) === JSON.stringify(devices));
}

test('cluster: users on two instances see each other and relay signals both ways', async () => {
  const [a, b] = await twoInstances();
  try {
    const alice = await registerUser(a, 'alice', undefined, { identityKey: fakeKey('A'), deviceId: dev.alice1 });
    const bob = await registerUser(b, 'bob', undefined, { identityKey: fakeKey('B'), deviceId: dev.bob1 });
    await seesDevices(alice, 'bob', [dev.bob1]);
    await seesDevices(bob, 'alice', [dev.alice1]);

    alice.client.send({ type: 'signal', to: 'bob', cid: cid(1), data: OFFER });
    const got = await bob.client.next('signal');
    assert.deepEqual(got, { type: 'signal', from: 'alice', fromDevice: dev.alice1, cid: cid(1), data: OFFER });
    bob.client.send({ type: 'signal', to: 'Alice', cid: cid(2), data: { type: 'answer', sdp: 'v=0' } });
    assert.equal((await alice.client.next('signal')).from, 'bob');

    bob.client.send({ type: 'lookup', username: 'alice' });
    const identity = await bob.client.next('identity');
    assert.deepEqual(identity.online, [dev.alice1], 'lookup sees the devices online on the other instance');

    // Gone from its instance: offline on the other too, and signals get PEER_OFFLINE.
    await alice.client.close();
    await bob.client.next('presence-update', 3000, (m) => m.username === 'alice' && !m.online);
    bob.client.send({ type: 'signal', to: 'alice', cid: cid(3), data: OFFER });
    assert.equal((await bob.client.nextError('PEER_OFFLINE')).cid, cid(3));
    await bob.client.close();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('cluster: a device-targeted signal reaches only that device, wherever it is connected', async () => {
  const [a, b] = await twoInstances();
  try {
    const carol1 = await registerUser(a, 'carol', undefined, { identityKey: fakeKey('C'), deviceId: dev.carol1 });
    const carol2 = await Client.connect(b.wsUrl);
    carol2.login('carol', undefined, { identityKey: fakeKey('C'), deviceId: dev.carol2 });
    await carol2.next('welcome');
    const dave = await registerUser(b, 'dave', undefined, { identityKey: fakeKey('D'), deviceId: dev.dave });
    await seesDevices(dave, 'carol', [dev.carol1, dev.carol2]);

    dave.client.send({ type: 'signal', to: 'carol', toDevice: dev.carol1, cid: cid(1), data: OFFER });
    assert.equal((await carol1.client.next('signal')).cid, cid(1), 'the device on the other instance got it');
    dave.client.send({ type: 'signal', to: 'carol', toDevice: dev.carol2, cid: cid(2), data: OFFER });
    assert.equal((await carol2.next('signal')).cid, cid(2), 'the device on the same instance got it');
    await carol1.client.expectNo('signal', 300);
    await carol2.expectNo('signal', 0, (m) => m.cid === cid(1));
    await Promise.all([carol1.client.close(), carol2.close(), dave.client.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('cluster: the session cap counts connections on every instance', async () => {
  const [a, b] = await twoInstances({ maxSessionsPerAccount: 2 });
  try {
    const first = await registerUser(a, 'erin');
    const second = await Client.connect(b.wsUrl);
    second.login('erin');
    await second.next('welcome');
    const third = await Client.connect(a.wsUrl);
    third.login('erin');
    assert.equal((await third.nextError('TOO_MANY_SESSIONS')).ref, 'login');
    const fourth = await Client.connect(b.wsUrl);
    fourth.login('erin');
    assert.equal((await fourth.nextError('TOO_MANY_SESSIONS')).ref, 'login');
    await Promise.all([first.client.close(), second.close(), third.close(), fourth.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('cluster: a device list stored on one instance reaches the other; an unlinked device there is logged out', async () => {
  const [a, b] = await twoInstances();
  try {
    const frank = newAccount('frank');
    const laptop = newDevice('Laptop');
    const phone = newDevice('Phone');
    const both = signedList(frank, 1, [laptop, phone]);
    const onA = await registerUser(a, 'frank', undefined, { identityKey: frank.key, deviceId: laptop.id, devices: both });
    const onB = await Client.connect(b.wsUrl);
    onB.login('frank', undefined, { identityKey: frank.key, deviceId: phone.id });
    await onB.next('welcome');
    const gina = await registerUser(b, 'gina', undefined, { identityKey: fakeKey('G'), deviceId: dev.gina });
    await seesDevices(gina, 'frank', [laptop.id, phone.id].sort());

    onA.client.send({ type: 'devices-publish', devices: signedList(frank, 2, [laptop]) });
    const heard = await gina.client.next('devices', 3000, (m) => m.username === 'frank');
    assert.equal(heard.devices.list, signedList(frank, 2, [laptop]).list);
    await onB.next('logged-out');
    assert.equal((await onB.closed).code, 1000);
    await seesDevices(gina, 'frank', [laptop.id]);
    await Promise.all([onA.client.close(), gina.client.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('cluster, contacts mode: presence crosses instances only to the subscribers of the account', async () => {
  const [a, b] = await twoInstances({ presence: 'contacts' });
  try {
    const hana = await registerUser(a, 'hana', undefined, { identityKey: fakeKey('H'), deviceId: dev.alice1 });
    const ivo = await registerUser(b, 'ivo', undefined, { identityKey: fakeKey('I'), deviceId: dev.bob1 });
    const jon = await registerUser(b, 'jon', undefined, { identityKey: fakeKey('J'), deviceId: dev.dave });
    ivo.client.send({ type: 'presence-subscribe', users: ['hana'] });
    // The answer to the subscription already knows hana, who is on the other instance.
    const snap = await ivo.client.next('presence');
    assert.deepEqual([snap.online, snap.devices], [['hana'], [[dev.alice1]]]);

    const hana2 = await Client.connect(a.wsUrl);
    hana2.login('hana', undefined, { identityKey: fakeKey('H'), deviceId: dev.carol1 });
    await hana2.next('welcome');
    await ivo.client.next('presence-update', 3000, (m) => m.username === 'hana' && m.devices?.length === 2);
    await jon.client.expectNo('presence-update', 300, (m) => m.username === 'hana');
    // Her own other device hears it exactly once (from its own instance, not also relayed).
    await hana.client.next('presence-update', 3000, (m) => m.username === 'hana' && m.devices?.length === 2);
    await hana.client.expectNo('presence-update', 300, (m) => m.username === 'hana');
    await Promise.all([hana.client.close(), hana2.close(), ivo.client.close(), jon.client.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('cluster: logging out ends the same session in tabs on the other instance, and only there', async () => {
  const [a, b] = await twoInstances();
  try {
    const key = { identityKey: fakeKey('K') };
    const tab1 = await registerUser(a, 'kim', undefined, { ...key, deviceId: dev.carol1 });
    // A second tab of the same browser (same token and device) on the other instance.
    const tab2 = await Client.connect(b.wsUrl);
    tab2.resume(tab1.welcome.token, { ...key, deviceId: dev.carol1 });
    await tab2.next('welcome');
    const phone = await Client.connect(b.wsUrl);
    phone.login('kim', undefined, { ...key, deviceId: dev.carol2 });
    await phone.next('welcome');
    // Instance A has heard of both connections on B once its users see the phone online (the
    // tab's `up` was published before the phone's, on the same channel).
    const lou = await registerUser(a, 'lou', undefined, { identityKey: fakeKey('L'), deviceId: dev.gina });
    await seesDevices(lou, 'kim', [dev.carol1, dev.carol2]);

    tab1.client.send({ type: 'logout' });
    await tab1.client.next('logged-out');
    await tab2.next('logged-out');
    const closed = await Promise.race([tab2.closed, sleep(3000).then(() => null)]);
    assert.equal(closed?.code, 1000, 'the tab on the other instance was closed too');
    await phone.expectNo('logged-out', 300);
    await Promise.all([phone.close(), lou.client.close()]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
