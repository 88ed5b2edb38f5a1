// web/src/net/secure-session.ts over real crypto: two sessions wired back to back run the
// machine's effects (key lookup, early frames, handshake, sealed frames, failures, close).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { IdentityKeyPair } from '../../shared/crypto/index';
import { encodePeerFrame, newMessageId, type PeerMsg } from '../../shared/peer-protocol';
import { SecureSession, type SessionFailure } from '../../web/src/net/secure-session';
import { SecurityFailure } from '../../web/src/crypto/security-failure';
import { accountOnlyDevice } from '../../web/src/net/local-device';

import { FP_A, FP_B, alice, bob, mallory } from './support/handshake-peers';

interface Side {
  session: SecureSession;
  /** Frames this side put on the wire, not yet delivered. */
  out: Uint8Array[];
  established: number;
  messages: PeerMsg[];
  chunks: Uint8Array[];
  failures: SessionFailure[];
}

function side(role: 'initiator' | 'responder', me: IdentityKeyPair, myName: string, peerName: string, peerKey: Promise<Uint8Array>): Side {
  const s: Side = { out: [], established: 0, messages: [], chunks: [], failures: [] } as unknown as Side;
  s.session = new SecureSession({
    role,
    local: accountOnlyDevice(myName, me),
    peerName,
    peerKey: peerKey.then((accountKey) => ({ accountKey, minVersion: 0 })),
    peerDeviceId: null,
    transmit: (f) => s.out.push(f),
    onEstablished: () => s.established++,
    onMessage: (m) => s.messages.push(m),
    onChunk: (b) => s.chunks.push(b),
    acceptChunks: true,
    onFailure: (why) => s.failures.push(why),
  });
  return s;
}

/** Delivers queued frames both ways until nothing is left. */
function pump(a: Side, b: Side): void {
  for (let guard = 0; guard < 20 && (a.out.length || b.out.length); guard++) {
    for (const f of a.out.splice(0)) b.session.receive(f);
    for (const f of b.out.splice(0)) a.session.receive(f);
  }
}

function pair(keys: { forAlice?: Promise<Uint8Array>; forBob?: Promise<Uint8Array> } = {}): { a: Side; b: Side } {
  const a = side('initiator', alice, 'alice', 'bob', keys.forAlice ?? Promise.resolve(bob.publicKey));
  const b = side('responder', bob, 'bob', 'alice', keys.forBob ?? Promise.resolve(alice.publicKey));
  return { a, b };
}

const chat: PeerMsg = { type: 'chat', id: newMessageId(), text: 'hello', ts: 1_700_000_000_000 };

describe('SecureSession runner', () => {
  test('both sides establish (one hello arriving before the other side opened) and exchange sealed frames', async () => {
    const { a, b } = pair();
    await tick();
    b.session.begin({ local: FP_B, remote: FP_A });
    // Bob's hello reaches Alice before her own channel-open: it waits, then is replayed.
    for (const f of b.out.splice(0)) a.session.receive(f);
    a.session.begin({ local: FP_A, remote: FP_B });
    pump(a, b);
    assert.equal(a.established, 1);
    assert.equal(b.established, 1);
    assert.ok(a.session.keys && b.session.keys);
    assert.ok(a.session.send(chat));
    pump(a, b);
    assert.deepEqual(b.messages, [chat]);
    a.session.receive(encodePeerFrame('chunk', new Uint8Array([9, 9])));
    assert.deepEqual(a.chunks.map((c) => [...c]), [[9, 9]]);
    assert.deepEqual([...a.failures, ...b.failures], []);
    a.session.close();
    b.session.close();
  });

  test('nothing is sent before the session is established', async () => {
    const { a, b } = pair();
    await tick();
    assert.equal(a.session.send(chat), false);
    assert.equal(a.session.keys, null);
    a.session.close();
    b.session.close();
  });

  test('a wrong pinned key fails the handshake on both sides, once, and delivers nothing', async () => {
    const { a, b } = pair({ forAlice: Promise.resolve(mallory.publicKey) });
    await tick();
    a.session.begin({ local: FP_A, remote: FP_B });
    b.session.begin({ local: FP_B, remote: FP_A });
    pump(a, b);
    assert.deepEqual(a.failures.length + b.failures.length >= 1, true);
    assert.ok([...a.failures, ...b.failures].every((f) => f === 'handshake'));
    assert.ok(a.failures.length <= 1 && b.failures.length <= 1);
    assert.equal(a.established + b.established, 0);
    assert.equal(a.session.keys, null);
    a.session.close();
    b.session.close();
  });

  test('a changed key is reported as such when the channel opens', async () => {
    const { a, b } = pair({ forAlice: Promise.reject(new SecurityFailure('key-changed')) });
    await tick();
    assert.deepEqual(a.failures, []);
    a.session.begin({ local: FP_A, remote: FP_B });
    assert.deepEqual(a.failures, ['key-changed']);
    assert.deepEqual(a.out, [], 'no hello without a usable key');
    b.session.close();
  });

  test('a frame that does not open is rejected, and what follows is ignored', async () => {
    const { a, b } = pair();
    await tick();
    a.session.begin({ local: FP_A, remote: FP_B });
    b.session.begin({ local: FP_B, remote: FP_A });
    pump(a, b);
    b.session.receive(encodePeerFrame('sealed', new Uint8Array(40)));
    assert.deepEqual(b.failures, ['rejected']);
    assert.ok(a.session.send(chat));
    pump(a, b);
    assert.deepEqual(b.messages, []);
    assert.deepEqual(b.failures, ['rejected']);
    a.session.close();
  });

  test('close wipes the keys and reports nothing', async () => {
    const { a, b } = pair();
    await tick();
    a.session.begin({ local: FP_A, remote: FP_B });
    b.session.begin({ local: FP_B, remote: FP_A });
    pump(a, b);
    a.session.close();
    assert.equal(a.session.keys, null);
    assert.equal(a.session.send(chat), false);
    assert.deepEqual(a.failures, []);
    b.session.close();
  });
});
