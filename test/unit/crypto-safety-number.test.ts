import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import {
  ready,
  generateIdentity,
  identityFromSeed,
  computeSafetyNumber,
  compareSafetyQr,
  isCryptoError,
  SAFETY_ITERATIONS,
  SAFETY_QR_PREFIX,
  type SafetyParty,
} from '../../shared/crypto/index';
import { decodeQrRgba } from '../../web/src/verify/qr-decode';
import { qrGray, toRgba } from './support/qr-image';

await ready();

const alice: SafetyParty = { name: 'alice', identityKey: identityFromSeed(new Uint8Array(32).fill(1)).publicKey };
const bob: SafetyParty = { name: 'bob', identityKey: identityFromSeed(new Uint8Array(32).fill(2)).publicKey };

/** Computed once from the keys above; any change to the format or algorithm breaks it. */
const KNOWN_ANSWER = '05729 45905 69471 48089 14517 79628 06827 34074 71864 69578 38753 05344';

/** Independent re-implementation of the documented algorithm, to check the docs match. */
function referenceHalf(name: string, key: Uint8Array): string {
  const enc = new TextEncoder();
  const fields = [enc.encode('peerchat-safety-v1'), enc.encode(name.toLowerCase()), key];
  const parts: number[] = [];
  for (const f of fields) parts.push(f.length >>> 24, (f.length >>> 16) & 255, (f.length >>> 8) & 255, f.length & 255, ...f);
  let h = sodium.crypto_generichash(64, new Uint8Array(parts), null);
  for (let i = 1; i < SAFETY_ITERATIONS; i++) h = sodium.crypto_generichash(64, new Uint8Array([...h, ...key]), null);
  let out = '';
  for (let g = 0; g < 6; g++) {
    const v = h.subarray(g * 5, g * 5 + 5).reduce((acc, b) => acc * 256 + b, 0);
    out += String(v % 100000).padStart(5, '0');
  }
  return out;
}

describe('safety numbers', () => {
  test('format: 60 digits, 12 groups of 5, QR payload', () => {
    const sn = computeSafetyNumber(alice, bob);
    assert.match(sn.digits, /^[0-9]{60}$/);
    assert.equal(sn.groups.length, 12);
    for (const g of sn.groups) assert.match(g, /^[0-9]{5}$/);
    assert.equal(sn.groups.join(''), sn.digits);
    assert.equal(sn.display, sn.groups.join(' '));
    assert.equal(sn.qrPayload, SAFETY_QR_PREFIX + sn.digits);
    assert.match(sn.qrPayload, /^[0-9A-Z $%*+\-./:]+$/); // QR alphanumeric mode
  });

  test('known answer (stable across runs and versions)', () => {
    assert.equal(computeSafetyNumber(alice, bob).display, KNOWN_ANSWER);
  });

  test('matches the documented algorithm', () => {
    const halves = [referenceHalf(alice.name, alice.identityKey), referenceHalf(bob.name, bob.identityKey)].sort();
    assert.equal(computeSafetyNumber(alice, bob).digits, halves.join(''));
  });

  test('equal on both sides (argument order does not matter), names ignore case', () => {
    const a = computeSafetyNumber(alice, bob);
    const b = computeSafetyNumber(bob, alice);
    assert.deepEqual(a, b);
    const c = computeSafetyNumber({ ...alice, name: 'Alice' }, { ...bob, name: 'BOB' });
    assert.equal(c.digits, a.digits);
  });

  test('changes when either key or either name changes', () => {
    const base = computeSafetyNumber(alice, bob).digits;
    const flip = (k: Uint8Array, byte: number): Uint8Array => {
      const c = k.slice();
      c[byte]! ^= 1;
      return c;
    };
    const variants: [SafetyParty, SafetyParty][] = [
      [{ ...alice, identityKey: flip(alice.identityKey, 0) }, bob],
      [{ ...alice, identityKey: flip(alice.identityKey, 31) }, bob],
      [alice, { ...bob, identityKey: flip(bob.identityKey, 17) }],
      [alice, { ...bob, identityKey: generateIdentity().publicKey }],
      [{ ...alice, name: 'alicia' }, bob],
      [alice, { ...bob, name: 'rob' }],
    ];
    const seen = new Set([base]);
    for (const [a, b] of variants) {
      const d = computeSafetyNumber(a, b).digits;
      assert.ok(!seen.has(d));
      seen.add(d);
    }
  });

  test('another partner: only our own half is shared, the number as a whole differs', () => {
    const a = computeSafetyNumber(alice, bob).digits;
    const carol: SafetyParty = { name: 'carol', identityKey: generateIdentity().publicKey };
    const b = computeSafetyNumber(alice, carol).digits;
    // Alice's half is shared, so one 30-digit half of the two numbers is equal.
    const halvesA = [a.slice(0, 30), a.slice(30)];
    const halvesB = [b.slice(0, 30), b.slice(30)];
    assert.equal(halvesA.filter((h) => halvesB.includes(h)).length, 1);
    assert.notEqual(a, b);
  });

  test('QR / typed comparison: match, mismatch, or not a safety number at all', () => {
    const sn = computeSafetyNumber(alice, bob);
    assert.equal(compareSafetyQr(sn.qrPayload, sn), 'match');
    assert.equal(compareSafetyQr(sn.display, sn), 'match');
    assert.equal(compareSafetyQr(` ${sn.qrPayload}\n`, sn), 'match');
    assert.equal(compareSafetyQr(computeSafetyNumber(bob, alice).qrPayload, sn), 'match');
    const other = computeSafetyNumber(alice, { ...bob, identityKey: generateIdentity().publicKey });
    assert.equal(compareSafetyQr(other.qrPayload, sn), 'mismatch');
    assert.equal(compareSafetyQr(other.display, sn), 'mismatch');
    for (const unrelated of ['', sn.qrPayload.slice(0, -1), `${sn.qrPayload}0`, 'https://example.com/', `PEERCHAT-SN2:${sn.digits}`]) {
      assert.equal(compareSafetyQr(unrelated, sn), 'not-safety-number', unrelated);
    }
  });

  test('scanning: the QR image of a safety number decodes to a match; another number\'s image does not', () => {
    const sn = computeSafetyNumber(alice, bob);
    const image = qrGray(sn.qrPayload, { scale: 4, width: 320, height: 240 });
    const text = decodeQrRgba(toRgba(image), image.width, image.height);
    assert.equal(text, sn.qrPayload);
    assert.equal(compareSafetyQr(text, sn), 'match');

    const other = computeSafetyNumber(alice, { ...bob, identityKey: generateIdentity().publicKey });
    const otherImage = qrGray(other.qrPayload, { scale: 4, width: 320, height: 240 });
    const otherText = decodeQrRgba(toRgba(otherImage), otherImage.width, otherImage.height);
    assert.equal(otherText, other.qrPayload);
    assert.equal(compareSafetyQr(otherText, sn), 'mismatch');
  });

  test('scanning: a light-on-dark code is found only when decoding thoroughly; an empty picture has none', () => {
    const sn = computeSafetyNumber(alice, bob);
    const image = qrGray(sn.qrPayload, { scale: 3 });
    const inverted = { ...image, gray: image.gray.map((v) => 255 - v) };
    assert.equal(decodeQrRgba(toRgba(inverted), inverted.width, inverted.height, false), null);
    assert.equal(decodeQrRgba(toRgba(inverted), inverted.width, inverted.height, true), sn.qrPayload);
    const blank = { width: 64, height: 64, gray: new Uint8Array(64 * 64).fill(255) };
    assert.equal(decodeQrRgba(toRgba(blank), 64, 64, true), null);
  });

  test('bad inputs are SAFETY_BAD_INPUT', () => {
    for (const [a, b] of [
      [{ ...alice, identityKey: new Uint8Array(31) }, bob],
      [alice, { ...bob, name: '' }],
    ] as [SafetyParty, SafetyParty][]) {
      assert.throws(() => computeSafetyNumber(a, b), (e: unknown) => isCryptoError(e, 'SAFETY_BAD_INPUT'));
    }
  });
});
