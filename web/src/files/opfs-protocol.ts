/**
 * Messages between the OPFS worker client (opfs-worker-client.ts, main thread) and
 * opfs-worker.ts. Types only, plus the folder name: the worker stays a few KB.
 */
import type { SinkErrorCode } from './sink-error';

/** Folder in the Origin Private File System that holds received files, one per file id. */
export const OPFS_DIR = 'peerchat-files';

export type ToWorker =
  /** Opens (creating if needed) the file and sets its size. Reply: {ok}; code 'unsupported' without sync access handles. */
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

/** A request that gets a reply: everything but `write`. */
export type WorkerRequest = Extract<ToWorker, { seq: number }>;

/** A failure as it crosses the worker boundary (Error objects do not keep their class). */
export interface WorkerFailure {
  code: SinkErrorCode;
  detail: string;
}

export type FromWorker =
  | { kind: 'reply'; seq: number; ok: true; data?: ArrayBuffer }
  | ({ kind: 'reply'; seq: number; ok: false } & WorkerFailure)
  /** Bytes written since the last ack, per file (batched: ~1 per MiB or per idle turn). */
  | { kind: 'ack'; id: string; bytes: number }
  /** A write failed (e.g. quota): the file is broken, later writes are dropped. */
  | ({ kind: 'fail'; id: string } & WorkerFailure);
