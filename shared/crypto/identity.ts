/**
 * Long-term device identity: an Ed25519 key pair. The public half is published with the
 * account (signalling field `identityKey`) and pinned by peers on first contact; the secret
 * half never leaves the device (IndexedDB, durability 'strict').
 */
import { LIMITS } from '../limits';
import { assertReady, sodium } from './sodium';
import { bytesEqual, fromBase64UrlExact, toBase64Url } from './bytes';

export const IDENTITY_PUBLIC_KEY_BYTES = 32;
export const IDENTITY_SECRET_KEY_BYTES = 64;

/** An Ed25519 key pair in libsodium's layout: secretKey = seed(32) ‖ publicKey(32). */
export interface IdentityKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * What goes into IndexedDB (or an export file): plain strings, so it survives structured
 * clone, JSON and schema upgrades alike. `v` lets a later format be told apart.
 */
export interface StoredIdentity {
  v: 1;
  /** base64url, 43 chars. */
  publicKey: string;
  /** base64url, 86 chars. Secret: never log or send it. */
  secretKey: string;
}

/** A fresh random identity for this device. Done once, at first start. */
export function generateIdentity(): IdentityKeyPair {
  assertReady();
  const kp = sodium.crypto_sign_keypair();
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * Deterministic identity from a 32-byte seed. Meant for tests and known-answer vectors; real
 * devices use generateIdentity().
 */
export function identityFromSeed(seed: Uint8Array): IdentityKeyPair {
  assertReady();
  if (seed.length !== sodium.crypto_sign_SEEDBYTES) throw new RangeError('seed must be 32 bytes');
  const kp = sodium.crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/**
 * A public key in the form the signalling protocol carries: base64url without padding,
 * exactly 43 characters (matches /^[A-Za-z0-9_-]{43}$/).
 */
export function encodePublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== IDENTITY_PUBLIC_KEY_BYTES) throw new RangeError('public key must be 32 bytes');
  return toBase64Url(publicKey);
}

/**
 * Parses a public key received from the directory or a QR code. Returns null unless it is the
 * canonical 43-character encoding of 32 bytes, so the same key always has the same spelling
 * (which matters when comparing pinned keys as strings).
 */
export function decodePublicKey(s: unknown): Uint8Array | null {
  if (typeof s !== 'string' || s.length !== LIMITS.identityKeyChars) return null;
  return fromBase64UrlExact(s, IDENTITY_PUBLIC_KEY_BYTES);
}

export function serializeIdentity(kp: IdentityKeyPair): StoredIdentity {
  return { v: 1, publicKey: encodePublicKey(kp.publicKey), secretKey: toBase64Url(kp.secretKey) };
}

/**
 * Reads back a stored identity. Returns null for anything that is not a consistent key pair:
 * the key pair is re-derived from the seed inside the secret key and must match exactly, so
 * a corrupted or hand-edited record is refused instead of producing unverifiable signatures.
 */
export function deserializeIdentity(x: unknown): IdentityKeyPair | null {
  assertReady();
  if (typeof x !== 'object' || x === null) return null;
  const rec = x as Record<string, unknown>;
  if (rec.v !== 1) return null;
  const publicKey = decodePublicKey(rec.publicKey);
  const secretKey = fromBase64UrlExact(rec.secretKey, IDENTITY_SECRET_KEY_BYTES);
  if (!publicKey || !secretKey) return null;
  const again = sodium.crypto_sign_seed_keypair(secretKey.subarray(0, 32));
  if (!bytesEqual(again.publicKey, publicKey) || !bytesEqual(again.privateKey, secretKey)) return null;
  return { publicKey, secretKey };
}
