/**
 * Sealing of file chunks: crypto_aead_xchacha20poly1305_ietf, one key per (session, file),
 * a random 24-byte nonce in front of each sealed chunk, and associated data naming the file
 * and the chunk index. Chunks are independent (unlike the chat stream), so a transfer can
 * start or resume at any chunk and a bad chunk can be asked for again, while a chunk can
 * still not be moved to another index, another file, or another session.
 *
 * Sealed chunk layout: nonce(24) ‖ ciphertext(plaintext.length) ‖ tag(16).
 *
 * Why a random nonce: the same index may be sealed more than once in one session (a chunk
 * asked for again). XChaCha20's 192-bit nonce makes random nonces safe for any realistic
 * number of chunks, whereas a nonce derived from the index would repeat under the same key.
 */
import { CryptoError } from './errors';
import { assertReady, sodium } from './sodium';
import { aeadOpenView, aeadSealInto } from './sodium-heap';
import { lengthPrefixed, utf8, writeUint64BE } from './bytes';

export const CHUNK_NONCE_BYTES = 24;
export const CHUNK_TAG_BYTES = 16;
/** Bytes a sealed chunk adds to its plaintext. */
export const CHUNK_OVERHEAD_BYTES = CHUNK_NONCE_BYTES + CHUNK_TAG_BYTES;
/** Upper bound on a fileId, in UTF-8 bytes. */
export const MAX_FILE_ID_BYTES = 128;

/**
 * The key for one file's chunks in this session. The sender passes its txKey, the receiver its
 * rxKey (the same bytes). A resumed transfer runs on a new session and so gets a new key; chunks
 * are always opened on arrival, never kept sealed.
 *   fileKey = BLAKE2b-256(LP("peerchat-file-v1", fileId), key = sessionKey)
 */
export function deriveFileKey(sessionKey: Uint8Array, fileId: string): Uint8Array {
  assertReady();
  if (sessionKey.length !== 32) throw new CryptoError('CHUNK_BAD_INPUT', 'session key must be 32 bytes');
  const id = fileIdBytes(fileId);
  return sodium.crypto_generichash(32, lengthPrefixed(['peerchat-file-v1', id]), sessionKey);
}

export interface ChunkCipher {
  seal(index: number, plaintext: Uint8Array): Uint8Array;
  /**
   * Same bytes as seal(index, plaintext), written into `target` at `offset` instead of a new
   * array (for the transfer hot path: the caller's frame header and the sealed chunk share one
   * buffer, so the data-channel message needs no further copy). `target` must have
   * CHUNK_OVERHEAD_BYTES + plaintext.length bytes free at `offset`. Returns the bytes written.
   */
  sealInto(index: number, plaintext: Uint8Array, target: Uint8Array, offset: number): number;
  /** Throws CHUNK_REJECTED unless `sealed` is exactly what seal(index, …) made for this file. */
  open(index: number, sealed: Uint8Array): Uint8Array;
  /**
   * Same as open(), but the plaintext is a VIEW of libsodium's WASM heap (no copy out), valid
   * only until the next libsodium call: hash it and copy it where it goes right away (the
   * receiver's hot path). See sodium-heap.ts.
   */
  openView(index: number, sealed: Uint8Array): Uint8Array;
}

/**
 * A sealer/opener bound to one file: precomputes the associated data once and only rewrites
 * the index per chunk, for the per-chunk hot path. Associated data = LP(fileId) ‖ uint64be(index).
 */
export function createChunkCipher(fileKey: Uint8Array, fileId: string): ChunkCipher {
  assertReady();
  if (fileKey.length !== 32) throw new CryptoError('CHUNK_BAD_INPUT', 'file key must be 32 bytes');
  const idPart = lengthPrefixed([fileIdBytes(fileId)]);
  const ad = new Uint8Array(idPart.length + 8);
  ad.set(idPart, 0);
  const key = fileKey.slice();

  const nonce = new Uint8Array(CHUNK_NONCE_BYTES);

  // Through sodium-heap.ts: plaintext and target that are views of the WASM heap are used in
  // place; anything else is copied through its scratch area (still fewer copies than the wrappers).
  const sealInto = (index: number, plaintext: Uint8Array, target: Uint8Array, offset: number): number => {
    checkIndex(index);
    const length = CHUNK_OVERHEAD_BYTES + plaintext.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > target.length) {
      throw new CryptoError('CHUNK_BAD_INPUT', 'target too small');
    }
    writeUint64BE(ad, idPart.length, index);
    globalThis.crypto.getRandomValues(nonce);
    target.set(nonce, offset);
    aeadSealInto(plaintext, ad, nonce, key, target.subarray(offset + CHUNK_NONCE_BYTES, offset + length));
    return length;
  };

  const openView = (index: number, sealed: Uint8Array): Uint8Array => {
    checkIndex(index);
    if (sealed.length < CHUNK_OVERHEAD_BYTES) throw new CryptoError('CHUNK_REJECTED', 'too short');
    writeUint64BE(ad, idPart.length, index);
    const plain = aeadOpenView(sealed.subarray(CHUNK_NONCE_BYTES), ad, sealed.subarray(0, CHUNK_NONCE_BYTES), key);
    if (!plain) throw new CryptoError('CHUNK_REJECTED', 'authentication failed');
    return plain;
  };

  return {
    seal(index: number, plaintext: Uint8Array): Uint8Array {
      const out = new Uint8Array(CHUNK_OVERHEAD_BYTES + plaintext.length);
      sealInto(index, plaintext, out, 0);
      return out;
    },
    sealInto,
    open(index: number, sealed: Uint8Array): Uint8Array {
      return openView(index, sealed).slice();
    },
    openView,
  };
}

/** One-off form of ChunkCipher.seal; prefer createChunkCipher for a whole file. */
export function sealChunk(fileKey: Uint8Array, fileId: string, index: number, plaintext: Uint8Array): Uint8Array {
  return createChunkCipher(fileKey, fileId).seal(index, plaintext);
}

/** One-off form of ChunkCipher.open. Throws CHUNK_REJECTED. */
export function openChunk(fileKey: Uint8Array, fileId: string, index: number, sealed: Uint8Array): Uint8Array {
  return createChunkCipher(fileKey, fileId).open(index, sealed);
}

function fileIdBytes(fileId: string): Uint8Array {
  const b = typeof fileId === 'string' ? utf8(fileId) : new Uint8Array(0);
  if (b.length === 0 || b.length > MAX_FILE_ID_BYTES) throw new CryptoError('CHUNK_BAD_INPUT', 'fileId');
  return b;
}

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new CryptoError('CHUNK_BAD_INPUT', 'chunk index');
}
