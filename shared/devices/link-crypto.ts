/**
 * The cryptography of linking a new device to an account (messages in link-messages.ts).
 *
 * The check the person makes is a commit-then-reveal short code. The new device N commits to its
 * ephemeral key, nonce and device key before it sees the existing device E's nonce; E sends its
 * values in the clear; N reveals; both hash everything into S and show 6 digits of it. Whoever
 * sits in the middle (the signalling server) must fix its own values on each side before it
 * learns what the honest side contributes, so it cannot steer the two codes to be equal: it gets
 * one guess in 10^6 per attempt, and a failed check is shown on E.
 *
 * The grant (the account secret key and the new device list) is boxed under a key derived from
 * S and the X25519 secret of the two ephemeral keys, so a relay that swapped any key learns
 * nothing from it and N refuses it.
 */
import * as v from 'valibot';
import { safeJsonParse } from '../json';
import { assertReady, sodium } from '../crypto/sodium';
import { bytesEqual, fromBase64UrlExact, lengthPrefixed, toBase64Url } from '../crypto/bytes';
import type { IdentityKeyPair } from '../crypto/identity';
import { IDENTITY_SECRET_KEY_BYTES } from '../crypto/identity';
import { parseSignedDeviceList, type SignedDeviceList } from './device-list';
import { LINK_BOX_MAC_BYTES, LINK_BOX_NONCE_BYTES, LINK_EPH_BYTES, LINK_NONCE_BYTES, LINK_RID_BYTES } from './link-messages';

const COMMIT_CONTEXT = 'peerchat-link-commit-v1';
const SAS_CONTEXT = 'peerchat-link-sas-v1';
const KEY_CONTEXT = 'peerchat-link-key-v1';

/** Digits of the code the person compares. */
export const LINK_CODE_DIGITS = 6;

/** An X25519 key pair for one linking attempt (crypto_box_keypair), thrown away afterwards. */
export interface LinkEphemeral {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The fresh randomness one side needs for one attempt (made by {@link freshLinkSecrets}). */
export interface LinkSecrets {
  /** Request id, 22 characters (used by the new device only). */
  rid: string;
  /** 32 random bytes. */
  nonce: Uint8Array;
  eph: LinkEphemeral;
}

/** Fresh randomness for one attempt; the machines take it in events so they stay pure. */
export function freshLinkSecrets(): LinkSecrets {
  assertReady();
  const kp = sodium.crypto_box_keypair();
  return {
    rid: toBase64Url(sodium.randombytes_buf(LINK_RID_BYTES)),
    nonce: sodium.randombytes_buf(LINK_NONCE_BYTES),
    eph: { publicKey: kp.publicKey, secretKey: kp.privateKey },
  };
}

/** A fresh secretbox nonce for a grant (passed to the existing-device machine with `approve`). */
export function freshGrantNonce(): Uint8Array {
  assertReady();
  return sodium.randombytes_buf(LINK_BOX_NONCE_BYTES);
}

/** The ephemeral key pair made from a 32-byte seed (tests; real attempts use {@link freshLinkSecrets}). */
export function linkEphemeralFromSeed(seed: Uint8Array): LinkEphemeral {
  assertReady();
  const kp = sodium.crypto_box_seed_keypair(seed);
  return { publicKey: kp.publicKey, secretKey: kp.privateKey };
}

/** N's commit: BLAKE2b-256(LP("peerchat-link-commit-v1", ephN, nonceN, deviceKeyN)). */
export function linkCommit(ephN: Uint8Array, nonceN: Uint8Array, deviceKeyN: Uint8Array): Uint8Array {
  assertReady();
  return sodium.crypto_generichash(32, lengthPrefixed([COMMIT_CONTEXT, ephN, nonceN, deviceKeyN]), null);
}

/** True if the revealed values are the ones N committed to (constant-time comparison). */
export function linkCommitMatches(commit: Uint8Array, ephN: Uint8Array, nonceN: Uint8Array, deviceKeyN: Uint8Array): boolean {
  return bytesEqual(commit, linkCommit(ephN, nonceN, deviceKeyN));
}

/** Everything the short code is over. */
export interface LinkTranscript {
  accountKey: Uint8Array;
  deviceKey: Uint8Array;
  ephN: Uint8Array;
  ephE: Uint8Array;
  nonceN: Uint8Array;
  nonceE: Uint8Array;
}

/** S = BLAKE2b-256(LP("peerchat-link-sas-v1", A, D_N, ephN, ephE, nonceN, nonceE)). */
export function linkSas(t: LinkTranscript): Uint8Array {
  assertReady();
  return sodium.crypto_generichash(32, lengthPrefixed([SAS_CONTEXT, t.accountKey, t.deviceKey, t.ephN, t.ephE, t.nonceN, t.nonceE]), null);
}

/** The 6 digits shown: big-endian uint32 of S[0..4] mod 10^6, zero-padded. */
export function linkCode(sas: Uint8Array): string {
  if (sas.length < 4) throw new RangeError('sas too short');
  const n = new DataView(sas.buffer, sas.byteOffset, 4).getUint32(0, false);
  return String(n % 10 ** LINK_CODE_DIGITS).padStart(LINK_CODE_DIGITS, '0');
}

/**
 * K = BLAKE2b-256(LP("peerchat-link-key-v1", S), key = X25519(our eph secret, peer eph)).
 * Null if the peer's key is a low-order point (libsodium refuses an all-zero shared secret).
 */
export function linkBoxKey(sas: Uint8Array, ownEphSecret: Uint8Array, peerEph: Uint8Array): Uint8Array | null {
  assertReady();
  if (peerEph.length !== LINK_EPH_BYTES) return null;
  let shared: Uint8Array;
  try {
    shared = sodium.crypto_scalarmult(ownEphSecret, peerEph);
  } catch {
    return null;
  }
  const key = sodium.crypto_generichash(32, lengthPrefixed([KEY_CONTEXT, sas]), shared);
  sodium.memzero(shared);
  return key;
}

/** What a grant box holds. */
export interface LinkGrantContent {
  /** The account's Ed25519 secret key, base64url (86 characters). Secret: never log it. */
  accountSecretKey: string;
  /** The device list that names the new device, signed by the account key. */
  devices: SignedDeviceList;
}

const GrantShape = v.strictObject({
  accountSecretKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/)),
  devices: v.unknown(),
});

/** base64url(nonce ‖ crypto_secretbox_easy(JSON content, nonce, K)). `nonce` is 24 fresh random bytes. */
export function sealLinkGrant(key: Uint8Array, content: LinkGrantContent, nonce: Uint8Array): string {
  assertReady();
  if (nonce.length !== LINK_BOX_NONCE_BYTES) throw new RangeError('grant nonce must be 24 bytes');
  const json = JSON.stringify({ accountSecretKey: content.accountSecretKey, devices: { list: content.devices.list, sig: content.devices.sig } });
  const sealed = sodium.crypto_secretbox_easy(json, nonce, key);
  const out = new Uint8Array(nonce.length + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, nonce.length);
  return toBase64Url(out);
}

/** The content of a grant box, or null if it does not open under `key` or is not a grant. */
export function openLinkGrant(key: Uint8Array, box: string): LinkGrantContent | null {
  assertReady();
  let bytes: Uint8Array;
  try {
    bytes = sodium.from_base64(box, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    return null;
  }
  if (bytes.length < LINK_BOX_NONCE_BYTES + LINK_BOX_MAC_BYTES) return null;
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_secretbox_open_easy(bytes.subarray(LINK_BOX_NONCE_BYTES), bytes.subarray(0, LINK_BOX_NONCE_BYTES), key);
  } catch {
    return null;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return null;
  }
  const parsed = v.safeParse(GrantShape, safeJsonParse(text));
  if (!parsed.success) return null;
  const devices = parseSignedDeviceList(parsed.output.devices);
  if (!devices) return null;
  return { accountSecretKey: parsed.output.accountSecretKey, devices };
}

/**
 * The account key pair from a granted secret key, only if it is exactly the pair of
 * `accountKey` (re-derived from the seed inside it), else null.
 */
export function accountKeyPairFromGrant(accountSecretKey: string, accountKey: Uint8Array): IdentityKeyPair | null {
  assertReady();
  const secretKey = fromBase64UrlExact(accountSecretKey, IDENTITY_SECRET_KEY_BYTES);
  if (!secretKey) return null;
  const again = sodium.crypto_sign_seed_keypair(secretKey.subarray(0, 32));
  if (!bytesEqual(again.publicKey, accountKey) || !bytesEqual(again.privateKey, secretKey)) return null;
  return { publicKey: again.publicKey, secretKey };
}
