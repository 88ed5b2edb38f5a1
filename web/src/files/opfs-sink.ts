/**
 * Opens the sink for a received file, choosing its back end (received-file-sink.ts says what a
 * sink does), and the stored-file operations the transfer code uses, all from one import path.
 *
 *   const sink = await OpfsSink.open(fileId, size, chunkSize);   // a ReceivedFileSink
 */
import { checkFileId, filesDir, markOpenedHere } from './opfs-files';
import { sharedWorkerClient } from './opfs-worker-client';
import type { ReceivedFileSink, SinkOptions } from './received-file-sink';
import { toSinkError } from './sink-error';
import { WorkerSink } from './worker-sink';
import { WritableSink } from './writable-sink';

export type { FileMeta, ReceivedFileSink, SinkMode, SinkOptions } from './received-file-sink';
export { SinkError, type SinkErrorCode } from './sink-error';
export { deleteOpfsFile, listOpfsFiles, openFileOf } from './opfs-files';

/**
 * Opens (or, on resume, reopens: existing bytes are kept) the file for `fileId` and sets its
 * size, so the quota is checked now: a SinkError with code 'quota' here means "decline: no space".
 * The worker back end is used where it works; only when it cannot run here (code 'unsupported')
 * does 'auto' fall back to writable streams: any other failure would repeat on the main thread.
 */
export async function openReceivedFileSink(fileId: string, size: number, chunkSize: number, options: SinkOptions = {}): Promise<ReceivedFileSink> {
  checkFileId(fileId);
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new RangeError('size / chunkSize');
  }
  markOpenedHere(fileId);
  const mode = options.mode ?? 'auto';
  if (mode !== 'writable' && typeof Worker !== 'undefined') {
    try {
      return await WorkerSink.open(sharedWorkerClient(), fileId, size, chunkSize);
    } catch (e) {
      const err = toSinkError(e);
      if (mode === 'worker' || err.code !== 'unsupported') throw err;
      console.warn('peerchat: no OPFS worker here, writing received files on the main thread:', err.detail);
    }
  }
  return WritableSink.open(await filesDir(), fileId, size, chunkSize);
}

/** The sink type under the name the transfer code uses. */
export type OpfsSink = ReceivedFileSink;

/** `OpfsSink.open(…)`: openReceivedFileSink under the name the transfer code uses. */
export const OpfsSink = { open: openReceivedFileSink } as const;
