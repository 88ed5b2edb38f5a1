/**
 * The sender's side of one file: on every ready secure session it sets the file key
 * from the session's txKey and (re)sends the offer; on file-accept it pumps the chunks the
 * receiver does not have (send-pump.ts: bufferedAmount backpressure, no acks, no sleeps), then
 * sends file-done with the whole-file hash; on file-need it pumps again.
 */
import { OutgoingTransfer, ProgressMeter, type FileAccept, type FileNeed, type ProgressSnapshot } from '../../../shared/transfer/index';
import type { PeerMsg } from '../../../shared/index';
import type { ChunkCipher } from '../../../shared/crypto/chunk-seal';
import { FileSource } from '../files/file-source';
import { pumpChunks } from '../files/send-pump';
import type { StoredTransfer } from '../db/schema';
import type { PeerLink } from '../net/peer-link';

/** How often progress is redrawn: each redraw costs CPU that the transfer needs. */
const UI_EVERY_MS = 400;

export interface OutgoingHost {
  /** Running → the progress changed (called often; the host throttles). */
  progress(): void;
  /** The file cannot be read any more: cancel with 'source-lost'. */
  sourceLost(): void;
  /** Sending failed for another reason (not a pause): cancel with 'error'. */
  failed(): void;
  /** The whole-file hash is known (keep it: see StoredTransfer.sentHash). */
  hashed(hash: string): void;
}

export class OutgoingRunner {
  readonly t: OutgoingTransfer;
  private readonly source: FileSource;
  private readonly meter: ProgressMeter;
  private link: PeerLink | null = null;
  private abort: AbortController | null = null;
  private pumping = false;
  /** The link whose file-accept we are serving. */
  private acceptedOn: PeerLink | null = null;
  private last: ProgressSnapshot = { fraction: 0, bytesPerSecond: 0, secondsLeft: null };
  /** False until the receiver has said what it has (file-accept) to this page. */
  private known = false;

  constructor(
    readonly rec: StoredTransfer,
    file: Blob,
    private readonly host: OutgoingHost,
  ) {
    const o = rec.offer;
    this.t = new OutgoingTransfer({
      name: o.name,
      mime: o.mime,
      size: o.size,
      chunkSize: o.chunkSize,
      fileId: o.fileId,
      ts: o.ts,
      ...(o.isImage ? { isImage: true } : {}),
      ...(o.thumb !== undefined ? { thumb: o.thumb } : {}),
    });
    if (rec.sentHash) this.t.restoreHash(rec.sentHash);
    this.source = new FileSource(file, this.t.plan.chunkSize);
    this.meter = new ProgressMeter(o.size);
  }

  get snapshot(): ProgressSnapshot {
    return this.last;
  }

  /**
   * Whether `snapshot` means anything yet: after a reload the sender does not know how far the
   * receiver got until its file-accept arrives (the UI then says so instead of "0 %").
   */
  get progressKnown(): boolean {
    return this.known;
  }

  /** A ready secure session: new file key, and the offer (again: the receiver answers with `have`). */
  attach(link: PeerLink): void {
    this.stop();
    const keys = link.session.keys;
    if (!keys) return;
    this.link = link;
    this.t.setSessionKey(keys.txKey);
    link.send(this.t.offer());
  }

  /**
   * A group file (web/src/transfer/group-transfers.ts): serves `link` with chunks sealed by the
   * file's own key. No offer: the signed group message is the offer, and the receiver asks with
   * file-accept.
   */
  attachSealed(link: PeerLink, cipher: ChunkCipher): void {
    this.stop();
    this.link = link;
    this.t.setCipher(cipher);
  }

  /** The session ended: stop sending; the next attach() resumes. */
  detach(): void {
    this.stop();
    this.link = null;
  }

  /** False: `have` does not fit the file (the caller cancels). */
  onAccept(msg: FileAccept): boolean {
    if (!this.t.onAccept(msg)) return false;
    this.acceptedOn = this.link;
    const { chunkSize, chunkCount, size } = this.t.plan;
    this.known = true;
    this.last = this.meter.reset(Math.min(size, (chunkCount - this.t.remaining) * chunkSize), performance.now());
    this.host.progress();
    void this.pump();
    return true;
  }

  onNeed(msg: FileNeed): void {
    if (this.t.onNeed(msg)) void this.pump();
  }

  send(msg: PeerMsg): boolean {
    return this.link?.send(msg) ?? false;
  }

  /** The whole-file hash: known once the pump finished (or restored); else read from the file. */
  wholeFileHash(): Promise<string> {
    return this.t.finishHash((offset, length) => this.source.readRange(offset, length));
  }

  /** Ends the transfer for good (done, cancelled, declined). */
  dispose(): void {
    this.stop();
    this.link = null;
    this.source.release();
    this.t.dispose();
  }

  private stop(): void {
    this.abort?.abort(new DOMException('paused', 'AbortError'));
    this.abort = null;
  }

  private async pump(): Promise<void> {
    const link = this.link;
    const channel = link?.channel;
    if (this.pumping || !link || !channel) return;
    this.pumping = true;
    const ac = new AbortController();
    this.abort = ac;
    const { chunkSize, chunkCount, size } = this.t.plan;
    let lastUi = 0;
    try {
      // Always at least once: with nothing queued (an empty file, or a receiver that already has
      // every chunk after its reload) file-done must still go out, or the transfer never ends.
      // Loop: a file-need may arrive while the hash is being finished.
      do {
        await pumpChunks(this.t, this.source, channel, {
          signal: ac.signal,
          onSent: () => {
            const now = performance.now();
            if (now - lastUi < UI_EVERY_MS) return;
            lastUi = now;
            this.update(Math.min(size, (chunkCount - this.t.remaining) * chunkSize) - channel.bufferedAmount, now);
          },
        });
        const hash = await this.wholeFileHash();
        this.host.hashed(hash);
        if (ac.signal.aborted) return;
        if (!this.t.hasNext) link.send(this.t.doneMsg(hash));
      } while (this.t.hasNext);
      this.update(size - channel.bufferedAmount, performance.now());
    } catch (e) {
      if (ac.signal.aborted || channel.readyState !== 'open' || link.state !== 'ready') return; // paused
      if (e instanceof DOMException && (e.name === 'NotReadableError' || e.name === 'NotFoundError')) this.host.sourceLost();
      else if (e instanceof Error && /read/i.test(e.message)) this.host.sourceLost();
      else {
        console.warn('file transfer: sending failed:', e instanceof Error ? e.name : typeof e);
        this.host.failed(); // never a transfer left "running" with nothing sending
      }
    } finally {
      this.pumping = false;
      if (this.abort === ac) this.abort = null;
      // An accept on a newer session arrived while this pump was still winding down.
      if (this.link && this.link !== link && this.acceptedOn === this.link) void this.pump();
    }
  }

  private update(doneBytes: number, now: number): void {
    this.last = this.meter.update(Math.max(0, doneBytes), now);
    this.host.progress();
  }
}
