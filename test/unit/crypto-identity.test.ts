import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import {
  ready,
  generateIdentity,
  identityFromSeed,
  encodePublicKey,
  decodePublicKey,
  serializeIdentity,
  deserializeIdentity,
  parseSdpFingerprints,
} from '../../shared/crypto/index';

await ready();

const IDENTITY_KEY_RE = /^[A-Za-z0-9_-]{43}$/; // the signalling protocol's IdentityKey field

describe('identity keys', () => {
  test('generated keys are Ed25519 pairs that sign and verify', () => {
    const id = generateIdentity();
    assert.equal(id.publicKey.length, 32);
    assert.equal(id.secretKey.length, 64);
    const sig = sodium.crypto_sign_detached('hi', id.secretKey);
    assert.ok(sodium.crypto_sign_verify_detached(sig, 'hi', id.publicKey));
    assert.notDeepEqual(generateIdentity().publicKey, id.publicKey);
  });

  test('public key encodes to 43 base64url chars and decodes back', () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey } = generateIdentity();
      const s = encodePublicKey(publicKey);
      assert.match(s, IDENTITY_KEY_RE);
      assert.deepEqual(decodePublicKey(s), publicKey);
    }
  });

  test('decodePublicKey refuses anything but the canonical 43-char form', () => {
    const s = encodePublicKey(identityFromSeed(new Uint8Array(32).fill(7)).publicKey);
    assert.equal(decodePublicKey(s.slice(0, 42)), null);
    assert.equal(decodePublicKey(s + 'A'), null);
    assert.equal(decodePublicKey(s + '='), null);
    assert.equal(decodePublicKey(s.slice(0, 42) + '+'), null);
    assert.equal(decodePublicKey(s.replace(/./, '/')), null);
    assert.equal(decodePublicKey(123), null);
    assert.equal(decodePublicKey(null), null);
    // 43 chars carry 258 bits for 256: the last char's 2 spare bits must be zero.
    const zero = 'A'.repeat(42);
    assert.ok(decodePublicKey(zero + 'A'));
    assert.ok(decodePublicKey(zero + 'E'));
    assert.equal(decodePublicKey(zero + 'B'), null);
    assert.equal(decodePublicKey(zero + 'D'), null);
  });

  test('stored identity round trips and still signs', () => {
    const id = generateIdentity();
    const stored = serializeIdentity(id);
    assert.equal(stored.v, 1);
    assert.match(stored.publicKey, IDENTITY_KEY_RE);
    assert.match(stored.secretKey, /^[A-Za-z0-9_-]{86}$/);
    const back = deserializeIdentity(JSON.parse(JSON.stringify(stored)));
    assert.ok(back);
    assert.deepEqual(back.publicKey, id.publicKey);
    assert.deepEqual(back.secretKey, id.secretKey);
    const sig = sodium.crypto_sign_detached('x', back.secretKey);
    assert.ok(sodium.crypto_sign_verify_detached(sig, 'x', id.publicKey));
  });

  test('deserializeIdentity refuses inconsistent or malformed records', () => {
    const a = serializeIdentity(generateIdentity());
    const b = serializeIdentity(generateIdentity());
    assert.equal(deserializeIdentity({ ...a, publicKey: b.publicKey }), null);
    assert.equal(deserializeIdentity({ ...a, secretKey: b.secretKey }), null);
    // Keep the public half inside the secret key consistent but change the seed.
    const sk = sodium.from_base64(a.secretKey, sodium.base64_variants.URLSAFE_NO_PADDING);
    sk[0] = (sk[0] ?? 0) ^ 1;
    const tampered = sodium.to_base64(sk, sodium.base64_variants.URLSAFE_NO_PADDING);
    assert.equal(deserializeIdentity({ ...a, secretKey: tampered }), null);
    // Right seed and public key, but the public half inside the secret key replaced.
    const sk2 = sodium.from_base64(a.secretKey, sodium.base64_variants.URLSAFE_NO_PADDING);
    sk2.set(sodium.from_base64(b.publicKey, sodium.base64_variants.URLSAFE_NO_PADDING), 32);
    const mixed = sodium.to_base64(sk2, sodium.base64_variants.URLSAFE_NO_PADDING);
    assert.equal(deserializeIdentity({ ...a, secretKey: mixed }), null);
    assert.equal(deserializeIdentity({ ...a, v: 2 }), null);
    assert.equal(deserializeIdentity({ v: 1, publicKey: a.publicKey }), null);
    assert.equal(deserializeIdentity(null), null);
    assert.equal(deserializeIdentity('x'), null);
    assert.ok(deserializeIdentity(a));
  });

  test('identityFromSeed is deterministic', () => {
    const s = new Uint8Array(32).fill(1);
    assert.deepEqual(identityFromSeed(s).publicKey, identityFromSeed(s).publicKey);
    assert.notDeepEqual(identityFromSeed(s).publicKey, identityFromSeed(new Uint8Array(32).fill(2)).publicKey);
  });
});

const FP1 = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const FP2 = '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';

function sdp(lines: string[], eol = '\r\n'): string {
  return lines.join(eol) + eol;
}

const CHROME_LIKE = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  `a=fingerprint:sha-256 ${FP1}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
];

describe('SDP fingerprints', () => {
  test('parses a media-level fingerprint into the canonical form', () => {
    assert.equal(parseSdpFingerprints(sdp(CHROME_LIKE)), `sha-256 ${FP1}`);
    assert.equal(parseSdpFingerprints(sdp(CHROME_LIKE, '\n')), `sha-256 ${FP1}`);
  });

  test('normalizes case and de-duplicates session- and media-level copies', () => {
    const lines = [...CHROME_LIKE];
    lines.splice(3, 0, `a=fingerprint:SHA-256 ${FP1.toLowerCase()}`);
    assert.equal(parseSdpFingerprints(sdp(lines)), `sha-256 ${FP1}`);
  });

  test('several distinct fingerprints are all kept, sorted', () => {
    const a = [...CHROME_LIKE, `a=fingerprint:sha-256 ${FP2}`];
    const b = [...CHROME_LIKE];
    b.splice(3, 0, `a=fingerprint:sha-256 ${FP2}`);
    const expected = `sha-256 ${FP2},sha-256 ${FP1}`;
    assert.equal(parseSdpFingerprints(sdp(a)), expected);
    assert.equal(parseSdpFingerprints(sdp(b)), expected);
    const sha1 = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD';
    assert.equal(parseSdpFingerprints(sdp([...CHROME_LIKE, `a=fingerprint:sha-1 ${sha1}`])), `sha-1 ${sha1},sha-256 ${FP1}`);
  });

  test('different fingerprints give different strings', () => {
    const other = CHROME_LIKE.map((l) => l.replace(FP1, FP2));
    assert.notEqual(parseSdpFingerprints(sdp(other)), parseSdpFingerprints(sdp(CHROME_LIKE)));
  });

  test('null when there is no fingerprint', () => {
    assert.equal(parseSdpFingerprints(sdp(CHROME_LIKE.filter((l) => !l.startsWith('a=fingerprint')))), null);
    assert.equal(parseSdpFingerprints(''), null);
  });

  test('fails closed (null) on any malformed fingerprint line', () => {
    const bad = [
      `a=fingerprint:sha-256 ${FP1.slice(3)}`, // too short for sha-256
      `a=fingerprint:sha-256 ${FP1}:00`, // too long
      `a=fingerprint:sha-256 ${FP1.replace(/:/g, '')}`, // no colons
      `a=fingerprint:sha-256 ${FP1.replace('AB', 'GZ')}`, // not hex
      `a=fingerprint:foo-256 ${FP1}`, // unknown hash function
      `a=fingerprint:constructor ${FP1}`,
      'a=fingerprint:sha-256',
      `a=fingerprint:sha-256 ${FP1} extra`,
    ];
    for (const line of bad) {
      assert.equal(parseSdpFingerprints(sdp([...CHROME_LIKE, line])), null, line);
    }
  });
});
