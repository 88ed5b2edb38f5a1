/**
 * Messages between OpfsSink (main thread) and opfs-worker.ts. Types only: the worker imports
 * nothing at runtime, so its bundle stays a few KB.
 */

/** Folder in the Origin Private File System that holds received files, one per file id. */
export const OPFS_DIR = 'peerchat-files';

export type ToWorker =
  /** Opens (creating if needed) the file and sets its size. Reply: {ok}; {ok:false, error:'NO_SYNC_HANDLE'} if unsupported. */
  | { op: 'open'; seq: number; id: string; size: number }
  /** Writes `data` (transferred) at `offset`. No reply; progress comes as `ack`, failures as `fail`. */
  | { op: 'write'; id: string; offset: number; data: ArrayBuffer }
  /** Makes every earlier write durable. Reply: {ok}. */
  | { op: 'flush'; seq: number; id: string }
  /** Reads a range. Reply: {ok, data} (transferred). */
  | { op: 'read'; seq: number; id: string; offset: number; length: number }
  /** Flushes and releases the file (it stays on disk). Reply: {ok}. */
  | { op: 'close'; seq: number; id: string }
  /** Releases and removes the file. Reply: {ok}. */
  | { op: 'delete'; seq: number; id: string };

export type FromWorker =
  | { kind: 'reply'; seq: number; ok: true; data?: ArrayBuffer; writeMs?: number }
  | { kind: 'reply'; seq: number; ok: false; error: string; name: string }
  /** Bytes written since the last ack, per file (batched: ~1 per MiB or per idle turn). */
  | { kind: 'ack'; id: string; bytes: number }
  /** A write failed (e.g. QuotaExceededError): the file is broken, later writes are dropped. */
  | { kind: 'fail'; id: string; error: string; name: string };
