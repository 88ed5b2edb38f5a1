/**
 * Files to a group: sealed once, served to every member.
 *
 * The author draws a random 32-byte file key and hashes the whole file (BLAKE2b-256) before it
 * writes the group message. The message carries the file's card (a `file` body,
 * shared/groups/group-message.ts: name, type, size, chunk plan, whole-file hash) AND the key: it
 * is signed by the author's device and travels only inside the pairwise end-to-end sessions
 * between member devices, so only members hold the key, the server never sees it, and a member
 * who relays the message can change neither the key nor the hash.
 *
 * The chunks are sealed with that key (crypto_aead_xchacha20poly1305_ietf, associated data = the
 * group, the file id and the chunk index, as shared/crypto/chunk-seal.ts) under a SYNTHETIC
 * nonce: a keyed BLAKE2b of the associated data and the chunk's bytes. One chunk therefore has
 * one sealed form: every member gets the same sealed bytes, and a member whose copy verified
 * makes exactly those bytes again when it serves the file to another member (the author gone
 * offline). Equal nonces only ever meet equal plaintexts, so the usual nonce-reuse failure
 * cannot happen; what sealing reveals is only that a chunk equals itself.
 *
 * Unlike 1:1 files (whose key is derived from the session and so changes on every reconnect), a
 * group file key is fixed per file: a chunk sealed once opens for every member at any time.
 * Receivers open chunks with the ordinary opener (the nonce travels in front of each chunk) and
 * check the whole-file hash from the signed message at the end, whichever member served them.
 */
import { assertReady, sodium } from '../crypto/sodium';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url, utf8, writeUint64BE } from '../crypto/bytes';
import { CHUNK_NONCE_BYTES, CHUNK_OVERHEAD_BYTES, createChunkCipher, type ChunkCipher } from '../crypto/chunk-seal';
import { CryptoError } from '../crypto/errors';
import { aeadSealInto, heapAddress, raw, stage } from '../crypto/sodium-heap';

export const GROUP_FILE_KEY_BYTES = 32;
const NONCE_KEY_CONTEXT = 'peerchat-group-chunk-nonce-v1';

/** A fresh random key for one group file. */
export function newGroupFileKey(): Uint8Array {
  assertReady();
  return sodium.randombytes_buf(GROUP_FILE_KEY_BYTES);
}

/** The key as a file body carries it (base64url, 43 characters). */
export function encodeGroupFileKey(key: Uint8Array): string {
  if (key.length !== GROUP_FILE_KEY_BYTES) throw new RangeError('group file key must be 32 bytes');
  return toBase64Url(key);
}

/** The key from a file body; null unless exactly 32 bytes, canonically encoded. */
export function decodeGroupFileKey(s: unknown): Uint8Array | null {
  return fromBase64UrlExact(s, GROUP_FILE_KEY_BYTES);
}

/**
 * A hash state, key, associated data and output in the WASM heap, allocated once for the page:
 * the synthetic nonce is computed without any allocation, so heap views the transfer hot path
 * holds (the staged chunk, the frame being built) stay valid (shared/crypto/sodium-heap.ts).
 */
interface NonceArea {
  state: number;
  key: number;
  ad: number;
  out: number;
}
const AD_ROOM = 256;
let nonceArea: NonceArea | null = null;

function area(): NonceArea {
  if (nonceArea) return nonceArea;
  const m = raw();
  const stateBytes = m._crypto_generichash_statebytes();
  const base = m._malloc(stateBytes + 64 + 32 + AD_ROOM + CHUNK_NONCE_BYTES + 64);
  if (!base) throw new CryptoError('NOT_READY', 'libsodium could not allocate the nonce area');
  const state = (base + 63) & ~63;
  nonceArea = { state, key: state + stateBytes, ad: state + stateBytes + 32, out: state + stateBytes + 32 + AD_ROOM };
  return nonceArea;
}

/** BLAKE2b-192(ad ‖ plaintext, key = nonceKey), computed in the heap (no allocation). */
function syntheticNonce(nonceKey: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const m = raw();
  const a = area();
  const staged = heapAddress(plaintext) >= 0 ? plaintext : stage(plaintext);
  m.HEAPU8.set(nonceKey, a.key);
  m.HEAPU8.set(ad, a.ad);
  if (
    m._crypto_generichash_init(a.state, a.key, 32, CHUNK_NONCE_BYTES) !== 0 ||
    m._crypto_generichash_update(a.state, a.ad, ad.length, 0) !== 0 ||
    m._crypto_generichash_update(a.state, staged.byteOffset, staged.length, 0) !== 0 ||
    m._crypto_generichash_final(a.state, a.out, CHUNK_NONCE_BYTES) !== 0
  ) {
    throw new CryptoError('CHUNK_BAD_INPUT', 'nonce hash failed');
  }
  return m.HEAPU8.slice(a.out, a.out + CHUNK_NONCE_BYTES);
}

/**
 * The sealer/opener for one group file's chunks. Bound to the group too: the same file id in
 * another group (or as a 1:1 file) never opens with it. Sealing is deterministic (see the top):
 * the same chunk always seals to the same bytes; opening is the ordinary chunk opener.
 */
export function groupChunkCipher(key: Uint8Array, group: string, fileId: string): ChunkCipher {
  assertReady();
  const aadId = `${group}/${fileId}`;
  const opener = createChunkCipher(key, aadId);
  const fileKey = key.slice();
  const nonceKey = sodium.crypto_generichash(32, utf8(NONCE_KEY_CONTEXT), fileKey);
  const idPart = lengthPrefixed([utf8(aadId)]);
  const ad = new Uint8Array(idPart.length + 8);
  if (ad.length > AD_ROOM) throw new CryptoError('CHUNK_BAD_INPUT', 'fileId');
  ad.set(idPart, 0);

  const sealInto = (index: number, plaintext: Uint8Array, target: Uint8Array, offset: number): number => {
    if (!Number.isSafeInteger(index) || index < 0) throw new CryptoError('CHUNK_BAD_INPUT', 'chunk index');
    const length = CHUNK_OVERHEAD_BYTES + plaintext.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > target.length) throw new CryptoError('CHUNK_BAD_INPUT', 'target too small');
    writeUint64BE(ad, idPart.length, index);
    const nonce = syntheticNonce(nonceKey, ad, plaintext);
    target.set(nonce, offset);
    aeadSealInto(plaintext, ad, nonce, fileKey, target.subarray(offset + CHUNK_NONCE_BYTES, offset + length));
    return length;
  };

  return {
    seal(index: number, plaintext: Uint8Array): Uint8Array {
      const out = new Uint8Array(CHUNK_OVERHEAD_BYTES + plaintext.length);
      sealInto(index, plaintext, out, 0);
      return out;
    },
    sealInto,
    open: opener.open,
    openView: opener.openView,
  };
}
