/**
 * What a file card draws for one transfer: its state, and the progress from the runner moving it
 * (or, with no runner in this page, from the stored resume bitmap).
 */
import { ChunkSet, type FileOffer, type ProgressSnapshot } from '../../../shared/transfer/index';
import type { StoredTransfer, TransferState } from '../db/schema';

export interface TransferView {
  id: string;
  direction: 'out' | 'in';
  peerName: string;
  offer: FileOffer;
  state: TransferState;
  progress: ProgressSnapshot;
  /** False while `progress` is unknown (a sender after its reload, until the receiver answers). */
  progressKnown: boolean;
  /** Connected to the contact right now (else a running transfer is paused). */
  live: boolean;
  hash?: string;
  reason?: string;
  cancelledBy?: string;
}

/** The runner's side of a view: its last progress, and (sender) whether it knows how far the receiver got. */
export interface ViewSource {
  readonly snapshot: ProgressSnapshot;
  readonly progressKnown?: boolean;
}

export function transferView(rec: StoredTransfer, runner: ViewSource | undefined, live: boolean): TransferView {
  let progress = runner?.snapshot ?? { fraction: rec.state === 'done' ? 1 : 0, bytesPerSecond: 0, secondsLeft: null };
  if (!runner && rec.verified && rec.offer.chunkCount > 0) {
    const set = ChunkSet.fromBytes(rec.offer.chunkCount, rec.verified);
    if (set) progress = { ...progress, fraction: Math.min(1, (set.size * rec.offer.chunkSize) / Math.max(1, rec.offer.size)) };
  }
  const progressKnown = rec.direction === 'in' || rec.state !== 'running' || runner?.progressKnown === true;
  const v: TransferView = { id: rec.id, direction: rec.direction, peerName: rec.peerName, offer: rec.offer, state: rec.state, progress, progressKnown, live };
  if (rec.hash) v.hash = rec.hash;
  if (rec.reason) v.reason = rec.reason;
  if (rec.cancelledBy !== undefined) v.cancelledBy = rec.cancelledBy;
  return v;
}
