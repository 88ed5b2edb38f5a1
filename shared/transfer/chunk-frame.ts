/**
 * The binary chunk frame: the hot path of a transfer, one data-channel message per chunk, no
 * JSON, one buffer.
 *
 *   offset  size  field
 *   0       1     kind = 0x03 (PEER_FRAME_KINDS.chunk in shared/peer-protocol.ts)
 *   1       16    fileId, raw bytes (the offer's 32-hex-char id)
 *   17      4     chunk index, uint32 big-endian
 *   21      n+40  sealed chunk (shared/crypto/chunk-seal.ts): nonce(24) ‖ ciphertext(n) ‖ tag(16)
 *
 * A full 64 KiB chunk makes a 65,597-byte message; the largest allowed chunk (255 KiB) still
 * fits Chromium's 256 KiB message limit. fileId and index are not covered by any MAC here: they
 * only route the frame. The AEAD's associated data binds the sealed chunk to its file and index,
 * so a frame whose header was altered, or a chunk replayed under another index or file, fails
 * to open.
 */
import { CHUNK_OVERHEAD_BYTES, type ChunkCipher } from '../crypto/chunk-seal';
import { scratchOut } from '../crypto/sodium-heap';
import { CHUNK_FRAME_HEADER_BYTES, MAX_CHUNK_FRAME_BYTES } from './limits';

/** Must equal PEER_FRAME_KINDS.chunk (shared/peer-protocol.ts); a unit test checks it. */
export const CHUNK_FRAME_KIND = 0x03;
export const FILE_ID_BYTES = 16;
const INDEX_OFFSET = 1 + FILE_ID_BYTES;
const MAX_INDEX = 0xffff_ffff;

/** Raw 16 bytes of a 32-hex-char file id. Throws RangeError for anything else. */
export function fileIdToBytes(fileId: string): Uint8Array {
  if (!/^[0-9a-f]{32}$/.test(fileId)) throw new RangeError('fileId must be 32 lowercase hex chars');
  const out = new Uint8Array(FILE_ID_BYTES);
  for (let i = 0; i < FILE_ID_BYTES; i++) out[i] = parseInt(fileId.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 32-hex-char id of 16 raw bytes (e.g. ChunkFrameView.fileId, to find the transfer). */
export function fileIdFromBytes(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < FILE_ID_BYTES; i++) s += HEX[bytes[i] ?? 0];
  return s;
}

/** Size of the chunk frame carrying `plaintextLength` bytes. */
export function chunkFrameLength(plaintextLength: number): number {
  return CHUNK_FRAME_HEADER_BYTES + CHUNK_OVERHEAD_BYTES + plaintextLength;
}

/**
 * Seals chunks of one file straight into data-channel frames, built in libsodium's WASM heap
 * (shared/crypto/sodium-heap.ts): header, nonce, ciphertext and tag land in one scratch buffer,
 * so the frame is never copied in JS. `encode()` returns a VIEW of that heap buffer, valid only
 * until the next libsodium call: RTCDataChannel.send() copies synchronously, so
 * `channel.send(encoder.encode(i, bytes))` is safe; anything that keeps the frame (a queue,
 * postMessage transfer) must copy it or use encodeChunkFrame.
 */
export class ChunkFrameEncoder {
  private readonly header = new Uint8Array(INDEX_OFFSET);
  private readonly maxChunkSize: number;
  private cipher: ChunkCipher;

  constructor(cipher: ChunkCipher, fileId: Uint8Array | string, maxChunkSize: number) {
    const id = typeof fileId === 'string' ? fileIdToBytes(fileId) : fileId;
    if (id.length !== FILE_ID_BYTES) throw new RangeError('fileId must be 16 bytes');
    if (chunkFrameLength(maxChunkSize) > MAX_CHUNK_FRAME_BYTES) throw new RangeError('chunk too large for one frame');
    this.cipher = cipher;
    this.maxChunkSize = maxChunkSize;
    this.header[0] = CHUNK_FRAME_KIND;
    this.header.set(id, 1);
  }

  /** A new session means a new file key (resume): swap the cipher. */
  setCipher(cipher: ChunkCipher): void {
    this.cipher = cipher;
  }

  /** The frame for chunk `index` (a view of the WASM heap, valid until the next libsodium call). */
  encode(index: number, plaintext: Uint8Array): Uint8Array {
    if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) throw new RangeError(`chunk index ${index}`);
    if (plaintext.length > this.maxChunkSize) throw new RangeError('chunk larger than this encoder was made for');
    const frame = scratchOut(chunkFrameLength(plaintext.length));
    frame.set(this.header, 0);
    frame[INDEX_OFFSET] = index >>> 24;
    frame[INDEX_OFFSET + 1] = (index >>> 16) & 0xff;
    frame[INDEX_OFFSET + 2] = (index >>> 8) & 0xff;
    frame[INDEX_OFFSET + 3] = index & 0xff;
    this.cipher.sealInto(index, plaintext, frame, CHUNK_FRAME_HEADER_BYTES);
    return frame;
  }
}

/** One frame in a buffer of its own (tests, or a caller that must keep the frame). */
export function encodeChunkFrame(cipher: ChunkCipher, fileId: Uint8Array | string, index: number, plaintext: Uint8Array): Uint8Array {
  return new ChunkFrameEncoder(cipher, fileId, plaintext.length).encode(index, plaintext).slice();
}

/** A decoded chunk frame: views into the received bytes, nothing copied. */
export interface ChunkFrameView {
  /** 16 bytes (fileIdFromBytes for the hex id). */
  readonly fileId: Uint8Array;
  readonly index: number;
  /** The sealed chunk, for ChunkCipher.open(index, sealed). */
  readonly sealed: Uint8Array;
}

/**
 * Splits a whole chunk frame (kind byte included), as received from the data channel
 * (ArrayBuffer, or Uint8Array / Node Buffer). Null if it is not a well-formed chunk frame.
 * Never throws, never copies.
 */
export function decodeChunkFrame(data: ArrayBuffer | Uint8Array): ChunkFrameView | null {
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  if (!bytes || bytes[0] !== CHUNK_FRAME_KIND) return null;
  return decodeChunkBody(bytes.subarray(1));
}

/**
 * Same for the body after the kind byte, as shared/secure-channel.ts hands chunk frames over
 * (decodePeerFrame already removed the kind byte).
 */
export function decodeChunkBody(body: Uint8Array): ChunkFrameView | null {
  const headerBytes = CHUNK_FRAME_HEADER_BYTES - 1;
  if (!(body instanceof Uint8Array)) return null;
  if (body.length < headerBytes + CHUNK_OVERHEAD_BYTES || body.length > MAX_CHUNK_FRAME_BYTES - 1) return null;
  const index = (((body[16] ?? 0) << 24) | ((body[17] ?? 0) << 16) | ((body[18] ?? 0) << 8) | (body[19] ?? 0)) >>> 0;
  return {
    fileId: body.subarray(0, FILE_ID_BYTES),
    index,
    sealed: body.subarray(headerBytes),
  };
}

/** True when a frame's 16-byte fileId equals `id` (no string conversion on the hot path). */
export function sameFileId(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== FILE_ID_BYTES || b.length !== FILE_ID_BYTES) return false;
  for (let i = 0; i < FILE_ID_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}
