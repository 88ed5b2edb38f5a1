/**
 * Whole-file hash for transfer integrity: plain, unkeyed BLAKE2b-256 computed chunk by chunk
 * (never the whole file in memory), hex in the offer. Plain BLAKE2b so anyone can check a
 * received file with `b2sum -l 256`.
 */
import { assertReady, sodium } from './sodium';
import { toHex } from './bytes';
import { HeapHash } from './sodium-heap';

export const FILE_HASH_BYTES = 32;

export interface FileHasher {
  /** Adds the next bytes of the file, in order. */
  update(bytes: Uint8Array): void;
  /** Finishes and returns the 64-char lowercase hex digest. Call once; the hasher is then done. */
  digestHex(): string;
  /** Frees the hasher without a result (cancelled transfer). Safe to call more than once. */
  dispose(): void;
}

export function createFileHasher(): FileHasher {
  assertReady();
  // A heap state (sodium-heap.ts): chunks that already are views of the WASM heap (the transfer
  // hot path stages them there to seal or open) are hashed in place, without a copy.
  const state = new HeapHash(FILE_HASH_BYTES);
  return {
    update(bytes: Uint8Array): void {
      state.update(bytes);
    },
    digestHex(): string {
      return toHex(state.final());
    },
    dispose(): void {
      state.free();
    },
  };
}

/** One-shot BLAKE2b-256 hex of bytes already in memory (same result as the streaming hasher). */
export function hashBytesHex(bytes: Uint8Array): string {
  assertReady();
  return toHex(sodium.crypto_generichash(FILE_HASH_BYTES, bytes, null));
}
