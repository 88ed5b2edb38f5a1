import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecureChannel, ChannelError, type ChannelErrorCode, type SecureChannel, type SecureChannelOptions } from '../../shared/secure-channel';
import {
  decodePeerFrame,
  decodePeerMsg,
  encodePeerFrame,
  encodePeerMsg,
  newMessageId,
  PEER_FRAME_KINDS,
  type PeerMsg,
} from '../../shared/peer-protocol';
import { LIMITS } from '../../shared/limits';

import { FP_A, FP_B, alice, bob, mallory } from './support/handshake-peers';
/**
 * Each mutation needs a fresh session (a rejection kills the channel), ~2 ms each. The crypto
 * core's own tests (crypto-chat-stream) fuzz the secretstream itself 10,000+ times.
 */
const MUTATIONS = 2_000;

function opts(over: { a?: Partial<SecureChannelOptions>; b?: Partial<SecureChannelOptions> } = {}): { a: SecureChannelOptions; b: SecureChannelOptions } {
  return {
    a: { role: 'initiator', myName: 'alice', peerName: 'bob', myIdentity: alice, peerIdentityKey: bob.publicKey, myFingerprint: FP_A, peerFingerprint: FP_B, ...over.a },
    b: { role: 'responder', myName: 'bob', peerName: 'alice', myIdentity: bob, peerIdentityKey: alice.publicKey, myFingerprint: FP_B, peerFingerprint: FP_A, ...over.b },
  };
}

/** Runs both sides to completion the way two browsers would (both start on open, ordered channel). */
function connect(o = opts()): { a: SecureChannel; b: SecureChannel } {
  const a = createSecureChannel(o.a);
  const b = createSecureChannel(o.b);
  const toB = [a.start()];
  const toA = [b.start()];
  for (let guard = 0; guard < 10 && (toA.length || toB.length); guard++) {
    while (toB.length) toA.push(...b.receive(toB.shift()).send);
    while (toA.length) toB.push(...a.receive(toA.shift()).send);
  }
  return { a, b };
}

function chat(text: string): PeerMsg {
  return { type: 'chat', id: newMessageId(), text, ts: 1_700_000_000_000 };
}

function expectChannelError(fn: () => unknown, code: ChannelErrorCode): void {
  assert.throws(fn, (e: unknown) => e instanceof ChannelError && e.code === code);
}

/** mulberry32: deterministic PRNG so a fuzz failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('peer frames', () => {
  test('encode/decode round trip, and every kind byte is distinct', () => {
    const body = new Uint8Array([1, 2, 3]);
    for (const kind of Object.keys(PEER_FRAME_KINDS) as (keyof typeof PEER_FRAME_KINDS)[]) {
      const f = decodePeerFrame(encodePeerFrame(kind, body));
      assert.ok(f);
      assert.equal(f.kind, kind);
      assert.deepEqual([...f.body], [1, 2, 3]);
    }
    assert.equal(new Set(Object.values(PEER_FRAME_KINDS)).size, Object.keys(PEER_FRAME_KINDS).length);
  });

  test('refuses text, empty, unknown kinds and oversized frames', () => {
    assert.equal(decodePeerFrame('{"type":"chat"}'), null);
    assert.equal(decodePeerFrame(new Uint8Array(0)), null);
    assert.equal(decodePeerFrame(new Uint8Array([PEER_FRAME_KINDS.sealed])), null);
    assert.equal(decodePeerFrame(new Uint8Array([0x00, 1, 2])), null);
    assert.equal(decodePeerFrame(new Uint8Array([0xff, 1, 2])), null);
    assert.equal(decodePeerFrame(new Uint8Array(LIMITS.maxPeerFrameBytes + 1).fill(PEER_FRAME_KINDS.sealed)), null);
    assert.equal(decodePeerFrame(null), null);
    assert.equal(decodePeerFrame({ 0: 2, length: 3 }), null);
    const ab = encodePeerFrame('sealed', new Uint8Array([9])).slice().buffer;
    assert.equal(decodePeerFrame(ab)?.kind, 'sealed');
  });

  test('message plaintext round trip; invalid UTF-8 and bad shapes are null', () => {
    const m = chat('héllo 👋');
    assert.deepEqual(decodePeerMsg(encodePeerMsg(m)), m);
    assert.equal(decodePeerMsg(new Uint8Array([0xff, 0xfe])), null);
    assert.equal(decodePeerMsg(new TextEncoder().encode('{"type":"chat"}')), null);
    assert.equal(decodePeerMsg(new TextEncoder().encode('{"type":"ack","id":"x","__proto__":{}}')), null);
  });
});

describe('secure channel', () => {
  test('honest peers come up with matching keys and exchange sealed messages both ways', () => {
    const { a, b } = connect();
    assert.equal(a.state, 'established');
    assert.equal(b.state, 'established');
    assert.deepEqual(a.keys?.txKey, b.keys?.rxKey);
    assert.deepEqual(a.keys?.rxKey, b.keys?.txKey);
    assert.deepEqual(a.keys?.transcriptHash, b.keys?.transcriptHash);
    for (let i = 0; i < 20; i++) {
      const m1 = chat(`a→b ${i}`);
      assert.deepEqual(b.receive(a.seal(m1)).message, m1);
      const m2: PeerMsg = { type: 'ack', id: m1.type === 'chat' ? m1.id : '' };
      assert.deepEqual(a.receive(b.seal(m2)).message, m2);
    }
  });

  test('the session comes up on exactly one receive per side, with no frame left to send', () => {
    const a = createSecureChannel(opts().a);
    const b = createSecureChannel(opts().b);
    const helloA = a.start();
    const helloB = b.start();
    const r1 = b.receive(helloA);
    const r2 = a.receive(helloB);
    assert.equal(r1.send.length, 1); // hs-auth
    const r3 = a.receive(r1.send[0]);
    const r4 = b.receive(r2.send[0]);
    assert.equal(r3.send.length, 1); // hs-confirm
    const r5 = b.receive(r3.send[0]);
    const r6 = a.receive(r4.send[0]);
    assert.deepEqual([r5.established, r6.established, r5.send.length, r6.send.length], [true, true, 0, 0]);
  });

  test('sealed frames carry no plaintext', () => {
    const { a } = connect();
    const secret = 'canary-' + newMessageId();
    const frame = a.seal(chat(secret));
    assert.equal(Buffer.from(frame).includes(Buffer.from(secret)), false);
  });

  for (const [what, o] of [
    ['a swapped responder fingerprint (as alice saw it)', opts({ a: { peerFingerprint: FP_A } })],
    ['a swapped initiator fingerprint (as bob saw it)', opts({ b: { peerFingerprint: FP_B } })],
    ['a substituted identity key pinned by alice', opts({ a: { peerIdentityKey: mallory.publicKey } })],
    ['a substituted identity key pinned by bob', opts({ b: { peerIdentityKey: mallory.publicKey } })],
    ['an impostor key pair on bob’s side', opts({ b: { myIdentity: mallory } })],
    ['a name mismatch', opts({ a: { peerName: 'bobby' } })],
  ] as const) {
    test(`handshake fails with ${what}, and nothing can be sealed`, () => {
      assert.throws(() => connect(o), (e: unknown) => e instanceof ChannelError && e.code === 'HANDSHAKE_FAILED');
    });
  }

  test('the failing side is dead afterwards; seal() refuses', () => {
    const o = opts({ a: { peerIdentityKey: mallory.publicKey } });
    const a = createSecureChannel(o.a);
    const b = createSecureChannel(o.b);
    const ha = a.start();
    const hb = b.start();
    const authB = b.receive(ha).send[0];
    a.receive(hb);
    expectChannelError(() => a.receive(authB), 'HANDSHAKE_FAILED');
    assert.equal(a.state, 'failed');
    assert.equal(a.keys, null);
    expectChannelError(() => a.seal(chat('x')), 'CLOSED');
    expectChannelError(() => a.receive(authB), 'CLOSED');
  });

  test('phase rules: no sealed or chunk frame during the handshake, no handshake frame after it, no text ever', () => {
    const a = createSecureChannel(opts().a);
    expectChannelError(() => a.receive(encodePeerFrame('handshake', new Uint8Array([1]))), 'PROTOCOL'); // before start
    const a2 = createSecureChannel(opts().a);
    a2.start();
    expectChannelError(() => a2.receive(encodePeerFrame('sealed', new Uint8Array(40))), 'PROTOCOL');
    const a3 = createSecureChannel(opts().a);
    a3.start();
    expectChannelError(() => a3.receive(encodePeerFrame('chunk', new Uint8Array(40))), 'PROTOCOL');
    const a4 = createSecureChannel(opts().a);
    a4.start();
    expectChannelError(() => a4.receive('{"type":"hs-hello"}'), 'PROTOCOL');
    const { a: a5 } = connect();
    expectChannelError(() => a5.receive(encodePeerFrame('handshake', new TextEncoder().encode('{}'))), 'PROTOCOL');
    const { a: a6 } = connect();
    expectChannelError(() => a6.receive(new TextEncoder().encode('plain')), 'PROTOCOL');
    expectChannelError(() => a6.seal(chat('after failure')), 'CLOSED');
  });

  test('a replayed handshake frame is rejected', () => {
    const a = createSecureChannel(opts().a);
    const b = createSecureChannel(opts().b);
    const ha = a.start();
    b.start();
    b.receive(ha);
    expectChannelError(() => b.receive(ha), 'HANDSHAKE_FAILED');
  });

  test('replayed, reordered, dropped and truncated sealed frames are rejected and kill the channel', () => {
    const cases: Array<[string, (frames: Uint8Array[]) => Uint8Array[]]> = [
      ['replay', (f) => [f[0]!, f[0]!]],
      ['reorder', (f) => [f[1]!, f[0]!]],
      ['drop', (f) => [f[0]!, f[2]!]],
      ['truncate', (f) => [f[0]!, f[1]!.subarray(0, f[1]!.length - 1)]],
      ['first frame without its stream header', (f) => [encodePeerFrame('sealed', f[0]!.subarray(1 + 24))]],
    ];
    for (const [name, pick] of cases) {
      const { a, b } = connect();
      const frames = [a.seal(chat('one')), a.seal(chat('two')), a.seal(chat('three'))];
      const seq = pick(frames);
      const shown: PeerMsg[] = [];
      assert.throws(
        () => {
          for (const f of seq) {
            const r = b.receive(f);
            if (r.message) shown.push(r.message);
          }
        },
        (e: unknown) => e instanceof ChannelError && (e.code === 'SEAL_REJECTED' || e.code === 'PROTOCOL'),
        name,
      );
      assert.equal(b.state, 'failed', name);
      // Only frames that were genuinely next in the stream were ever shown.
      assert.ok(shown.length <= 1, name);
      expectChannelError(() => b.receive(frames[2]!), 'CLOSED');
    }
  });

  test(`${MUTATIONS.toLocaleString('en')} random mutations and truncations of sealed frames: none accepted`, () => {
    const rand = prng(0x5eed);
    let rejected = 0;
    for (let n = 0; n < MUTATIONS; n++) {
      // A fresh session each time (a rejection kills the channel), fed a genuine prefix, then one mutated frame.
      const { a: sa, b: sb } = connect();
      const genuine = [0, 1, 2].map((i) => sa.seal(chat(`m${i}`)));
      const k = Math.floor(rand() * genuine.length);
      for (let i = 0; i < k; i++) sb.receive(genuine[i]);
      const target = genuine[k]!;
      const mutated = mutate(target, rand);
      try {
        const r = sb.receive(mutated);
        assert.fail(`mutation ${n} accepted: ${JSON.stringify(r.message)}`);
      } catch (e) {
        assert.ok(e instanceof ChannelError, `mutation ${n}: ${String(e)}`);
        rejected++;
      }
    }
    assert.equal(rejected, MUTATIONS);
  });

  test('a sealed message of an unknown type is skipped, and the stream carries on', () => {
    const { a, b } = connect();
    // Simulate a newer peer: seal a well-formed JSON object our parser does not know.
    const future = { type: 'file-offer', id: newMessageId() } as unknown as PeerMsg;
    assert.equal(b.receive(a.seal(future)).message, null);
    const m = chat('still here');
    assert.deepEqual(b.receive(a.seal(m)).message, m);
  });

  test('chunk frames pass through to the caller only when enabled and established', () => {
    const body = new Uint8Array([7, 7, 7]);
    const on = opts();
    const { a, b } = connect({ a: on.a, b: { ...on.b, acceptChunks: true } });
    assert.deepEqual([...(b.receive(a.sealChunk(body)).chunk ?? [])], [7, 7, 7]);
    assert.ok(a.keys && a.keys.txKey.length === 32);
    const { a: a2, b: b2 } = connect();
    expectChannelError(() => b2.receive(a2.sealChunk(body)), 'PROTOCOL');
  });

  test('close() wipes the keys and refuses further use', () => {
    const { a } = connect();
    const tx = a.keys!.txKey;
    a.close();
    assert.equal(a.keys, null);
    assert.ok(tx.every((x) => x === 0));
    expectChannelError(() => a.seal(chat('x')), 'CLOSED');
  });

  test('oversized messages are refused before sealing', () => {
    const { a } = connect();
    const big = { type: 'chat', id: newMessageId(), text: 'x'.repeat(LIMITS.maxPeerFrameBytes), ts: 0 } as PeerMsg;
    expectChannelError(() => a.seal(big), 'PROTOCOL');
  });
});

/** Flips bits, changes bytes, truncates, extends or changes the kind byte. Never returns the input unchanged. */
function mutate(frame: Uint8Array, rand: () => number): Uint8Array {
  const choice = Math.floor(rand() * 5);
  let out: Uint8Array;
  switch (choice) {
    case 0: {
      out = frame.slice();
      const i = Math.floor(rand() * out.length);
      out[i] = out[i]! ^ (1 << Math.floor(rand() * 8));
      break;
    }
    case 1: {
      out = frame.slice();
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) {
        const i = Math.floor(rand() * out.length);
        out[i] = Math.floor(rand() * 256);
      }
      break;
    }
    case 2:
      out = frame.slice(0, Math.floor(rand() * frame.length));
      break;
    case 3: {
      out = new Uint8Array(frame.length + 1 + Math.floor(rand() * 16));
      out.set(frame);
      for (let i = frame.length; i < out.length; i++) out[i] = Math.floor(rand() * 256);
      break;
    }
    default:
      out = frame.slice();
      out[0] = [0x00, PEER_FRAME_KINDS.handshake, PEER_FRAME_KINDS.chunk, 0x04, 0xff][Math.floor(rand() * 5)]!;
  }
  if (out.length === frame.length && out.every((x, i) => x === frame[i])) out = frame.slice(0, frame.length - 1);
  return out;
}
