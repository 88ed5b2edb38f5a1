/**
 * What a file card draws for one transfer: its state, and the progress from the runner moving it
 * (or, with no runner in this page, from the stored resume bitmap).
 */
import { ChunkSet, HELD_IMAGE_REASON, type FileOffer, type ProgressSnapshot } from '../../../shared/transfer/index';
import type { ClientErrorCode } from '../../../shared/errors';
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
  /** A history copy whose bytes are kept on another device of the account (no Save, no download). */
  remoteCopy?: true;
  reason?: string;
  cancelledBy?: string;
  /**
   * Why the card says more than its state, as error codes (web/src/l10n/error-text.ts, param
   * `name`: the contact): PEER_IMAGES_HELD on an image that waits because the contact used up its
   * image budget (its preview is not shown: nothing of it is decoded before Accept);
   * PEER_OFFERS_CAPPED on the one offer that says the contact's further offers were declined.
   */
  notices: Extract<ClientErrorCode, 'PEER_IMAGES_HELD' | 'PEER_OFFERS_CAPPED'>[];
}

/** The runner's side of a view: its last progress, and (sender) whether it knows how far the receiver got. */
export interface ViewSource {
  readonly snapshot: ProgressSnapshot;
  readonly progressKnown?: boolean;
}

export function transferView(rec: StoredTransfer, runner: ViewSource | undefined, live: boolean, capNotice = false): TransferView {
  let progress = runner?.snapshot ?? { fraction: rec.state === 'done' ? 1 : 0, bytesPerSecond: 0, secondsLeft: null };
  if (!runner && rec.verified && rec.offer.chunkCount > 0) {
    const set = ChunkSet.fromBytes(rec.offer.chunkCount, rec.verified);
    if (set) progress = { ...progress, fraction: Math.min(1, (set.size * rec.offer.chunkSize) / Math.max(1, rec.offer.size)) };
  }
  const progressKnown = rec.direction === 'in' || rec.state !== 'running' || runner?.progressKnown === true;
  const notices: TransferView['notices'] = [];
  const held = rec.state === 'offered' && rec.reason === HELD_IMAGE_REASON;
  if (held) notices.push('PEER_IMAGES_HELD');
  if (capNotice) notices.push('PEER_OFFERS_CAPPED');
  const v: TransferView = { id: rec.id, direction: rec.direction, peerName: rec.peerName, offer: rec.offer, state: rec.state, progress, progressKnown, live, notices };
  if (rec.hash) v.hash = rec.hash;
  if (rec.remoteCopy) v.remoteCopy = true;
  if (rec.reason && !held) v.reason = rec.reason;
  if (rec.cancelledBy !== undefined) v.cancelledBy = rec.cancelledBy;
  return v;
}
