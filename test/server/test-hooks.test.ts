// The TEST-ONLY hooks that let e2e tests play a hostile server (signal-server/src/test-hooks.ts):
// they do nothing unless passed, and when passed they rewrite exactly what they say.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SignalData } from '../../shared/signal-protocol';
import type { LinkData, TestControl } from '../../signal-server/src/test-hooks';
import { deviceLogin, newAccount, newDevice, ready, signedList } from './device-fixtures';
import { OFFER, PASSWORD, cid, fakeKey, loginUser, registerUser, startServer } from './helpers';

describe('test hooks', () => {
  test('off by default: signals and lookups pass through untouched', async () => {
    const srv = await startServer();
    try {
      const { client: a } = await registerUser(srv, 'ann', undefined, { identityKey: fakeKey('a') });
      const { client: b } = await registerUser(srv, 'ben');
      a.send({ type: 'signal', to: 'ben', cid: cid(), data: OFFER });
      assert.deepEqual((await b.next('signal')).data, OFFER);
      b.send({ type: 'lookup', username: 'ann' });
      assert.equal((await b.next('identity')).identityKey, fakeKey('a'));
      await Promise.all([a.close(), b.close()]);
    } finally {
      await srv.stop();
    }
  });

  test('rewriteSignal, rewriteIdentityKey and tapFrame do what they say', async () => {
    const seen: Array<[string, string]> = [];
    const srv = await startServer({
      testHooks: {
        rewriteSignal: (from, to, data): SignalData => (data.type === 'offer' ? { type: 'offer', sdp: `${data.sdp}a=x-from:${from}->${to}\r\n` } : data),
        rewriteIdentityKey: (username, key) => (username === 'ann' ? fakeKey('z') : key),
        tapFrame: (dir, _conn, frame) => void seen.push([dir, frame]),
      },
    });
    try {
      const { client: a } = await registerUser(srv, 'ann', undefined, { identityKey: fakeKey('a') });
      const { client: b } = await registerUser(srv, 'ben', undefined, { identityKey: fakeKey('b') });
      a.send({ type: 'signal', to: 'ben', cid: cid(), data: OFFER });
      const got = await b.next('signal');
      assert.equal(got.data.type === 'offer' && got.data.sdp.endsWith('a=x-from:ann->ben\r\n'), true);
      b.send({ type: 'lookup', username: 'ann' });
      assert.equal((await b.next('identity')).identityKey, fakeKey('z'));
      a.send({ type: 'lookup', username: 'ben' });
      assert.equal((await a.next('identity')).identityKey, fakeKey('b'));
      assert.ok(seen.some(([d, f]) => d === 'in' && f.includes('"type":"lookup"')));
      assert.ok(seen.some(([d, f]) => d === 'out' && f.includes('"type":"welcome"')));
      await Promise.all([a.close(), b.close()]);
    } finally {
      await srv.stop();
    }
  });

  test('rewriteDevices, rewriteLink and injectLink (devices) do what they say', async () => {
    await ready();
    const alice = newAccount('hook_alice');
    const a1 = newDevice();
    const a2 = newDevice();
    const forged = signedList(newAccount('hook_alice'), 9, [newDevice()]);
    const seenLinks: Array<[string, string, string | undefined]> = [];
    let control: TestControl | undefined;
    const srv = await startServer({
      testHooks: {
        rewriteDevices: (username, devices) => (username === 'hook_alice' ? forged : devices),
        rewriteLink: (username, from, to, data): LinkData | null => {
          seenLinks.push([username, from, to]);
          return data.drop ? null : { ...data, tampered: true };
        },
        onControl: (c) => (control = c),
      },
    });
    try {
      assert.ok(control, 'the control is handed over at start');
      const a = await registerUser(srv, alice.username, PASSWORD, deviceLogin(alice, a1, signedList(alice, 1, [a1])));
      assert.deepEqual(a.welcome.devices, forged, 'welcome');
      const n = await loginUser(srv, alice.username, PASSWORD, deviceLogin(alice, a2));
      n.client.send({ type: 'lookup', username: alice.username });
      assert.deepEqual((await n.client.next('identity')).devices, forged, 'identity');
      a.client.send({ type: 'devices-publish', devices: signedList(alice, 2, [a1, a2]) });
      assert.deepEqual((await n.client.next('devices')).devices, forged, 'devices push');

      n.client.send({ type: 'link', data: { type: 'link-request' } });
      assert.deepEqual((await a.client.next('link')).data, { type: 'link-request', tampered: true });
      n.client.send({ type: 'link', toDevice: a1.id, data: { type: 'x', drop: true } });
      await a.client.expectNo('link', 200);
      assert.deepEqual(seenLinks, [
        ['hook_alice', a2.id, undefined],
        ['hook_alice', a2.id, a1.id],
      ]);

      const evil = newDevice().id;
      assert.equal(control.injectLink('HOOK_ALICE', evil, { type: 'link-challenge' }, a2.id), 1);
      assert.deepEqual(await n.client.next('link'), { type: 'link', fromDevice: evil, data: { type: 'link-challenge' } });
      await a.client.expectNo('link', 100);
      assert.equal(control.injectLink('hook_alice', evil, { type: 'link-request' }), 2);
      assert.equal(control.injectLink('nobody', evil, { type: 'link-request' }), 0);
      await Promise.all([a.client.close(), n.client.close()]);
    } finally {
      await srv.stop();
    }
  });
});
