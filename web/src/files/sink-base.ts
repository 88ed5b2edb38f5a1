/**
 * What both back ends of ReceivedFileSink share: argument checks, the pending-bytes count, the
 * first failure, and the release as a File. A back end supplies how bytes are stored and read.
 */
import { openFileOf } from './opfs-files';
import { PendingBytes } from './pending-bytes';
import type { FileMeta, ReceivedFileSink, SinkMode } from './received-file-sink';
import { SinkError } from './sink-error';

export abstract class SinkBase implements ReceivedFileSink {
  abstract readonly mode: SinkMode;
  onError: ((error: SinkError) => void) | null = null;
  protected readonly bytes = new PendingBytes();
  protected failure: SinkError | null = null;
  protected closed = false;

  constructor(
    readonly fileId: string,
    readonly size: number,
    readonly chunkSize: number,
  ) {}

  get pendingBytes(): number {
    return this.bytes.pending;
  }

  get peakPendingBytes(): number {
    return this.bytes.peak;
  }

  get writtenBytes(): number {
    return this.bytes.written;
  }

  get error(): SinkError | null {
    return this.failure;
  }

  write(index: number, bytes: Uint8Array): void {
    const offset = index * this.chunkSize;
    if (this.closed) throw new Error('sink is closed');
    if (!(offset >= 0 && offset + bytes.length <= this.size)) throw new RangeError(`write past the end: ${offset}+${bytes.length}`);
    this.bytes.add(bytes.length);
    if (this.failure) {
      this.bytes.settle(bytes.length); // the file is broken: dropped, counted as done
      return;
    }
    this.store(offset, bytes);
  }

  whenPendingBelow(limit: number): Promise<void> {
    if (this.bytes.pending <= limit) return Promise.resolve();
    this.beforeWait();
    return this.bytes.whenBelow(limit);
  }

  async finalize(meta: FileMeta = {}): Promise<File> {
    await this.close();
    if (this.failure) throw this.failure;
    const file = await openFileOf(this.fileId, meta);
    if (!file) throw new SinkError('not-found', 'the file vanished before it was released');
    return file;
  }

  abstract flush(): Promise<void>;
  abstract readRange(offset: number, length: number): Promise<Uint8Array>;
  abstract close(): Promise<void>;
  abstract delete(): Promise<void>;

  /** Stores `bytes` at `offset` (already checked and counted as pending); copies them if it keeps them. */
  protected abstract store(offset: number, bytes: Uint8Array): void;

  /** Before waiting for pending bytes to settle: hand on anything that would otherwise wait forever. */
  protected beforeWait(): void {}

  /** The first failure fails the sink: logged, reported once through onError, later writes dropped. */
  protected fail(e: SinkError): void {
    if (this.failure) return;
    this.failure = e;
    console.warn(`peerchat: storing a received file failed (${e.code})`, e.detail);
    this.onError?.(e);
  }
}
