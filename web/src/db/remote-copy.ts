/**
 * Files in the history copied between own devices: the card's facts travel (SyncedFile), the
 * bytes stay on the device that has them. The receiving device stores a transfer marked
 * `remoteCopy`, which its card shows as "Kept on your other device".
 */
import type { SyncRecord } from '../../../shared/peer-protocol';
import type { SyncedFile } from '../../../shared/transfer/synced-file';
import { TRANSFER_LIMITS } from '../../../shared/transfer/limits';
import { isValidThumb } from '../../../shared/transfer/names';
import type { StoredTransfer } from './schema';

/** The facts of a finished transfer to copy to another own device; null for one not finished. */
export function syncedFileOf(t: StoredTransfer): SyncedFile | null {
  if (t.state !== 'done') return null;
  const o = t.offer;
  const file: SyncedFile = { name: o.name, mime: o.mime, size: o.size };
  const hash = t.hash ?? o.hash;
  if (hash) file.hash = hash;
  if (o.isImage && o.thumb && isValidThumb(o.thumb)) file.thumb = o.thumb;
  return file;
}

/** The transfer stored for a copied file message (its id is the message's). */
export function remoteCopyOf(rec: SyncRecord, file: SyncedFile, ts: number): StoredTransfer {
  const out: StoredTransfer = {
    id: rec.msg.id,
    conv: rec.conv,
    peerName: rec.msg.outgoing ? rec.conv : rec.msg.from,
    direction: rec.msg.outgoing ? 'out' : 'in',
    offer: {
      type: 'file-offer',
      fileId: rec.msg.id,
      name: file.name,
      mime: file.mime,
      size: file.size,
      chunkSize: TRANSFER_LIMITS.defaultChunkSize,
      chunkCount: Math.ceil(file.size / TRANSFER_LIMITS.defaultChunkSize),
      ts,
      ...(file.thumb ? { isImage: true, thumb: file.thumb } : {}),
    },
    state: 'done',
    remoteCopy: true,
  };
  if (file.hash) out.hash = file.hash;
  return out;
}
