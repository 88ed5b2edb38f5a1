/**
 * Direct access to libsodium's WASM exports for the file-transfer hot path.
 *
 * Why: libsodium-wrappers copies every input into a fresh malloc'd block and every output into a
 * fresh Uint8Array, per call. For a 64 KiB chunk that is a malloc/free pair, two or three 64 KiB
 * copies and a new ArrayBuffer (which the GC must later reclaim) per seal, per open and per hash
 * update — measured ~20 % slower than the bare function, on a path where every CPU cycle is
 * taken from the data channel (the transfer is CPU-bound on 2 cores: test/bench/README.md).
 * Here inputs and outputs live in one scratch area inside the WASM heap,
 * allocated once: a chunk is copied in once, sealed/opened and hashed in place, and the result
 * handed out as a VIEW of the heap.
 *
 * Rules for views of the heap (`heapView`, the results of `stage`/`scratchOut`):
 * - valid only until the next call into libsodium (any call may grow the memory, which detaches
 *   the old buffer, and the next chunk overwrites the scratch area): use or copy them at once;
 * - RTCDataChannel.send(view) copies synchronously, so sending one straight away is safe.
 *
 * Same libsodium instance as ./sodium.ts (the wrappers' own module), so readiness is shared.
 */
import * as wrappers from 'libsodium-wrappers';
import { CryptoError } from './errors';

/** The WASM exports used here (emscripten names; 64-bit lengths are passed as lo, hi words). */
interface RawSodium {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: number, clenP: number, m: number, mlenLo: number, mlenHi: number,
    ad: number, adlenLo: number, adlenHi: number, nsec: number, npub: number, k: number,
  ): number;
  _crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: number, mlenP: number, nsec: number, c: number, clenLo: number, clenHi: number,
    ad: number, adlenLo: number, adlenHi: number, npub: number, k: number,
  ): number;
  _crypto_generichash_statebytes(): number;
  _crypto_generichash_init(state: number, key: number, keylen: number, outlen: number): number;
  _crypto_generichash_update(state: number, input: number, inlenLo: number, inlenHi: number): number;
  _crypto_generichash_final(state: number, out: number, outlen: number): number;
}

const REQUIRED = [
  '_malloc',
  '_free',
  '_crypto_aead_xchacha20poly1305_ietf_encrypt',
  '_crypto_aead_xchacha20poly1305_ietf_decrypt',
  '_crypto_generichash_statebytes',
  '_crypto_generichash_init',
  '_crypto_generichash_update',
  '_crypto_generichash_final',
] as const;

let rawModule: RawSodium | null = null;

/** The raw module; throws NOT_READY before `await ready()` (./sodium.ts). */
export function raw(): RawSodium {
  if (rawModule) return rawModule;
  const m = (wrappers as unknown as { libsodium?: Partial<RawSodium> }).libsodium;
  if (!m || !(m.HEAPU8 instanceof Uint8Array) || REQUIRED.some((k) => typeof m[k] !== 'function')) {
    throw new CryptoError('NOT_READY', 'libsodium WASM exports are not available (await ready() first)');
  }
  rawModule = m as RawSodium;
  return rawModule;
}

/** Largest input the scratch area takes: a whole data-channel frame (256 KiB) plus slack. */
export const SCRATCH_BYTES = 256 * 1024 + 256;
/** Room for a key (32), a nonce (24) and associated data (up to 192 bytes). */
const SMALL_BYTES = 256;

interface Scratch {
  /** key(32) ‖ nonce(24) at +32 ‖ ad at +64 */
  small: number;
  input: number;
  output: number;
}

let scratch: Scratch | null = null;

/** The scratch area, allocated on first use and kept for the life of the page (~0.5 MiB). */
function area(): Scratch {
  if (scratch) return scratch;
  const m = raw();
  const base = m._malloc(SMALL_BYTES + 2 * SCRATCH_BYTES + 64);
  if (!base) throw new CryptoError('NOT_READY', 'libsodium could not allocate its scratch area');
  const small = (base + 63) & ~63;
  scratch = { small, input: small + SMALL_BYTES, output: small + SMALL_BYTES + SCRATCH_BYTES };
  return scratch;
}

/** A view of `length` heap bytes at `ptr` (see the rules at the top). */
export function heapView(ptr: number, length: number): Uint8Array {
  return raw().HEAPU8.subarray(ptr, ptr + length);
}

/** Where `bytes` are in the heap if they are a view of it, else -1. */
export function heapAddress(bytes: Uint8Array): number {
  return bytes.buffer === raw().HEAPU8.buffer ? bytes.byteOffset : -1;
}

/**
 * Copies `bytes` into the input scratch (unless they already are a view of the heap) and returns
 * the heap view: hash and seal it from there without further copies.
 */
export function stage(bytes: Uint8Array): Uint8Array {
  if (heapAddress(bytes) >= 0) return bytes;
  if (bytes.length > SCRATCH_BYTES) throw new CryptoError('CHUNK_BAD_INPUT', 'chunk larger than the scratch area');
  const { input } = area();
  const heap = raw().HEAPU8;
  heap.set(bytes, input);
  return heap.subarray(input, input + bytes.length);
}

/** A view of the output scratch, `length` bytes, e.g. to build a frame in. */
export function scratchOut(length: number): Uint8Array {
  if (length > SCRATCH_BYTES) throw new CryptoError('CHUNK_BAD_INPUT', 'frame larger than the scratch area');
  const { output } = area();
  return raw().HEAPU8.subarray(output, output + length);
}

/** Puts key, nonce and associated data into the small scratch; returns their addresses. */
function params(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array): { k: number; n: number; a: number } {
  if (key.length !== 32 || nonce.length !== 24 || ad.length > SMALL_BYTES - 64) {
    throw new CryptoError('CHUNK_BAD_INPUT', 'key, nonce or associated data of the wrong length');
  }
  const { small } = area();
  const heap = raw().HEAPU8;
  heap.set(key, small);
  heap.set(nonce, small + 32);
  heap.set(ad, small + 64);
  return { k: small, n: small + 32, a: small + 64 };
}

/**
 * XChaCha20-Poly1305 (IETF) seal of `plaintext` into `target` (ciphertext ‖ tag, plaintext.length
 * + 16 bytes). Either may be a heap view (no copy) or ordinary memory (copied through the
 * scratch). Same bytes as sodium.crypto_aead_xchacha20poly1305_ietf_encrypt.
 */
export function aeadSealInto(plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array, target: Uint8Array): void {
  const length = plaintext.length + 16;
  if (target.length < length) throw new CryptoError('CHUNK_BAD_INPUT', 'target too small');
  // Whatever memory they live in, input and output must fit the scratch areas.
  if (length > SCRATCH_BYTES) throw new CryptoError('CHUNK_BAD_INPUT', 'chunk larger than the scratch area');
  const m = raw();
  const p = params(key, nonce, ad);
  const inTarget = heapAddress(target);
  const out = inTarget >= 0 ? inTarget : area().output;
  const input = inputAddress(plaintext, out, length);
  if (m._crypto_aead_xchacha20poly1305_ietf_encrypt(out, 0, input, plaintext.length, 0, p.a, ad.length, 0, 0, p.n, p.k) !== 0) {
    throw new CryptoError('CHUNK_BAD_INPUT', 'seal failed');
  }
  if (inTarget < 0) target.set(m.HEAPU8.subarray(out, out + length));
}

/**
 * Opens `sealed` (ciphertext ‖ tag) into the output scratch and returns the plaintext as a heap
 * view (see the rules at the top), or null if it does not authenticate.
 */
export function aeadOpenView(sealed: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (sealed.length < 16) return null;
  if (sealed.length > SCRATCH_BYTES) throw new CryptoError('CHUNK_BAD_INPUT', 'chunk larger than the scratch area');
  const m = raw();
  const p = params(key, nonce, ad);
  const { output } = area();
  const input = inputAddress(sealed, output, sealed.length - 16);
  const rc = m._crypto_aead_xchacha20poly1305_ietf_decrypt(output, 0, 0, input, sealed.length, 0, p.a, ad.length, 0, p.n, p.k);
  return rc === 0 ? m.HEAPU8.subarray(output, output + sealed.length - 16) : null;
}

/**
 * The heap address to read `bytes` from when writing `outLength` bytes at `out`: their own when
 * they are a heap view that does not partly overlap the output (libsodium allows exactly the same
 * place, not a shifted one), else a copy in the input scratch.
 */
function inputAddress(bytes: Uint8Array, out: number, outLength: number): number {
  const at = heapAddress(bytes);
  if (at >= 0 && (at === out || at + bytes.length <= out || out + outLength <= at)) return at;
  const { input } = area();
  const heap = raw().HEAPU8;
  if (at >= 0) heap.copyWithin(input, at, at + bytes.length); // memmove: overlap is fine
  else heap.set(bytes, input);
  return input;
}

/**
 * A streaming BLAKE2b state in the heap. `update` hashes heap views in place and copies anything
 * else through the scratch. Free it with `final` or `free`.
 */
export class HeapHash {
  private state: number;
  private readonly base: number;

  constructor(readonly outBytes: number) {
    const m = raw();
    this.base = m._malloc(m._crypto_generichash_statebytes() + 64 + outBytes);
    if (!this.base) throw new CryptoError('NOT_READY', 'libsodium could not allocate a hash state');
    // BLAKE2b's state wants 64-byte alignment; emscripten's malloc gives 8 or 16.
    this.state = (this.base + 63) & ~63;
    if (m._crypto_generichash_init(this.state, 0, 0, outBytes) !== 0) {
      m._free(this.base);
      throw new CryptoError('NOT_READY', 'generichash_init failed');
    }
  }

  get live(): boolean {
    return this.state !== 0;
  }

  update(bytes: Uint8Array): void {
    if (!this.state) throw new CryptoError('HASH_FINALIZED');
    const m = raw();
    const at = heapAddress(bytes);
    if (at >= 0) {
      m._crypto_generichash_update(this.state, at, bytes.length, 0);
      return;
    }
    // Ordinary memory: through the input scratch, in pieces that fit.
    for (let i = 0; i < bytes.length; i += SCRATCH_BYTES) {
      const piece = stage(bytes.subarray(i, Math.min(bytes.length, i + SCRATCH_BYTES)));
      m._crypto_generichash_update(this.state, piece.byteOffset, piece.length, 0);
    }
  }

  /** The digest (a copy); frees the state. */
  final(): Uint8Array {
    if (!this.state) throw new CryptoError('HASH_FINALIZED');
    const m = raw();
    const out = this.state + m._crypto_generichash_statebytes();
    m._crypto_generichash_final(this.state, out, this.outBytes);
    const digest = m.HEAPU8.slice(out, out + this.outBytes);
    this.free();
    return digest;
  }

  /** Frees the state without a digest. Safe to call more than once. */
  free(): void {
    if (!this.state) return;
    this.state = 0;
    raw()._free(this.base);
  }
}
