/**
 * Read-only counters for tests and diagnostics, on `window.peerchatTransfers` in the e2e build
 * only (TEST_HOOKS): how many chunks
 * this page received (a resumed transfer receives fewer than the file has), how many each
 * transfer already had on disk when this page opened it, how many are stored for resume (the
 * last verified-set snapshot written to IndexedDB), and the BLAKE2b-256 of a stored
 * (received) file read back from OPFS in 1 MiB slices; on the sender, whether the hash it sent is
 * stored. Nothing here changes any state.
 */
import { createFileHasher, ready } from '../../../shared/crypto/index';
import { openFileOf } from '../files/opfs-sink';

export interface TransferDebug {
  chunksReceived: number;
  resumedFrom: Record<string, number>;
  /** Chunks in the last snapshot stored for resume, per transfer (receiver). */
  persisted: Record<string, number>;
  /** Sender: its whole-file hash is stored with the transfer (StoredTransfer.sentHash). */
  sentHashStored: Record<string, boolean>;
  hashStored(fileId: string): Promise<string | null>;
}

async function hashStored(fileId: string): Promise<string | null> {
  await ready();
  const file = await openFileOf(fileId);
  if (!file) return null;
  const h = createFileHasher();
  const step = 1024 * 1024;
  for (let off = 0; off < file.size; off += step) {
    h.update(new Uint8Array(await file.slice(off, off + step).arrayBuffer()));
  }
  return h.digestHex();
}

/** The counters (always kept: they cost an increment per chunk). */
export function createTransferDebug(): TransferDebug {
  return { chunksReceived: 0, resumedFrom: {}, persisted: {}, sentHashStored: {}, hashStored };
}

/** Puts the counters on `window.peerchatTransfers`. Call only `if (TEST_HOOKS)` (test-hooks.ts). */
export function installTransferDebug(debug: TransferDebug): void {
  (globalThis as unknown as { peerchatTransfers?: TransferDebug }).peerchatTransfers = debug;
}
