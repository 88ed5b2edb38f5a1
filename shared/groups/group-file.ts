/**
 * Files to a group: sealed once, served to every member.
 *
 * The author draws a random 32-byte file key and seals the file's chunks with it once
 * (crypto_aead_xchacha20poly1305_ietf, shared/crypto/chunk-seal.ts; associated data = the
 * file id and the chunk index). The group message carries the file's card (a `file` body,
 * shared/groups/group-message.ts: name, type, size, chunk plan, whole-file hash). The key goes to
 * each member device separately, inside its pairwise end-to-end session (`group-file-key`), so
 * only members hold it and the server never sees it. Every member then receives the same sealed
 * chunks; a member whose chunks verified (chunk AEAD, then the whole-file hash) may serve them to
 * another: the asking member sends `group-file-need` with the ranges it lacks to any member
 * device that announced them in `group-file-have`.
 *
 * Unlike 1:1 files (whose key is derived from the session and so changes on every reconnect), a
 * group file key is fixed per file: a chunk sealed once opens for every member at any time. The
 * key is sent only to members who may receive the message (shared/groups/group-fanout.ts), and
 * never to a member removed before it.
 */
import { assertReady, sodium } from '../crypto/sodium';
import { fromBase64UrlExact, toBase64Url } from '../crypto/bytes';
import { createChunkCipher, type ChunkCipher } from '../crypto/chunk-seal';

export const GROUP_FILE_KEY_BYTES = 32;

/** A fresh random key for one group file. */
export function newGroupFileKey(): Uint8Array {
  assertReady();
  return sodium.randombytes_buf(GROUP_FILE_KEY_BYTES);
}

/** The key as `group-file-key` carries it (base64url, 43 characters). */
export function encodeGroupFileKey(key: Uint8Array): string {
  if (key.length !== GROUP_FILE_KEY_BYTES) throw new RangeError('group file key must be 32 bytes');
  return toBase64Url(key);
}

/** The key from a `group-file-key` frame; null unless exactly 32 bytes, canonically encoded. */
export function decodeGroupFileKey(s: unknown): Uint8Array | null {
  return fromBase64UrlExact(s, GROUP_FILE_KEY_BYTES);
}

/**
 * The sealer/opener for one group file's chunks. Bound to the group too: the same file id in
 * another group (or as a 1:1 file) never opens with it.
 */
export function groupChunkCipher(key: Uint8Array, group: string, fileId: string): ChunkCipher {
  return createChunkCipher(key, `${group}/${fileId}`);
}
