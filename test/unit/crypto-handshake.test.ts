import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ready,
  generateIdentity,
  createHandshake,
  createSealer,
  createOpener,
  createChunkCipher,
  deriveFileKey,
  parseHandshakeMsg,
  serializeHandshakeMsg,
  HS_MAX_FRAME_CHARS,
  isCryptoError,
  type CryptoErrorCode,
  type Handshake,
  type HandshakeMsg,
  type HandshakeOptions,
  type IdentityKeyPair,
  type SessionKeys,
  type HsHello,
} from '../../shared/crypto/index';
import { deviceEntry, deviceIdOf, firstDeviceList, signDeviceList, withDevice, type DeviceEntry } from '../../shared/devices/device-list';

await ready();

const FP_A = 'sha-256 ' + Array.from({ length: 32 }, (_, i) => (i * 7 + 1).toString(16).padStart(2, '0').toUpperCase()).join(':');
const FP_B = 'sha-256 ' + Array.from({ length: 32 }, (_, i) => (i * 13 + 5).toString(16).padStart(2, '0').toUpperCase()).join(':');
const FP_EVIL = 'sha-256 ' + Array.from({ length: 32 }, () => 'EE').join(':');

interface World {
  alice: IdentityKeyPair;
  bob: IdentityKeyPair;
  mallory: IdentityKeyPair;
}
const world: World = { alice: generateIdentity(), bob: generateIdentity(), mallory: generateIdentity() };

/** Options for Alice (initiator) and Bob (responder), as each honestly sees the connection. */
function honest(): { a: HandshakeOptions; b: HandshakeOptions } {
  return {
    a: {
      role: 'initiator',
      myName: 'alice',
      peerName: 'bob',
      myIdentity: world.alice,
      peerIdentityKey: world.bob.publicKey,
      myFingerprint: FP_A,
      peerFingerprint: FP_B,
    },
    b: {
      role: 'responder',
      myName: 'bob',
      peerName: 'alice',
      myIdentity: world.bob,
      peerIdentityKey: world.alice.publicKey,
      myFingerprint: FP_B,
      peerFingerprint: FP_A,
    },
  };
}

/** Every frame each side sent, in order, plus the results. Frames go through the JSON wire. */
interface Run {
  fromA: HandshakeMsg[];
  fromB: HandshakeMsg[];
  keysA: SessionKeys;
  keysB: SessionKeys;
}

function wire(m: HandshakeMsg | null): string {
  assert.ok(m, 'expected a frame to send');
  return serializeHandshakeMsg(m);
}

/** Runs an honest exchange between two handshakes, interleaved as over a real channel. */
function run(A: Handshake, B: Handshake): Run {
  const fromA: HandshakeMsg[] = [A.start()];
  const fromB: HandshakeMsg[] = [B.start()];
  const b1 = B.receive(wire(fromA[0]!));
  const a1 = A.receive(wire(fromB[0]!));
  fromA.push(a1.send!);
  fromB.push(b1.send!);
  const a2 = A.receive(wire(fromB[1]!));
  const b2 = B.receive(wire(fromA[1]!));
  fromA.push(a2.send!);
  fromB.push(b2.send!);
  const a3 = A.receive(wire(fromB[2]!));
  const b3 = B.receive(wire(fromA[2]!));
  assert.equal(a3.send, null);
  assert.equal(b3.send, null);
  assert.ok(a3.done && b3.done);
  return { fromA, fromB, keysA: a3.done, keysB: b3.done };
}

function expectCode(fn: () => unknown, code: CryptoErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isCryptoError(e), `expected CryptoError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

describe('handshake: honest peers', () => {
  test('agree on keys: initiator tx = responder rx and vice versa', () => {
    const o = honest();
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const r = run(A, B);
    assert.equal(A.state, 'done');
    assert.equal(B.state, 'done');
    assert.deepEqual(r.keysA.txKey, r.keysB.rxKey);
    assert.deepEqual(r.keysA.rxKey, r.keysB.txKey);
    assert.notDeepEqual(r.keysA.txKey, r.keysA.rxKey);
    assert.deepEqual(r.keysA.transcriptHash, r.keysB.transcriptHash);
    for (const k of [r.keysA.txKey, r.keysA.rxKey, r.keysA.transcriptHash]) assert.equal(k.length, 32);
    assert.deepEqual(
      r.fromA.map((m) => m.type),
      ['hs-hello', 'hs-auth', 'hs-confirm'],
    );
  });

  test('sealed chat round trips both ways with the derived keys', () => {
    const o = honest();
    const r = run(createHandshake(o.a), createHandshake(o.b));
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const aToB = createSealer(r.keysA.txKey);
    const bFromA = createOpener(r.keysB.rxKey);
    const bToA = createSealer(r.keysB.txKey);
    const aFromB = createOpener(r.keysA.rxKey);
    for (let i = 0; i < 5; i++) {
      assert.equal(dec.decode(bFromA.open(aToB.seal(enc.encode(`hi bob ${i}`)))), `hi bob ${i}`);
      assert.equal(dec.decode(aFromB.open(bToA.seal(enc.encode(`hi alice ${i}`)))), `hi alice ${i}`);
    }
    // A frame sealed for one direction does not open in the other (a reflected frame).
    const reflected = createOpener(r.keysA.rxKey);
    expectCode(() => reflected.open(createSealer(r.keysA.txKey).seal(enc.encode('x'))), 'SEAL_REJECTED');
  });

  test('file chunks sealed with the sender txKey open with the receiver rxKey', () => {
    const o = honest();
    const r = run(createHandshake(o.a), createHandshake(o.b));
    const fileId = 'f'.repeat(32);
    const tx = createChunkCipher(deriveFileKey(r.keysA.txKey, fileId), fileId);
    const rx = createChunkCipher(deriveFileKey(r.keysB.rxKey, fileId), fileId);
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    assert.deepEqual(rx.open(3, tx.seal(3, chunk)), chunk);
    // Bob's own sending key gives another file key: a chunk bounced back is refused.
    const bounced = createChunkCipher(deriveFileKey(r.keysB.txKey, fileId), fileId);
    expectCode(() => bounced.open(3, tx.seal(3, chunk)), 'CHUNK_REJECTED');
  });

  test('user names are compared ignoring case', () => {
    const o = honest();
    o.a.peerName = 'Bob';
    o.b.myName = 'BOB';
    const r = run(createHandshake(o.a), createHandshake(o.b));
    assert.deepEqual(r.keysA.txKey, r.keysB.rxKey);
  });

  test('fresh ephemeral keys: two handshakes between the same devices give unrelated keys', () => {
    const o = honest();
    const r1 = run(createHandshake(o.a), createHandshake(o.b));
    const r2 = run(createHandshake(o.a), createHandshake(o.b));
    assert.notDeepEqual(r1.keysA.txKey, r2.keysA.txKey);
    assert.notDeepEqual(r1.keysA.rxKey, r2.keysA.rxKey);
    assert.notDeepEqual(r1.keysA.transcriptHash, r2.keysA.transcriptHash);
    assert.notEqual((r1.fromA[0] as { eph: string }).eph, (r2.fromA[0] as { eph: string }).eph);
  });
});

/**
 * Runs the exchange with the given options and returns the error code each side ends with
 * (null = that side completed). Frames are delivered in order while both sides live.
 */
function outcome(aOpts: HandshakeOptions, bOpts: HandshakeOptions): { a: CryptoErrorCode | null; b: CryptoErrorCode | null } {
  const A = createHandshake(aOpts);
  const B = createHandshake(bOpts);
  const qToB: HandshakeMsg[] = [A.start()];
  const qToA: HandshakeMsg[] = [B.start()];
  const res: { a: CryptoErrorCode | null; b: CryptoErrorCode | null } = { a: null, b: null };
  const step = (h: Handshake, m: HandshakeMsg, out: HandshakeMsg[], side: 'a' | 'b'): void => {
    if (res[side]) return;
    try {
      const s = h.receive(serializeHandshakeMsg(m));
      if (s.send) out.push(s.send);
    } catch (e) {
      assert.ok(isCryptoError(e));
      res[side] = e.code;
    }
  };
  for (let i = 0; i < 3; i++) {
    const mB = qToB[i];
    const mA = qToA[i];
    if (mB) step(B, mB, qToA, 'b');
    if (mA) step(A, mA, qToB, 'a');
  }
  if (!res.a) assert.equal(A.state, 'done');
  if (!res.b) assert.equal(B.state, 'done');
  return res;
}

describe('handshake: what each side sees must match', () => {
  test('baseline: honest options complete on both sides', () => {
    const o = honest();
    assert.deepEqual(outcome(o.a, o.b), { a: null, b: null });
  });

  const fpCases: [string, (o: ReturnType<typeof honest>) => void][] = [
    ["Alice sees a different remote fingerprint (server swapped Bob's in the answer)", (o) => (o.a.peerFingerprint = FP_EVIL)],
    ["Bob sees a different remote fingerprint (server swapped Alice's in the offer)", (o) => (o.b.peerFingerprint = FP_EVIL)],
    ['Alice applied a different local fingerprint than Bob received', (o) => (o.a.myFingerprint = FP_EVIL)],
    ['Bob applied a different local fingerprint than Alice received', (o) => (o.b.myFingerprint = FP_EVIL)],
  ];
  for (const [name, mutate] of fpCases) {
    test(`fingerprint mismatch fails on both sides: ${name}`, () => {
      const o = honest();
      mutate(o);
      assert.deepEqual(outcome(o.a, o.b), { a: 'HS_BAD_SIGNATURE', b: 'HS_BAD_SIGNATURE' });
    });
  }

  test("Alice pinned a key that is not Bob's", () => {
    const o = honest();
    o.a.peerIdentityKey = world.mallory.publicKey;
    const r = outcome(o.a, o.b);
    assert.equal(r.a, 'HS_BAD_SIGNATURE');
    assert.equal(r.b, 'HS_BAD_SIGNATURE'); // Bob's transcript has his real key, Alice's has Mallory's
  });

  test("Bob pinned a key that is not Alice's", () => {
    const o = honest();
    o.b.peerIdentityKey = world.mallory.publicKey;
    const r = outcome(o.a, o.b);
    assert.equal(r.b, 'HS_BAD_SIGNATURE');
    assert.equal(r.a, 'HS_BAD_SIGNATURE');
  });

  test('Mallory answers as "bob" with her own identity: Alice (pinning Bob) refuses', () => {
    const o = honest();
    o.b.myIdentity = world.mallory; // the signer is Mallory; Alice still pins Bob's key
    o.b.myFingerprint = FP_EVIL;
    o.a.peerFingerprint = FP_EVIL; // the server even made the fingerprints consistent
    const r = outcome(o.a, o.b);
    assert.equal(r.a, 'HS_BAD_SIGNATURE');
  });

  test('Mallory as initiator with her own identity: Bob (pinning Alice) refuses', () => {
    const o = honest();
    o.a.myIdentity = world.mallory;
    const r = outcome(o.a, o.b);
    assert.equal(r.b, 'HS_BAD_SIGNATURE');
  });

  test('names must match too', () => {
    const o = honest();
    o.a.peerName = 'bobby';
    assert.deepEqual(outcome(o.a, o.b), { a: 'HS_BAD_SIGNATURE', b: 'HS_BAD_SIGNATURE' });
  });

  test('roles must be complementary', () => {
    const o = honest();
    o.b.role = 'initiator';
    assert.deepEqual(outcome(o.a, o.b), { a: 'HS_BAD_SIGNATURE', b: 'HS_BAD_SIGNATURE' });
  });
});

describe('handshake: active attacks on the frames', () => {
  for (const victim of ['a', 'b'] as const) {
    test(`MITM substitutes its own hello towards ${victim === 'a' ? 'Alice' : 'Bob'}: rejected`, () => {
      const o = honest();
      const A = createHandshake(o.a);
      const B = createHandshake(o.b);
      const helloA = A.start();
      const helloB = B.start();
      // Mallory runs her own ephemeral towards the victim and forwards everything else.
      const M = createHandshake({ ...(victim === 'a' ? o.b : o.a), myIdentity: world.mallory });
      const helloM = M.start();
      const victimHs = victim === 'a' ? A : B;
      const otherHs = victim === 'a' ? B : A;
      victimHs.receive(wire(helloM));
      const otherAuth = otherHs.receive(wire(victim === 'a' ? helloA : helloB)).send;
      // The real peer's signature is over a transcript with the real ephemerals: fails.
      expectCode(() => victimHs.receive(wire(otherAuth)), 'HS_BAD_SIGNATURE');
      // And Mallory's own signature fails the pin.
      const v2 = createHandshake(victim === 'a' ? o.a : o.b);
      const M2 = createHandshake({ ...(victim === 'a' ? o.b : o.a), myIdentity: world.mallory });
      const h1 = v2.start();
      const h2 = M2.start();
      v2.receive(wire(h2));
      const mAuth = M2.receive(wire(h1)).send;
      expectCode(() => v2.receive(wire(mAuth)), 'HS_BAD_SIGNATURE');
    });
  }

  test('a reflected hello is refused', () => {
    const o = honest();
    const A = createHandshake(o.a);
    const hello = A.start();
    expectCode(() => A.receive(wire(hello)), 'HS_REFLECTED');
  });

  test('a reflected auth is refused', () => {
    const o = honest();
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const hA = A.start();
    const hB = B.start();
    B.receive(wire(hA));
    const authA = A.receive(wire(hB)).send;
    expectCode(() => A.receive(wire(authA)), 'HS_BAD_SIGNATURE');
  });

  test('a reflected auth is refused even when both sides use the same identity key', () => {
    // Signatures name the signer's role, so even a peer holding our own key cannot be faked
    // by bouncing our auth back to us.
    const o = honest();
    o.b.myIdentity = world.alice;
    o.a.peerIdentityKey = world.alice.publicKey;
    o.b.peerIdentityKey = world.alice.publicKey;
    assert.deepEqual(outcome(o.a, o.b), { a: null, b: null }); // the setup itself is valid
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const hA = A.start();
    const hB = B.start();
    B.receive(wire(hA));
    const authA = A.receive(wire(hB)).send;
    expectCode(() => A.receive(wire(authA)), 'HS_BAD_SIGNATURE');
  });

  for (const victim of ['a', 'b'] as const) {
    test(`a reflected confirm is refused (${victim === 'a' ? 'Alice' : 'Bob'})`, () => {
      const o = honest();
      const A = createHandshake(o.a);
      const B = createHandshake(o.b);
      const hA = A.start();
      const hB = B.start();
      const authB = B.receive(wire(hA)).send;
      const authA = A.receive(wire(hB)).send;
      const confirmA = A.receive(wire(authB)).send;
      const confirmB = B.receive(wire(authA)).send;
      if (victim === 'a') expectCode(() => A.receive(wire(confirmA)), 'HS_BAD_CONFIRM');
      else expectCode(() => B.receive(wire(confirmB)), 'HS_BAD_CONFIRM');
    });
  }

  test('a confirm computed from different keys is refused', () => {
    // Same identities, names, fingerprints, but the confirm comes from another session.
    const o = honest();
    const first = run(createHandshake(o.a), createHandshake(o.b));
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const hA = A.start();
    const hB = B.start();
    const authB = B.receive(wire(hA)).send;
    A.receive(wire(hB));
    A.receive(wire(authB));
    expectCode(() => A.receive(wire(first.fromB[2]!)), 'HS_BAD_CONFIRM');
  });
});

describe('handshake: replay from an earlier handshake', () => {
  for (const victim of ['a', 'b'] as const) {
    const who = victim === 'a' ? 'Alice' : 'Bob';
    const setup = () => {
      const o = honest();
      const old = run(createHandshake(o.a), createHandshake(o.b));
      const oldFromPeer = victim === 'a' ? old.fromB : old.fromA;
      const V = createHandshake(victim === 'a' ? o.a : o.b);
      const P = createHandshake(victim === 'a' ? o.b : o.a);
      return { V, P, oldFromPeer };
    };

    test(`${who}: replayed hello + auth fail at the auth`, () => {
      const { V, oldFromPeer } = setup();
      V.start();
      const s = V.receive(wire(oldFromPeer[0]!)); // an old hello parses and is answered...
      assert.equal(s.send?.type, 'hs-auth');
      expectCode(() => V.receive(wire(oldFromPeer[1]!)), 'HS_BAD_SIGNATURE'); // ...but its auth is dead
    });

    test(`${who}: replayed auth after a fresh hello fails`, () => {
      const { V, P, oldFromPeer } = setup();
      const hV = V.start();
      const hP = P.start();
      P.receive(wire(hV));
      V.receive(wire(hP));
      expectCode(() => V.receive(wire(oldFromPeer[1]!)), 'HS_BAD_SIGNATURE');
    });

    test(`${who}: replayed confirm after a fresh hello and auth fails`, () => {
      const { V, P, oldFromPeer } = setup();
      const hV = V.start();
      const hP = P.start();
      const authP = P.receive(wire(hV)).send;
      V.receive(wire(hP));
      V.receive(wire(authP));
      expectCode(() => V.receive(wire(oldFromPeer[2]!)), 'HS_BAD_CONFIRM');
    });
  }
});

describe('handshake: state machine and inputs', () => {
  test('frames out of order are HS_UNEXPECTED, and a failed handshake stays dead', () => {
    const o = honest();
    const r = run(createHandshake(o.a), createHandshake(o.b));
    const A = createHandshake(o.a);
    expectCode(() => A.receive(wire(r.fromB[0]!)), 'HS_UNEXPECTED'); // before start()
    const A2 = createHandshake(o.a);
    A2.start();
    expectCode(() => A2.receive(wire(r.fromB[1]!)), 'HS_UNEXPECTED'); // auth before hello
    assert.equal(A2.state, 'failed');
    expectCode(() => A2.receive(wire(r.fromB[0]!)), 'HS_ABORTED');
    expectCode(() => A2.start(), 'HS_ABORTED');
    const A3 = createHandshake(o.a);
    A3.start();
    A3.receive(wire(r.fromB[0]!));
    expectCode(() => A3.receive(wire(r.fromB[0]!)), 'HS_UNEXPECTED'); // second hello
    const A4 = createHandshake(o.a);
    A4.start();
    expectCode(() => A4.start(), 'HS_UNEXPECTED');
  });

  test('nothing is accepted after completion', () => {
    const o = honest();
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const r = run(A, B);
    expectCode(() => A.receive(wire(r.fromB[2]!)), 'HS_UNEXPECTED');
  });

  test('abort() kills the handshake', () => {
    const o = honest();
    const A = createHandshake(o.a);
    A.start();
    A.abort();
    assert.equal(A.state, 'failed');
    expectCode(() => A.receive(wire(createHandshake(o.b).start())), 'HS_ABORTED');
  });

  test('malformed frames are HS_BAD_MESSAGE', () => {
    const o = honest();
    for (const bad of ['', 'null', '{"type":"hs-hello","v":1}', '{"type":"hs-hello","v":1,"eph":"AAAA"}', '[1]', 'x'.repeat(1000)]) {
      const A = createHandshake(o.a);
      A.start();
      expectCode(() => A.receive(bad), 'HS_BAD_MESSAGE');
    }
  });

  test('a low-order ephemeral key is HS_BAD_KEY', () => {
    const o = honest();
    const A = createHandshake(o.a);
    A.start();
    expectCode(() => A.receive({ type: 'hs-hello', v: 2, eph: 'A'.repeat(43), dev: null, devices: null }), 'HS_BAD_KEY');
  });

  test('bad options are HS_BAD_INPUT', () => {
    const cases: ((o: ReturnType<typeof honest>) => void)[] = [
      (o) => (o.a.myName = ''),
      (o) => (o.a.peerName = ''),
      (o) => (o.a.myFingerprint = ''),
      (o) => (o.a.peerFingerprint = ''),
      (o) => (o.a.peerIdentityKey = new Uint8Array(31)),
      (o) => (o.a.myIdentity = { publicKey: world.alice.publicKey, secretKey: world.bob.secretKey }),
      (o) => (o.a.role = 'server' as never),
    ];
    for (const mutate of cases) {
      const o = honest();
      mutate(o);
      expectCode(() => createHandshake(o.a), 'HS_BAD_INPUT');
    }
  });
});

describe('handshake wire messages', () => {
  const eph = 'A'.repeat(42) + 'E';
  const sig = 'B'.repeat(85) + 'A';
  const mac = 'C'.repeat(42) + 'A';

  test('valid frames parse, from a string or an object, and serialize back', () => {
    const msgs: HandshakeMsg[] = [
      { type: 'hs-hello', v: 2, eph, dev: null, devices: null },
      { type: 'hs-auth', sig },
      { type: 'hs-confirm', mac },
    ];
    for (const m of msgs) {
      const s = serializeHandshakeMsg(m);
      assert.deepEqual(parseHandshakeMsg(s), m);
      assert.deepEqual(parseHandshakeMsg(JSON.parse(s)), m);
    }
  });

  test('anything else is null', () => {
    const bad: unknown[] = [
      { type: 'hs-hello', v: 2, eph },
      { type: 'hs-hello', eph },
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph, extra: 1 },
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph: eph.slice(1) },
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph: eph + 'A' },
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph: 'A'.repeat(42) + 'B' }, // non-canonical last char
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph: 'A'.repeat(42) + '+' },
      { type: 'hs-hello', v: 2, dev: null, devices: null, eph: 42 },
      { type: 'hs-auth', sig: sig.slice(1) },
      { type: 'hs-auth', sig: 'B'.repeat(85) + 'B' }, // non-canonical
      { type: 'hs-auth', mac },
      { type: 'hs-confirm', mac: sig },
      { type: 'hs-confirm' },
      { type: 'hs-nope', mac },
      { mac },
      [],
      null,
      7,
      '{"type":"hs-confirm","mac":"' + mac + '","__proto__":{}}',
      '{"type":"hs-confirm","mac":"' + mac + '"',
      '{"type":"hs-confirm","mac":"' + mac + '"}' + ' '.repeat(HS_MAX_FRAME_CHARS),
    ];
    for (const b of bad) assert.equal(parseHandshakeMsg(b), null, JSON.stringify(b));
  });
});

describe('handshake v2: device keys from signed device lists', () => {
  // Each account: an account key (pinned by contacts) and devices with keys of their own.
  const accounts = { alice: generateIdentity(), bob: generateIdentity() };
  const dev = { alice1: generateIdentity(), alice2: generateIdentity(), bob1: generateIdentity(), stranger: generateIdentity() };
  const entry = (kp: IdentityKeyPair, name: string): DeviceEntry => deviceEntry(kp.publicKey, name, 1_700_000_000_000);
  const aliceV1 = signDeviceList(firstDeviceList('alice', entry(dev.alice1, 'Chromium on Linux')), accounts.alice);
  const aliceV2 = signDeviceList(
    withDevice(firstDeviceList('alice', entry(dev.alice1, 'Chromium on Linux')), entry(dev.alice2, 'Firefox on Linux')),
    accounts.alice,
  );
  const bobV1 = signDeviceList(firstDeviceList('bob', entry(dev.bob1, 'Chromium on Linux')), accounts.bob);
  const id = (kp: IdentityKeyPair): string => deviceIdOf(kp.publicKey);

  /** Alice's second device (initiator) and Bob's only device, each with its account's list. */
  function devices(): { a: HandshakeOptions; b: HandshakeOptions } {
    return {
      a: {
        role: 'initiator',
        myName: 'alice',
        peerName: 'bob',
        myIdentity: dev.alice2,
        myAccountKey: accounts.alice.publicKey,
        myDevice: { id: id(dev.alice2), devices: aliceV2 },
        peerIdentityKey: accounts.bob.publicKey,
        peerDeviceId: id(dev.bob1),
        peerMinVersion: 1,
        myFingerprint: FP_A,
        peerFingerprint: FP_B,
      },
      b: {
        role: 'responder',
        myName: 'bob',
        peerName: 'alice',
        myIdentity: dev.bob1,
        myAccountKey: accounts.bob.publicKey,
        myDevice: { id: id(dev.bob1), devices: bobV1 },
        peerIdentityKey: accounts.alice.publicKey,
        peerDeviceId: id(dev.alice2),
        peerMinVersion: 1,
        myFingerprint: FP_B,
        peerFingerprint: FP_A,
      },
    };
  }

  /** Bob receives Alice's (possibly altered) hello; returns what the receive throws or gives. */
  function bobGets(a: HandshakeOptions, b: HandshakeOptions, alter: (h: HsHello) => HsHello = (h) => h): Handshake {
    const A = createHandshake(a);
    const B = createHandshake(b);
    B.start();
    B.receive(wire(alter(A.start())));
    return B;
  }

  test('honest run: keys agree, each side learns the other device and its verified list', () => {
    const o = devices();
    const A = createHandshake(o.a);
    const B = createHandshake(o.b);
    const r = run(A, B);
    assert.deepEqual(r.keysA.txKey, r.keysB.rxKey);
    assert.deepEqual(r.keysA.transcriptHash, r.keysB.transcriptHash);
    assert.equal(B.peer?.deviceId, id(dev.alice2));
    assert.equal(B.peer?.devices?.version, 2);
    assert.deepEqual(B.peer?.signed, aliceV2);
    assert.equal(A.peer?.deviceId, id(dev.bob1));
    assert.equal(A.peer?.devices?.devices.length, 1);
  });

  test('two devices of one account link to each other', () => {
    const a: HandshakeOptions = { ...devices().a, peerName: 'alice', peerIdentityKey: accounts.alice.publicKey, peerDeviceId: id(dev.alice1) };
    const b: HandshakeOptions = {
      ...a,
      role: 'responder',
      peerName: 'alice',
      myIdentity: dev.alice1,
      myDevice: { id: id(dev.alice1), devices: aliceV2 },
      peerDeviceId: id(dev.alice2),
      myFingerprint: FP_B,
      peerFingerprint: FP_A,
    };
    const r = run(createHandshake(a), createHandshake(b));
    assert.deepEqual(r.keysA.rxKey, r.keysB.txKey);
  });

  test('a device that is not in the list is refused', () => {
    const o = devices();
    // Alice's second device still sends the v1 list, which names only her first device.
    expectCode(() => bobGets({ ...o.a, myDevice: { id: id(dev.alice2), devices: aliceV1 } }, o.b), 'HS_BAD_DEVICE');
    // A stranger's key with its own id, carrying Alice's real list.
    expectCode(() => bobGets({ ...o.a, myIdentity: dev.stranger, myDevice: { id: id(dev.stranger), devices: aliceV2 } }, { ...o.b, peerDeviceId: null }), 'HS_BAD_DEVICE');
  });

  test('a list signed by another key than the pinned account key is refused', () => {
    const o = devices();
    const forged = signDeviceList(
      withDevice(firstDeviceList('alice', entry(dev.alice1, 'Chromium on Linux')), entry(dev.alice2, 'Firefox on Linux')),
      world.mallory,
    );
    expectCode(() => bobGets({ ...o.a, myDevice: { id: id(dev.alice2), devices: forged } }, o.b), 'HS_BAD_DEVICE');
    // The same list as Alice signed it, but Bob pinned another account key.
    expectCode(() => bobGets(o.a, { ...o.b, peerIdentityKey: world.mallory.publicKey }), 'HS_BAD_DEVICE');
  });

  test('a rolled-back list (older than the highest version seen) is refused', () => {
    const o = devices();
    // Bob has seen version 2; Alice's first device shows version 1 (it names that device).
    const a = { ...o.a, myIdentity: dev.alice1, myDevice: { id: id(dev.alice1), devices: aliceV1 } };
    expectCode(() => bobGets(a, { ...o.b, peerDeviceId: id(dev.alice1), peerMinVersion: 2 }), 'HS_BAD_DEVICE');
    // The same hello passes when version 1 is the newest Bob has seen (shows the check is the version).
    assert.equal(bobGets(a, { ...o.b, peerDeviceId: id(dev.alice1), peerMinVersion: 1 }).state, 'awaiting-auth');
  });

  test('a hello without a list is refused once a list was seen for the account', () => {
    const o = devices();
    const legacy: HandshakeOptions = { ...o.a, myIdentity: accounts.alice, myAccountKey: accounts.alice.publicKey, myDevice: null };
    expectCode(() => bobGets(legacy, { ...o.b, peerDeviceId: null, peerMinVersion: 2 }), 'HS_BAD_DEVICE');
    // Before any list was seen, the account key's own signature is accepted (it is the account).
    assert.equal(bobGets(legacy, { ...o.b, peerMinVersion: 0 }).state, 'awaiting-auth');
  });

  test('another device than the one the signalling named is refused', () => {
    const o = devices();
    expectCode(() => bobGets(o.a, { ...o.b, peerDeviceId: id(dev.alice1) }), 'HS_BAD_DEVICE');
  });

  test('a swapped device key fails: the signature must be by the key the list gives for the device', () => {
    const o = devices();
    // Alice's second device claims to be her first device (listed), but signs with its own key.
    const A = createHandshake({ ...o.a, myDevice: { id: id(dev.alice1), devices: aliceV2 } });
    const B = createHandshake({ ...o.b, peerDeviceId: id(dev.alice1) });
    const helloA = A.start();
    const helloB = B.start();
    B.receive(wire(helloA));
    const authA = A.receive(wire(helloB)).send;
    expectCode(() => B.receive(wire(authA)), 'HS_BAD_SIGNATURE');
  });

  test('a relay that swaps the device or the list in a hello breaks the transcript', () => {
    const o = devices();
    for (const alter of [
      (h: HsHello): HsHello => ({ ...h, dev: id(dev.alice1) }),
      (h: HsHello): HsHello => ({ ...h, devices: aliceV1, dev: id(dev.alice1) }),
    ]) {
      const A = createHandshake(o.a);
      const B = createHandshake({ ...o.b, peerDeviceId: null });
      const helloA = A.start();
      const helloB = B.start();
      B.receive(wire(alter(helloA)));
      const authA = A.receive(wire(helloB)).send;
      expectCode(() => B.receive(wire(authA)), 'HS_BAD_SIGNATURE');
    }
  });

  test('reflected frames are refused, also between two devices of one account', () => {
    const o = devices();
    const A = createHandshake({ ...o.a, peerName: 'alice', peerIdentityKey: accounts.alice.publicKey, peerDeviceId: null });
    const hello = A.start();
    expectCode(() => A.receive(wire(hello)), 'HS_REFLECTED');
    // A hello naming our own device with a fresh ephemeral (a replayed hello of ours) too.
    const A2 = createHandshake({ ...o.a, peerName: 'alice', peerIdentityKey: accounts.alice.publicKey, peerDeviceId: null });
    A2.start();
    expectCode(() => A2.receive(wire({ ...createHandshake(o.a).start() })), 'HS_REFLECTED');
    // A reflected auth or confirm never verifies.
    const own = devices();
    const peerOpts: HandshakeOptions = {
      ...own.a,
      role: 'responder',
      myIdentity: dev.alice1,
      myDevice: { id: id(dev.alice1), devices: aliceV2 },
      peerName: 'alice',
      peerIdentityKey: accounts.alice.publicKey,
      peerDeviceId: id(dev.alice2),
      myFingerprint: FP_B,
      peerFingerprint: FP_A,
    };
    const mine: HandshakeOptions = { ...own.a, peerName: 'alice', peerIdentityKey: accounts.alice.publicKey, peerDeviceId: id(dev.alice1) };
    const X = createHandshake(mine);
    const Y = createHandshake(peerOpts);
    const hx = X.start();
    const hy = Y.start();
    const authX = X.receive(wire(hy)).send;
    Y.receive(wire(hx));
    expectCode(() => X.receive(wire(authX)), 'HS_BAD_SIGNATURE');
  });

  test('hello frames with a full 16-device list fit the frame cap and parse', () => {
    let list = firstDeviceList('alice', entry(dev.alice1, 'x'.repeat(64)));
    for (let i = 0; i < 15; i++) list = withDevice(list, entry(generateIdentity(), 'y'.repeat(64)));
    const signed = signDeviceList(list, accounts.alice);
    const A = createHandshake({ ...devices().a, myIdentity: dev.alice1, myDevice: { id: id(dev.alice1), devices: signed } });
    const text = serializeHandshakeMsg(A.start());
    assert.ok(text.length <= HS_MAX_FRAME_CHARS);
    assert.deepEqual((parseHandshakeMsg(text) as HsHello).devices, signed);
  });
});
