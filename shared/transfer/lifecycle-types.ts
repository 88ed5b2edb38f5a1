/**
 * The states, events and effects of a transfer's life (lifecycle.ts has the step function).
 */
import type { FileAccept, FileControl, FileDone, FileNeed, FileOffer } from './control';
import type { PeerLoad } from './peer-caps';

/** Images up to this size are accepted without asking. */
export const AUTO_ACCEPT_IMAGE_BYTES = 10 * 1024 * 1024;

export type TransferPhase =
  /** Offered; waiting for the receiver to accept (or, incoming, for the person to decide). */
  | 'offered'
  /** Accepted; chunks flowing, or paused until the contact is connected again. */
  | 'running'
  /** Every chunk arrived and the whole-file hashes match. */
  | 'done'
  /** The whole-file hash did not match, the source was lost, or storage failed. */
  | 'failed'
  | 'cancelled'
  | 'declined';

/** The stored facts of a transfer that its life depends on (a subset of the stored record). */
export interface TransferFacts {
  direction: 'out' | 'in';
  state: TransferPhase;
  offer: FileOffer;
  /** BLAKE2b-256 of the whole file, once verified. */
  hash?: string;
  /** Sender: the hash it computed and sent in file-done (kept across its reloads). */
  sentHash?: string;
  /**
   * Why it failed, was cancelled or declined (a CancelReason / DeclineReason); on an incoming
   * offer that waits, HELD_IMAGE_REASON when it is an image that would have been accepted
   * without asking had the contact not used up its image budget (peer-caps.ts).
   */
  reason?: string;
  /** Who cancelled: the contact's display name, or '' for this device. */
  cancelledBy?: string;
  /** A cancel or decline the contact has not been told yet. */
  notifyPeer?: boolean;
}

export interface Lifecycle extends TransferFacts {
  /** Sender: the file itself is still kept (it can be read to send). */
  hasFile: boolean;
  /** A runner (sending or receiving this file) exists in this page. */
  runner: boolean;
}

/**
 * Fields to store. A key present with `undefined` removes the field. `verified` is the
 * receiver's resume bitmap (cleared when the transfer ends).
 */
export type TransferPatch = { [K in keyof TransferFacts]?: TransferFacts[K] | undefined } & { verified?: Uint8Array | undefined };

export type TransferEvent =
  // the person
  | { type: 'accept' }
  | { type: 'decline' }
  | { type: 'cancel' }
  // the contact's secure session
  | { type: 'link-ready' }
  | { type: 'link-closed' }
  /**
   * A control frame about this file from the contact (`from`: their display name). `load`: what
   * the contact already made this device keep (peer-caps.ts), for an offer of a file not known
   * here; absent counts as nothing.
   */
  | { type: 'frame'; msg: FileControl; from: string; load?: PeerLoad }
  /** A `tell` effect's frame could not be handed to the channel: tell it next time. */
  | { type: 'tell-failed' }
  // the receiving runner and its sink
  | { type: 'sink-opened' }
  /**
   * The file could not be opened. `retry`: a resume whose partial file is there but could not
   * be reopened now (locked by another tab, storage busy): it is tried again on the next resume.
   * Without it (a first open refused, e.g. no space; or the partial file is gone) it ends.
   */
  | { type: 'sink-failed'; retry?: true }
  /**
   * A `persist` with `thenSend` could not be stored (after retries): the outcome it carried is
   * not on disk, so it was not told either.
   */
  | { type: 'store-failed' }
  /** The verified-chunk bitmap, flushed to disk: store it for resume. */
  | { type: 'snapshot'; verified: Uint8Array }
  /** Every chunk was checked against the sender's hash (`verdict.ok`) and the file released or deleted. */
  | { type: 'file-checked'; verdict: FileDone }
  /** The disk failed (a write, the flush, the read-back while finishing). */
  | { type: 'storage-failed' }
  // the sending runner
  /** The whole-file hash is known (computed while sending, or read back for a late verdict). */
  | { type: 'hashed'; hash: string }
  /** The whole-file hash could not be read back for `verdict` (null: the file is unreadable). */
  | { type: 'source-hashed'; hash: string | null; verdict: FileDone }
  | { type: 'source-lost' }
  | { type: 'send-failed' };

export type TransferEffect =
  /** Send on the link if there is one; nothing if offline. */
  | { type: 'send'; frame: FileControl }
  /** Send on the link; if it cannot be sent, step `tell-failed` (it is told on the next ready session). */
  | { type: 'tell'; frame: FileControl }
  /**
   * Store these fields (and, `dropFile`, forget the sender's File). `show`: redraw the card.
   * `thenSend`: a frame to send only once the fields are stored; if they cannot be stored, step
   * `store-failed` instead (an outcome is never told before it is recorded).
   */
  | { type: 'persist'; patch: TransferPatch; dropFile?: true; show: boolean; thenSend?: FileControl }
  /** Redraw the card. */
  | { type: 'show' }
  /** Sender: create the runner (if none) and attach it to the link: it (re)sends the offer. */
  | { type: 'start-sending' }
  /** Sender: the receiver's (valid) file-accept: send what it lacks, then file-done. */
  | { type: 'send-missing'; msg: FileAccept }
  /** Sender: the receiver asks for chunks again. */
  | { type: 'resend'; msg: FileNeed }
  /** Sender: read the whole file to hash it, then step `source-hashed` with `verdict`. */
  | { type: 'hash-source'; verdict: FileDone }
  /**
   * Receiver: open (or, `resume`, reopen) the file on disk; then step `sink-opened` or
   * `sink-failed` (with `retry` when a resume failed for a reason other than the file missing).
   */
  | { type: 'open-sink'; resume?: true }
  /** Receiver: attach the runner to the link: it sends file-accept with the chunks it has. */
  | { type: 'attach-receiving' }
  /**
   * Receiver: the sender says it sent everything: ask for what is missing, or check the file;
   * a checked file steps `file-checked`, a disk failure `storage-failed`.
   */
  | { type: 'check-file'; msg: FileDone }
  /** Both runners stop for now (the link closed); a ready link resumes. */
  | { type: 'detach' }
  /** The runner ends for good (sender: stops and releases the file; receiver: its file is already released). */
  | { type: 'stop-runner' }
  /** Receiver: stop the runner and delete the partial file. */
  | { type: 'discard-sink' }
  /** Receiver, no runner: delete whatever part of the file is on disk. */
  | { type: 'delete-file' }
  /** An incoming offer for a file we do not know: store it (and its message), then step `accept` if `autoAccept`. */
  | { type: 'create-incoming'; offer: FileOffer; autoAccept: boolean; held?: true }
  /**
   * The contact already has as many offers waiting as this device keeps: this one was declined
   * ('busy') and nothing of it is stored; show the person, once, that the rest were declined.
   */
  | { type: 'offers-capped' }
  /**
   * The contact cancelled its offer while it was waiting for the person: count it against the
   * contact's pending-offer cap for a while (peer-caps.ts, WithdrawnOffers).
   */
  | { type: 'offer-withdrawn' };

export interface StepResult {
  /** The new state; `undefined` only for a transfer that does not exist (yet). */
  state: Lifecycle | undefined;
  effects: TransferEffect[];
}
