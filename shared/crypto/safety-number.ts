/**
 * Safety numbers, Signal-style: 60 digits that two people compare (read aloud or by QR) to
 * check that each holds the other's real identity key. Equal on both sides, because each
 * party's half is computed alone and the two halves are put in sorted order.
 *
 * Per party (name lowercased, key = 32-byte Ed25519 public key):
 *   h = BLAKE2b-512(LP("peerchat-safety-v1", name, key)), then ITERATIONS−1 times
 *   h = BLAKE2b-512(h ‖ key)
 * The first 30 bytes of h become 30 digits: six 5-byte big-endian integers, each mod 100000,
 * zero-padded to 5 digits. The iteration count makes searching for a key whose half collides
 * with someone else's costlier (on top of ~100 bits per half); it is half of Signal's 5200 so
 * that a cold first computation stays well under 50 ms in Node and tolerable on phones. It is
 * part of the format: changing it changes every safety number.
 */
import { CryptoError } from './errors';
import { assertReady, sodium } from './sodium';
import { lengthPrefixed } from './bytes';

export const SAFETY_ITERATIONS = 2600;
/** Prefix of the QR payload; upper case so the QR can use the compact alphanumeric mode. */
export const SAFETY_QR_PREFIX = 'PEERCHAT-SN1:';

export interface SafetyParty {
  name: string;
  /** Ed25519 identity public key, 32 bytes. */
  identityKey: Uint8Array;
}

export interface SafetyNumber {
  /** 60 decimal digits. */
  digits: string;
  /** The same digits as 12 groups of 5, for display (e.g. 3 rows of 4). */
  groups: string[];
  /** Groups joined with single spaces. */
  display: string;
  /** Text to encode in a QR code; the Verify dialog's scanner reads it and calls compareSafetyQr(). */
  qrPayload: string;
}

/** The safety number of a conversation between `a` and `b` (argument order does not matter). */
export function computeSafetyNumber(a: SafetyParty, b: SafetyParty): SafetyNumber {
  assertReady();
  const halves = [partyDigits(a), partyDigits(b)].sort();
  const digits = halves.join('');
  const groups: string[] = [];
  for (let i = 0; i < 60; i += 5) groups.push(digits.slice(i, i + 5));
  return { digits, groups, display: groups.join(' '), qrPayload: SAFETY_QR_PREFIX + digits };
}

/**
 * What a scanned code (the other device's Verify dialog) says about our safety number:
 * - `match`: the same safety number (the other device holds the keys we hold);
 * - `mismatch`: a Peerchat safety number, but a different one (a different key on one side, or
 *   the code of another conversation);
 * - `not-safety-number`: some other code (a link, a ticket), which proves nothing either way.
 * Whitespace is ignored so a number typed in by hand from the display form also works.
 */
export type SafetyQrVerdict = 'match' | 'mismatch' | 'not-safety-number';

export function compareSafetyQr(scanned: string, mine: SafetyNumber): SafetyQrVerdict {
  const s = scanned.replace(/\s+/g, '');
  const digits = s.startsWith(SAFETY_QR_PREFIX) ? s.slice(SAFETY_QR_PREFIX.length) : s;
  if (!/^[0-9]{60}$/.test(digits)) return 'not-safety-number';
  return digits === mine.digits ? 'match' : 'mismatch';
}

function partyDigits(p: SafetyParty): string {
  if (typeof p.name !== 'string' || p.name.length === 0 || p.identityKey.length !== 32) {
    throw new CryptoError('SAFETY_BAD_INPUT');
  }
  const key = p.identityKey;
  // One reusable buffer [h(64) ‖ key(32)]: the loop allocates only libsodium's output.
  const buf = new Uint8Array(64 + 32);
  buf.set(sodium.crypto_generichash(64, lengthPrefixed(['peerchat-safety-v1', p.name.toLowerCase(), key]), null), 0);
  buf.set(key, 64);
  for (let i = 1; i < SAFETY_ITERATIONS; i++) buf.set(sodium.crypto_generichash(64, buf, null), 0);
  let out = '';
  for (let g = 0; g < 6; g++) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + (buf[g * 5 + j] ?? 0);
    out += String(n % 100000).padStart(5, '0');
  }
  return out;
}
