/**
 * Per-file protocol state for each side, pure and synchronous on the hot path. The browser
 * driver owns the I/O (data channel, File reads, OPFS writes, IndexedDB) and calls in here;
 * everything that decides what is valid lives here so it can be tested in Node.
 *
 * Sender, per connected session:
 *   t.setSessionKey(keys.txKey); send(t.offer())
 *   on file-accept: if (!t.onAccept(msg)) cancel('error')
 *   loop while t.hasNext and bufferedAmount < high water:  // no await when the source has it
 *     const i = t.nextIndex(); channel.send(t.encode(i, await source.chunk(i)))
 *   when the queue is empty: send(t.doneMsg(await t.finishHash(readRange)))   // again after a need
 *   on file-need: t.onNeed(msg) and resume the loop; on file-done from R: t.onReceiverDone(msg)
 *
 * Receiver:
 *   t = new IncomingTransfer(offer, verifiedFromDb?); t.setSessionKey(keys.rxKey); send(t.acceptMsg())
 *   on each chunk frame:  const r = t.receive(view)   // sync: open + length check + in-order hash
 *     r.kind === 'chunk' → sink.write(r.index, r.bytes) (copies: r.bytes is a view, valid until the next crypto call)
 *   persist for resume:   const snap = t.verified.toBytes(); await sink.flush(); store(snap)
 *     (snapshot BEFORE flush: every chunk in it was written before the flush, so it is on disk)
 *   on file-done from S:  const next = t.onSenderDone(msg)
 *     'need' → send(next.msg);  'verify' → send(await t.finish(sink.readRange)) and show verified
 *     or failed (a failed whole-file hash: delete the file, show the failure, never the file)
 */
import { createChunkCipher, deriveFileKey, type ChunkCipher } from '../crypto/chunk-seal';
import { isCryptoError } from '../crypto/errors';
import { stage } from '../crypto/sodium-heap';
import { ChunkFrameEncoder, fileIdToBytes, sameFileId, type ChunkFrameView } from './chunk-frame';
import type { FileAccept, FileCancel, FileDone, FileNeed, FileOffer, CancelReason } from './control';
import { HASH_HEX_RE, newFileId } from './control';
import { completeHash, InOrderHasher, type ReadRange } from './hash';
import { TRANSFER_LIMITS } from './limits';
import { normalizeMime, sanitizeFileName } from './names';
import { chunkLength, chunkOffset, planChunks, type ChunkPlan } from './plan';
import { ChunkSet, isCanonicalRanges, SendScheduler } from './ranges';

export interface OutgoingFileInfo {
  name: string;
  /** File.type; normalised (empty or odd → application/octet-stream). */
  mime: string;
  size: number;
  isImage?: boolean;
  thumb?: string;
  /** Default: chunkSizeFor(size), i.e. 64 KiB. */
  chunkSize?: number;
  /** Default: a new random id. Pass the stored id when re-creating a transfer after a reload. */
  fileId?: string;
  /** Default: Date.now(). */
  ts?: number;
}

function cancelMsg(fileId: string, reason: CancelReason): FileCancel {
  return { type: 'file-cancel', fileId, reason };
}

// ---------------------------------------------------------------------------------------------

export class OutgoingTransfer {
  readonly fileId: string;
  readonly fileIdBytes: Uint8Array;
  readonly plan: ChunkPlan;
  readonly hasher: InOrderHasher;
  private readonly offerMsg: FileOffer;
  private encoder: ChunkFrameEncoder | null = null;
  private scheduler: SendScheduler | null = null;
  private hash: string | null = null;

  constructor(info: OutgoingFileInfo) {
    this.fileId = info.fileId ?? newFileId();
    this.fileIdBytes = fileIdToBytes(this.fileId);
    this.plan = planChunks(info.size, info.chunkSize);
    this.hasher = new InOrderHasher(this.plan.chunkCount);
    this.offerMsg = {
      type: 'file-offer',
      fileId: this.fileId,
      name: sanitizeFileName(info.name),
      mime: normalizeMime(info.mime),
      size: this.plan.size,
      chunkSize: this.plan.chunkSize,
      chunkCount: this.plan.chunkCount,
      ts: info.ts ?? Date.now(),
      ...(info.isImage ? { isImage: true } : {}),
      ...(info.thumb !== undefined ? { thumb: info.thumb } : {}),
    };
  }

  /** The offer; carries the whole-file hash once it is known (a re-offer after a reconnect). */
  offer(): FileOffer {
    return this.hash ? { ...this.offerMsg, hash: this.hash } : { ...this.offerMsg };
  }

  /** Every (re)connected session: the file key comes from this session's txKey. */
  setSessionKey(txKey: Uint8Array): void {
    this.setCipher(createChunkCipher(deriveFileKey(txKey, this.fileId), this.fileId));
  }

  /** A file whose key is its own, not the session's (a group file: shared/groups/group-file.ts). */
  setCipher(cipher: ChunkCipher): void {
    if (this.encoder) this.encoder.setCipher(cipher);
    else this.encoder = new ChunkFrameEncoder(cipher, this.fileIdBytes, this.plan.chunkSize);
  }

  /** The receiver accepted (or re-accepted after a reconnect). False: `have` does not fit this file. */
  onAccept(msg: FileAccept): boolean {
    if (msg.fileId !== this.fileId || !isCanonicalRanges(msg.have, this.plan.chunkCount)) return false;
    this.scheduler = new SendScheduler(this.plan.chunkCount, msg.have);
    return true;
  }

  /** The receiver asks for chunks (again). False: ranges outside the file. */
  onNeed(msg: FileNeed): boolean {
    if (msg.fileId !== this.fileId || !isCanonicalRanges(msg.ranges, this.plan.chunkCount) || !this.scheduler) return false;
    return this.scheduler.requeue(msg.ranges);
  }

  /** True while chunks are queued (after an accept). */
  get hasNext(): boolean {
    return this.scheduler !== null && !this.scheduler.done;
  }

  /** Chunks still queued. */
  get remaining(): number {
    return this.scheduler?.remaining ?? this.plan.chunkCount;
  }

  /** The next chunk to send (taken off the queue), or -1. */
  nextIndex(): number {
    return this.scheduler ? this.scheduler.next() : -1;
  }

  /** The next chunk to send without taking it (for read-ahead), or -1. */
  peekIndex(): number {
    return this.scheduler ? this.scheduler.peek() : -1;
  }

  /** Byte range of chunk `index` in the file, for reading it. */
  chunkRange(index: number): { offset: number; length: number } {
    return { offset: chunkOffset(this.plan, index), length: chunkLength(this.plan, index) };
  }

  /**
   * Hashes (when in order) and seals chunk `index` into a data-channel frame. The frame is a view
   * of libsodium's heap, valid until the next libsodium call: send it right away (see
   * ChunkFrameEncoder).
   */
  encode(index: number, plaintext: Uint8Array): Uint8Array {
    if (!this.encoder) throw new Error('setSessionKey() first');
    if (plaintext.length !== chunkLength(this.plan, index)) throw new RangeError(`chunk ${index}: wrong length`);
    // One copy into libsodium's heap; the hash and the seal then read it in place.
    const staged = stage(plaintext);
    this.hasher.offer(index, staged);
    return this.encoder.encode(index, staged);
  }

  /**
   * The whole-file hash; reads back (from the File) whatever the stream skipped, e.g. the chunks
   * the receiver already had on a resume. Cached.
   */
  async finishHash(readRange: ReadRange): Promise<string> {
    this.hash ??= await completeHash(this.hasher, this.plan, readRange);
    return this.hash;
  }

  /**
   * After a reload: the whole-file hash this device computed before (kept with the transfer), so
   * a receiver's "verified" can still be checked against it without reading the file again.
   * Ignored unless it is a 64-char lowercase hex digest; never replaces a hash already known.
   */
  restoreHash(hash: string): void {
    if (HASH_HEX_RE.test(hash)) this.hash ??= hash;
  }

  /** True once the whole-file hash is known (computed, or restored). */
  get hashKnown(): boolean {
    return this.hash !== null;
  }

  /** Sent each time the queue has drained: "all sent", with our hash. */
  doneMsg(hash: string): FileDone {
    return { type: 'file-done', fileId: this.fileId, hash, ok: true };
  }

  /** The receiver's verdict: verified when it says ok AND its hash is ours. */
  onReceiverDone(msg: FileDone): { verified: boolean } {
    return { verified: msg.fileId === this.fileId && msg.ok && this.hash !== null && msg.hash === this.hash };
  }

  cancelMsg(reason: CancelReason): FileCancel {
    return cancelMsg(this.fileId, reason);
  }

  /** Frees the hasher. Call when the transfer ends in any way. */
  dispose(): void {
    this.hasher.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

export type ChunkVerdict =
  /**
   * A fresh verified chunk: write `bytes` at `offset`. They are a VIEW of libsodium's heap, valid
   * only until the next libsodium call: copy them where they go at once (OpfsSink.write does).
   */
  | { kind: 'chunk'; index: number; offset: number; bytes: Uint8Array }
  /** Already had it (a re-send that crossed a need, or after a resume). Nothing to do. */
  | { kind: 'duplicate'; index: number }
  /** Did not open (tampered, wrong index, wrong file key) or has the wrong length: asked for again at the end. */
  | { kind: 'bad'; index: number }
  /** Not for this transfer: another file id, or an index outside the file. */
  | { kind: 'invalid' };

export type SenderDoneStep =
  /** Chunks are missing: send this need and wait for the next file-done. */
  | { kind: 'need'; msg: FileNeed }
  /** Every chunk is verified: run finish() and send its result. */
  | { kind: 'verify' };

export class IncomingTransfer {
  readonly offer: FileOffer;
  readonly fileIdBytes: Uint8Array;
  readonly plan: ChunkPlan;
  /** Chunks opened and handed to the sink. Persist snapshots of it for resume (see top). */
  readonly verified: ChunkSet;
  readonly hasher: InOrderHasher;
  /** Chunks that failed to open or had the wrong length, all time. */
  badChunks = 0;
  private cipher: ChunkCipher | null = null;
  private senderHash: string | null = null;

  /** `verified`: the set restored from storage on resume (its bitmap, see ChunkSet.fromBytes). */
  constructor(offer: FileOffer, verified?: ChunkSet) {
    this.offer = offer;
    this.fileIdBytes = fileIdToBytes(offer.fileId);
    this.plan = planChunks(offer.size, offer.chunkSize);
    if (this.plan.chunkCount !== offer.chunkCount) throw new RangeError('offer: chunkCount');
    if (verified && verified.count !== this.plan.chunkCount) throw new RangeError('verified: other chunk count');
    this.verified = verified ?? new ChunkSet(this.plan.chunkCount);
    this.hasher = new InOrderHasher(this.plan.chunkCount);
    this.senderHash = offer.hash ?? null;
  }

  get fileId(): string {
    return this.offer.fileId;
  }

  /** Every (re)connected session: the file key comes from this session's rxKey. */
  setSessionKey(rxKey: Uint8Array): void {
    this.cipher = createChunkCipher(deriveFileKey(rxKey, this.fileId), this.fileId);
  }

  /** A file whose key is its own, not the session's (a group file: shared/groups/group-file.ts). */
  setCipher(cipher: ChunkCipher): void {
    this.cipher = cipher;
  }

  /** file-accept with the chunks we already have (capped to maxRanges: a subset, so safe). */
  acceptMsg(): FileAccept {
    return { type: 'file-accept', fileId: this.fileId, have: this.verified.ranges(TRANSFER_LIMITS.maxRanges) };
  }

  /**
   * One chunk frame from the data channel. Synchronous: opens (AEAD: file id and index are
   * authenticated), checks the length, feeds the in-order hash, marks it verified. Call it for
   * every chunk frame of this file id, in arrival order, and copy `bytes` out before any other
   * crypto call (see ChunkVerdict).
   */
  receive(frame: ChunkFrameView): ChunkVerdict {
    const index = frame.index;
    if (!sameFileId(frame.fileId, this.fileIdBytes) || index >= this.plan.chunkCount) return { kind: 'invalid' };
    if (!this.cipher) throw new Error('setSessionKey() first');
    if (this.verified.has(index)) return { kind: 'duplicate', index };
    let bytes: Uint8Array;
    try {
      bytes = this.cipher.openView(index, frame.sealed);
    } catch (e) {
      if (!isCryptoError(e, 'CHUNK_REJECTED')) throw e;
      this.badChunks++;
      return { kind: 'bad', index };
    }
    if (bytes.length !== chunkLength(this.plan, index)) {
      this.badChunks++;
      return { kind: 'bad', index };
    }
    this.hasher.offer(index, bytes);
    this.verified.add(index);
    return { kind: 'chunk', index, offset: index * this.plan.chunkSize, bytes };
  }

  /** The sender says it sent everything (with its hash). */
  onSenderDone(msg: FileDone): SenderDoneStep {
    if (msg.fileId === this.fileId) this.senderHash = msg.hash;
    if (!this.verified.complete) {
      return { kind: 'need', msg: { type: 'file-need', fileId: this.fileId, ranges: this.verified.missingRanges(TRANSFER_LIMITS.maxRanges) } };
    }
    return { kind: 'verify' };
  }

  /** Chunks still missing (for a need the driver sends on its own, e.g. after a stall). */
  needMsg(): FileNeed | null {
    const ranges = this.verified.missingRanges(TRANSFER_LIMITS.maxRanges);
    return ranges.length ? { type: 'file-need', fileId: this.fileId, ranges } : null;
  }

  /**
   * Completes our hash over what was WRITTEN (reading back whatever the stream did not hash, see
   * hash.ts) and compares it with the sender's (file-done) and the offer's, if any. `ok` false
   * means the file is broken: delete it and say so.
   */
  async finish(readRange: ReadRange): Promise<FileDone> {
    if (!this.verified.complete) throw new Error('finish() before every chunk was verified');
    const hash = await completeHash(this.hasher, this.plan, readRange);
    const ok = this.senderHash !== null && hash === this.senderHash && (this.offer.hash === undefined || this.offer.hash === hash);
    return { type: 'file-done', fileId: this.fileId, hash, ok };
  }

  cancelMsg(reason: CancelReason): FileCancel {
    return cancelMsg(this.fileId, reason);
  }

  dispose(): void {
    this.hasher.dispose();
  }
}
