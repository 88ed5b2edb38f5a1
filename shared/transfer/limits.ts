/**
 * Caps of the file-transfer protocol. Both ends enforce them; changing one is a
 * protocol change. See shared/transfer/index.ts for how the pieces fit together.
 */
import { CHUNK_OVERHEAD_BYTES } from '../crypto/chunk-seal';

/** Bytes of a chunk frame before the sealed chunk: kind(1) ‖ fileId(16) ‖ index(4, big-endian). */
export const CHUNK_FRAME_HEADER_BYTES = 1 + 16 + 4;

/** Largest data-channel message (Chromium's max message size is 262,144 bytes). */
export const MAX_CHUNK_FRAME_BYTES = 256 * 1024;

export const TRANSFER_LIMITS = {
  /** Default chunk size: measured as fast as 16 or 256 KiB on loopback (test/bench/README.md), cheap to re-send. */
  defaultChunkSize: 64 * 1024,
  minChunkSize: 1024,
  /** 255 KiB: header + AEAD overhead + chunk stay within one 256 KiB data-channel message. */
  maxChunkSize: 255 * 1024,
  /** 64 GiB. A number, not a bigint: every offset stays far below 2^53. */
  maxFileSize: 64 * 1024 ** 3,
  /** Caps the receiver's verified-chunk bitmap at 256 KiB whatever the chunk size. */
  maxChunkCount: 1 << 21,
  /** File names after sanitising, in UTF-8 bytes (common file-system limit). */
  maxNameBytes: 255,
  /** File names as received, in UTF-16 code units, before sanitising. Longer: the frame is invalid. */
  maxRawNameChars: 4096,
  maxMimeChars: 127,
  /** A thumbnail is a `data:image/{png,jpeg,webp};base64,…` URL of at most this many characters. */
  maxThumbChars: 48 * 1024,
  /** Chunk ranges in one file-accept / file-need (worst case ~40 KB of JSON). */
  maxRanges: 2048,
  /** Images up to this size may be shown inline (and accepted automatically, see isInlineImage). */
  maxInlineImageBytes: 16 * 1024 * 1024,
  /**
   * A sent video or audio file up to this size stays on the sender's device after it is verified,
   * so it plays in the sender's history too (larger ones are dropped, as other files are).
   */
  maxKeptMediaBytes: 100 * 1024 * 1024,
} as const;

if (CHUNK_FRAME_HEADER_BYTES + CHUNK_OVERHEAD_BYTES + TRANSFER_LIMITS.maxChunkSize > MAX_CHUNK_FRAME_BYTES) {
  throw new Error('transfer limits: a full chunk frame must fit one data-channel message');
}
