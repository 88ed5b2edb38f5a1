// The TEST-ONLY hooks that let e2e tests play a hostile server (signal-server/src/test-hooks.ts):
// they do nothing unless passed, and when passed they rewrite exactly what they say.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SignalData } from '../../shared/signal-protocol';
import { OFFER, cid, fakeKey, registerUser, startServer } from './helpers';

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
});
