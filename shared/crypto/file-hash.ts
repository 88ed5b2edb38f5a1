/**
 * Whole-file hash for transfer integrity: plain, unkeyed BLAKE2b-256 computed chunk by chunk
 * (never the whole file in memory), hex in the offer. Plain BLAKE2b so anyone can check a
 * received file with `b2sum -l 256`.
 */
import { CryptoError } from './errors';
import { assertReady, sodium } from './sodium';
import { toHex } from './bytes';

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
  let state: ReturnType<typeof sodium.crypto_generichash_init> | null = sodium.crypto_generichash_init(null, FILE_HASH_BYTES);
  const live = (): ReturnType<typeof sodium.crypto_generichash_init> => {
    if (!state) throw new CryptoError('HASH_FINALIZED');
    return state;
  };
  return {
    update(bytes: Uint8Array): void {
      sodium.crypto_generichash_update(live(), bytes);
    },
    digestHex(): string {
      const digest = sodium.crypto_generichash_final(live(), FILE_HASH_BYTES);
      state = null;
      return toHex(digest);
    },
    dispose(): void {
      // libsodium frees the state in final(); there is no other way to release it.
      if (state) sodium.crypto_generichash_final(state, FILE_HASH_BYTES);
      state = null;
    },
  };
}

/** One-shot BLAKE2b-256 hex of bytes already in memory (same result as the streaming hasher). */
export function hashBytesHex(bytes: Uint8Array): string {
  assertReady();
  return toHex(sodium.crypto_generichash(FILE_HASH_BYTES, bytes, null));
}
