/**
 * Where a received file goes: a file in the Origin Private File System, written chunk by chunk
 * at offset index × chunkSize as chunks arrive (in any order), never held whole in memory.
 *
 * Two back ends implement this (opfs-sink.ts picks one per file):
 * - worker-sink.ts: a dedicated worker with a FileSystemSyncAccessHandle (preferred; Chromium
 *   and Firefox offer those in workers only). The receiving hot path never awaits a write.
 * - writable-sink.ts: FileSystemWritableFileStream on the main thread (fallback: no worker, or
 *   no sync access handle). Each flush or read commits the stream, which costs a copy of the
 *   file in Chromium: flush rarely there.
 *
 * Durability for resume: a chunk counts as stored once a flush() called after its write()
 * resolves. So take the snapshot of the verified set BEFORE calling flush, and store it after.
 *
 * Failures are SinkErrors (sink-error.ts) with a code: `quota` means the disk is full.
 */
import type { SinkError } from './sink-error';

export type SinkMode = 'worker' | 'writable';

export interface SinkOptions {
  /** Default 'auto': the worker when it works here, else the main-thread writable stream. */
  mode?: 'auto' | SinkMode;
}

/** Name and type given to the File of a finished transfer (for a download or an <img>). */
export interface FileMeta {
  name?: string;
  type?: string;
}

export interface ReceivedFileSink {
  readonly fileId: string;
  readonly size: number;
  readonly chunkSize: number;
  /** The back end writing this file. */
  readonly mode: SinkMode;
  /** Called once, on the first failed write (e.g. code 'quota'). flush() rejects with it too. */
  onError: ((error: SinkError) => void) | null;
  /** Bytes handed to write() that are not on disk yet. */
  readonly pendingBytes: number;
  /** The most pendingBytes ever was: how far the disk fell behind the network. */
  readonly peakPendingBytes: number;
  /** Bytes written so far (by this sink, in this page). */
  readonly writtenBytes: number;
  /** The first write failure, if any. */
  readonly error: SinkError | null;

  /**
   * Writes chunk `index` (at index × chunkSize). Synchronous, always accepts; copies `bytes`
   * (they may be reused at once). Throws RangeError past the end, Error once closed.
   */
  write(index: number, bytes: Uint8Array): void;
  /** Resolves once pendingBytes ≤ limit. */
  whenPendingBelow(limit: number): Promise<void>;
  /** Resolves when every earlier write is durable on disk; rejects if a write failed. */
  flush(): Promise<void>;
  /**
   * Reads back `length` bytes at `offset` (for the whole-file hash, see shared/transfer/hash.ts).
   * Sees every earlier write. A short result means the file is shorter than asked.
   */
  readRange(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Releases the file and returns it as a File (a handle to the bytes on disk, not a copy in
   * memory), named and typed as given. The sink is closed afterwards.
   */
  finalize(meta?: FileMeta): Promise<File>;
  /** Flushes and releases the file without deleting it (a paused transfer to resume later). Idempotent. */
  close(): Promise<void>;
  /** Closes and removes the file (cancelled, declined, failed). Idempotent. */
  delete(): Promise<void>;
}
