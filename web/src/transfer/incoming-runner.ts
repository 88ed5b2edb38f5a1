/**
 * The receiver's side of one accepted file: chunks are opened synchronously
 * (IncomingTransfer.receive) and handed to an OpfsSink that writes them to the Origin Private
 * File System as they arrive; the file is never held in memory. 200 ms after the first chunk, then
 * once a second, the set of verified chunks is snapshotted, the sink flushed, and the snapshot
 * stored in IndexedDB, so a reload or a dropped connection resumes from there (file-accept with
 * `have`).
 */
import {
  ChunkSet,
  IncomingTransfer,
  ProgressMeter,
  type ChunkFrameView,
  type FileDone,
  type ProgressSnapshot,
} from '../../../shared/transfer/index';
import type { PeerMsg } from '../../../shared/index';
import type { ChunkCipher } from '../../../shared/crypto/chunk-seal';
import { OpfsSink } from '../files/opfs-sink';
import type { StoredTransfer } from '../db/schema';
import type { PeerLink } from '../net/peer-link';

/** How often progress is redrawn: each redraw costs CPU that the transfer needs. */
const UI_EVERY_MS = 400;

export interface IncomingHost {
  progress(): void;
  /** Store the verified-chunk snapshot (already flushed to disk). */
  persist(verified: Uint8Array): Promise<void>;
  /** The sink failed (disk full, OPFS gone). */
  storageFailed(): void;
}


const PERSIST_EVERY_MS = 1000;
/**
 * The first snapshot comes sooner, so a reload early in a transfer does not start it over; later
 * ones once a second (each costs a flush and an IndexedDB write).
 */
const PERSIST_FIRST_MS = 200;

export class IncomingRunner {
  readonly t: IncomingTransfer;
  /** Chunks verified in this page (the rest came from storage: resumed). */
  receivedHere = 0;
  readonly resumedFrom: number;
  private link: PeerLink | null = null;
  private readonly meter: ProgressMeter;
  private last: ProgressSnapshot = { fraction: 0, bytesPerSecond: 0, secondsLeft: null };
  private lastUi = 0;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private persisting: Promise<void> = Promise.resolve();
  private persistedOnce = false;
  private finished = false;

  private constructor(
    readonly rec: StoredTransfer,
    private readonly sink: OpfsSink,
    private readonly host: IncomingHost,
  ) {
    const o = rec.offer;
    const restored = rec.verified ? ChunkSet.fromBytes(o.chunkCount, rec.verified) : null;
    this.t = new IncomingTransfer(o, restored ?? undefined);
    this.resumedFrom = this.t.verified.size;
    this.meter = new ProgressMeter(o.size);
    this.last = this.meter.update(this.doneBytes(), performance.now());
    sink.onError = () => host.storageFailed();
  }

  /** Opens (or reopens, keeping what is on disk) the file. Rejects e.g. with QuotaExceededError. */
  static async open(rec: StoredTransfer, host: IncomingHost): Promise<IncomingRunner> {
    const sink = await OpfsSink.open(rec.id, rec.offer.size, rec.offer.chunkSize);
    return new IncomingRunner(rec, sink, host);
  }

  get snapshot(): ProgressSnapshot {
    return this.last;
  }

  /** A ready secure session: the file key from its rxKey, and file-accept with what we have. */
  attach(link: PeerLink): void {
    const keys = link.session.keys;
    if (!keys || this.finished) return;
    this.link = link;
    this.t.setSessionKey(keys.rxKey);
    link.send(this.t.acceptMsg());
  }

  /**
   * A group file (web/src/transfer/group-transfers.ts): chunks open with the file's own key;
   * file-accept with what we have asks `link`'s device to serve the rest.
   */
  attachSealed(link: PeerLink, cipher: ChunkCipher): void {
    if (this.finished) return;
    this.link = link;
    this.t.setCipher(cipher);
    link.send(this.t.acceptMsg());
  }

  /** The device serving this file, if attached. */
  get servedBy(): PeerLink | null {
    return this.link;
  }

  detach(): void {
    this.link = null;
    this.persistNow();
  }

  send(msg: PeerMsg): boolean {
    return this.link?.send(msg) ?? false;
  }

  /** One chunk frame for this file: the hot path, synchronous. */
  onChunk(view: ChunkFrameView): void {
    if (this.finished) return;
    const r = this.t.receive(view);
    if (r.kind !== 'chunk') return;
    this.sink.write(r.index, r.bytes);
    this.receivedHere++;
    const now = performance.now();
    if (now - this.lastUi >= UI_EVERY_MS) {
      this.lastUi = now;
      this.last = this.meter.update(this.doneBytes(), now);
      this.host.progress();
    }
    this.persistTimer ??= setTimeout(() => {
      this.persistTimer = undefined;
      this.persistedOnce = true;
      this.persistNow();
    }, this.persistedOnce ? PERSIST_EVERY_MS : PERSIST_FIRST_MS);
  }

  /**
   * The sender says it sent everything: ask for what is missing, or complete our hash over what
   * is on disk and compare. On a match the file is released (kept in OPFS); else it is deleted.
   * The verdict is returned, NOT sent: the caller stores the outcome first and then tells the
   * sender, so a sender never hears "verified" for a file this device has not recorded as done.
   * Rejects if the disk fails on the way (the caller fails the transfer).
   */
  async onSenderDone(msg: FileDone): Promise<FileDone | null> {
    if (this.finished) return null;
    const step = this.t.onSenderDone(msg);
    if (step.kind === 'need') {
      this.send(step.msg);
      return null;
    }
    this.finished = true;
    clearTimeout(this.persistTimer);
    await this.persisting;
    // Every chunk on disk before anything is declared: a write that failed fails the transfer
    // here, instead of after the sender was told "verified".
    await this.sink.flush();
    const verdict = await this.t.finish((offset, length) => this.sink.readRange(offset, length));
    this.last = { fraction: 1, bytesPerSecond: this.last.bytesPerSecond, secondsLeft: 0 };
    this.t.dispose();
    if (!verdict.ok) {
      await this.sink.delete().catch(logDeleteFailure);
      return verdict;
    }
    await this.sink.finalize(); // released: shown and saved from OPFS by id from now on
    return verdict;
  }

  /** Cancelled, declined or failed: stop and delete the partial file. */
  async discard(): Promise<void> {
    this.finished = true;
    clearTimeout(this.persistTimer);
    this.link = null;
    this.t.dispose();
    await this.persisting; // never rejects: persistNow logs its failures
    await this.sink.delete().catch(logDeleteFailure);
  }

  private doneBytes(): number {
    const { chunkSize, size } = this.t.plan;
    return Math.min(size, this.t.verified.size * chunkSize);
  }

  /** Snapshot BEFORE the flush: every chunk in it was written before the flush, so it is on disk. */
  private persistNow(): void {
    if (this.finished) return;
    this.persisting = this.persisting
      .then(async () => {
        if (this.finished) return;
        const snap = this.t.verified.toBytes();
        await this.sink.flush();
        if (!this.finished) await this.host.persist(snap);
      })
      .catch((e: unknown) => {
        // The sink also reports a failed write through onError (the transfer fails visibly);
        // here the snapshot is just not stored, and resume starts from the previous one.
        console.warn('file transfer: resume snapshot not stored:', e instanceof Error ? e.name : typeof e);
      });
  }
}

function logDeleteFailure(e: unknown): void {
  console.warn('file transfer: a received file could not be deleted:', e instanceof Error ? e.name : typeof e);
}
