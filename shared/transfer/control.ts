/**
 * Control frames of a file transfer. They are small JSON messages that travel inside the sealed
 * chat stream (like chat messages: in order, authenticated, never replayed); only the chunks
 * use the binary hot path (chunk-frame.ts).
 *
 * Flow (S = sender, R = receiver):
 *   S→R file-offer    what is coming; R shows it, accepts (images may be auto-accepted) or declines
 *   R→S file-accept   `have`: chunks R already verified (empty on a first accept). S sends every
 *                     other chunk, in order, under bufferedAmount backpressure, no per-chunk acks
 *   R→S file-decline  no thanks (final)
 *   either file-cancel stop, with a reason (final; R deletes the partial file)
 *   R→S file-need     chunks to send (again): a chunk that failed to open, or any still missing
 *                     when S says it is done. S queues them; R may ask several times.
 *   S→R file-done     "every chunk sent", with S's whole-file hash (ok: true)
 *   R→S file-done     R's verdict: R's own hash of what it wrote, ok = it matches S's (final)
 *
 * Resume (reconnect or reload on either side): the session is new, so is every file key
 * (deriveFileKey). S re-sends file-offer for each unfinished outgoing file; R answers with
 * file-accept and the chunks it already has. R may also send that file-accept on its own after a
 * reconnect. Both are idempotent: S just rebuilds its queue from `have`. If S no longer has the
 * file (a reload lost the File), it answers file-cancel 'source-lost'.
 *
 * The whole-file hash is NOT required in the offer: computing it before the offer would mean
 * reading the whole file once before the first byte goes out (seconds for a big file). S computes
 * it while streaming and sends it in file-done; `hash` in the offer is optional (S may include it
 * when it already knows it, e.g. a re-offer after a reconnect), and if present R checks it too.
 */
import * as v from 'valibot';
import { peerFrameValue } from '../json';
import { TRANSFER_LIMITS } from './limits';
import { isCanonicalRanges, type ChunkRange } from './ranges';
import { isValidPlan } from './plan';
import { INLINE_IMAGE_MIMES, isValidMime, isValidThumb, sanitizeFileName } from './names';

/** 128 random bits as 32 lowercase hex chars (like message ids); 16 raw bytes in a chunk frame. */
const FileId = v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/));
/** BLAKE2b-256, lowercase hex (shared/crypto/file-hash.ts). */
/** A whole-file hash on the wire: BLAKE2b-256 as 64 lowercase hex characters. */
export const HASH_HEX_RE = /^[0-9a-f]{64}$/;
const Hash = v.pipe(v.string(), v.regex(HASH_HEX_RE));
const Int = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const Ranges = v.pipe(
  v.array(v.strictTuple([Int, Int])),
  v.maxLength(TRANSFER_LIMITS.maxRanges),
  v.check((r) => isCanonicalRanges(r), 'ranges must be sorted, non-empty, not touching'),
);

export const CANCEL_REASONS = [
  /** A person pressed cancel. */
  'cancelled',
  /** The sender no longer has the file (e.g. its page was reloaded). */
  'source-lost',
  /** The receiver cannot store it (quota, disk full, OPFS unavailable). */
  'storage',
  /** Too many bad chunks, or the whole-file hash did not match after retries. */
  'corrupt',
  /** Anything else that went wrong. */
  'error',
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/**
 * Why a receiver declined. 'busy': declined without asking, because the sender already has as
 * many offers waiting for the receiver as it keeps (shared/transfer/peer-caps.ts).
 */
export const DECLINE_REASONS = ['declined', 'too-large', 'storage', 'busy'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * A decline reason from the wire: one we do not know (added by a newer version) reads as a plain
 * 'declined', so the frame still ends the sender's transfer instead of being dropped as malformed
 * and leaving its card waiting for good.
 */
export function toDeclineReason(reason: string): DeclineReason {
  return DECLINE_REASONS.find((r) => r === reason) ?? 'declined';
}

export const FileOfferSchema = v.object({
  type: v.literal('file-offer'),
  fileId: FileId,
  /** Sanitised on parse (sanitizeFileName): never a path, never empty, ≤ 255 UTF-8 bytes. */
  name: v.pipe(v.string(), v.maxLength(TRANSFER_LIMITS.maxRawNameChars), v.transform(sanitizeFileName)),
  mime: v.pipe(v.string(), v.maxLength(TRANSFER_LIMITS.maxMimeChars), v.toLowerCase(), v.check(isValidMime)),
  size: v.pipe(Int, v.maxValue(TRANSFER_LIMITS.maxFileSize)),
  chunkSize: v.pipe(Int, v.minValue(TRANSFER_LIMITS.minChunkSize), v.maxValue(TRANSFER_LIMITS.maxChunkSize)),
  chunkCount: v.pipe(Int, v.maxValue(TRANSFER_LIMITS.maxChunkCount)),
  hash: v.optional(Hash),
  /** Sender's clock, ms since the epoch. */
  ts: Int,
  /** The sender thinks it is an image to show inline; the receiver decides (isInlineImage). */
  isImage: v.optional(v.boolean()),
  thumb: v.optional(v.pipe(v.string(), v.check(isValidThumb))),
});

export const FileAcceptSchema = v.object({ type: v.literal('file-accept'), fileId: FileId, have: Ranges });
export const FileDeclineSchema = v.object({
  type: v.literal('file-decline'),
  fileId: FileId,
  reason: v.optional(v.pipe(v.string(), v.maxLength(64), v.transform(toDeclineReason))),
});
export const FileCancelSchema = v.object({ type: v.literal('file-cancel'), fileId: FileId, reason: v.picklist(CANCEL_REASONS) });
export const FileNeedSchema = v.object({
  type: v.literal('file-need'),
  fileId: FileId,
  ranges: v.pipe(Ranges, v.minLength(1)),
});
export const FileDoneSchema = v.object({ type: v.literal('file-done'), fileId: FileId, hash: Hash, ok: v.boolean() });

/**
 * The union as a schema. Cross-field rules (chunkCount vs size/chunkSize) are checked by
 * parseFileControl, not by this schema: always parse through parseFileControl.
 */
const FileControlSchema = v.variant('type', [
  FileOfferSchema,
  FileAcceptSchema,
  FileDeclineSchema,
  FileCancelSchema,
  FileNeedSchema,
  FileDoneSchema,
]);

export type FileControl = v.InferOutput<typeof FileControlSchema>;
export type FileControlType = FileControl['type'];
export type FileOffer = Extract<FileControl, { type: 'file-offer' }>;
export type FileAccept = Extract<FileControl, { type: 'file-accept' }>;
export type FileDecline = Extract<FileControl, { type: 'file-decline' }>;
export type FileCancel = Extract<FileControl, { type: 'file-cancel' }>;
export type FileNeed = Extract<FileControl, { type: 'file-need' }>;
export type FileDone = Extract<FileControl, { type: 'file-done' }>;

export const FILE_CONTROL_TYPES: readonly FileControlType[] = [
  'file-offer',
  'file-accept',
  'file-decline',
  'file-cancel',
  'file-need',
  'file-done',
];

/** True when a decoded message's `type` belongs to this protocol (for dispatch in parsePeerMsg). */
export function isFileControlType(type: unknown): type is FileControlType {
  return typeof type === 'string' && (FILE_CONTROL_TYPES as readonly string[]).includes(type);
}

/**
 * Parses one control frame: a JSON string, or a value already decoded from JSON. Returns the
 * typed message or null for anything malformed, oversized or inconsistent (an offer whose
 * chunkCount is not ceil(size / chunkSize)). The offer's name comes back sanitised.
 */
export function parseFileControl(raw: unknown): FileControl | null {
  const value = peerFrameValue(raw);
  if (value === undefined) return null;
  const r = v.safeParse(FileControlSchema, value);
  if (!r.success) return null;
  const msg = r.output;
  if (msg.type === 'file-offer' && !isValidPlan(msg.size, msg.chunkSize, msg.chunkCount)) return null;
  return msg;
}

/** JSON text of a control frame (the plaintext to seal). */
export function serializeFileControl(msg: FileControl): string {
  return JSON.stringify(msg);
}

/**
 * Whether the receiver may show this offer inline as an image (and accept it without asking):
 * the sender says so, the type is a raster image we render, and it is small. Never SVG.
 */
export function isInlineImage(offer: FileOffer, maxBytes: number = TRANSFER_LIMITS.maxInlineImageBytes): boolean {
  return offer.isImage === true && offer.size <= maxBytes && INLINE_IMAGE_MIMES.includes(offer.mime);
}

/** A video or audio file small enough for the sender to keep for playing inline (the receiver plays any size). */
export function isKeptMedia(offer: FileOffer, maxBytes: number = TRANSFER_LIMITS.maxKeptMediaBytes): boolean {
  return /^(?:video|audio)\//i.test(offer.mime) && offer.size <= maxBytes;
}

/** Checks `ranges` against a file's chunk count (parsing only knows the global cap). */
export function rangesFit(ranges: readonly ChunkRange[], chunkCount: number): boolean {
  return isCanonicalRanges(ranges, chunkCount);
}

/** A random 128-bit file id, lowercase hex. Browsers and Node 20. */
export function newFileId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
