/**
 * The life of one file transfer, either direction, as a pure function:
 * `step(state, event) → { state, effects }`. No I/O and no clocks: the browser driver
 * (web/src/transfer/transfer-service.ts) runs the effects in order (IndexedDB, the data channel,
 * the per-file runners, the file cards) and feeds what they report back in as events.
 *
 *   offered ──accept──▶ running ──(verified)──▶ done
 *      │                  │ ╲──(hash mismatch, storage, source lost, bad accept)──▶ failed
 *      ├──decline──▶ declined   ╲──cancel (either side)──▶ cancelled
 *      └──cancel───▶ cancelled
 *
 * Resume is sender-driven: on every ready session the sender re-offers each unfinished file (the
 * runner sends the offer with a new file key) and the receiver answers file-accept with the chunks
 * it has on disk. A finished transfer answers a repeated offer or accept with its stored outcome,
 * so a verdict lost to a reload is given again. A decline or cancel made while the contact was
 * offline is remembered (`notifyPeer`) and told on the next ready session.
 *
 * The per-chunk path (sealing, opening, hashing, writing) is not here: it runs in
 * OutgoingTransfer / IncomingTransfer (transfer.ts) without a step per chunk.
 */
import { CANCEL_REASONS, isInlineImage, type CancelReason, type FileAccept, type FileControl, type FileDone, type FileNeed, type FileOffer } from './control';
import { isCanonicalRanges } from './ranges';
import { HELD_IMAGE_REASON, imageFits, offerFits, type PeerLoad } from './peer-caps';

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
  | { type: 'sink-failed' }
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
  /** Store these fields (and, `dropFile`, forget the sender's File). `show`: redraw the card. */
  | { type: 'persist'; patch: TransferPatch; dropFile?: true; show: boolean }
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
  /** Receiver: open (or reopen) the file on disk; then step `sink-opened` or `sink-failed`. */
  | { type: 'open-sink' }
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
  | { type: 'offers-capped' };

export interface StepResult {
  /** The new state; `undefined` only for a transfer that does not exist (yet). */
  state: Lifecycle | undefined;
  effects: TransferEffect[];
}

/** The stored failure reason as a wire cancel reason, or `fallback` if it is not one. */
export function failReason(reason: string | undefined, fallback: CancelReason): CancelReason {
  return CANCEL_REASONS.find((r) => r === reason) ?? fallback;
}

/** A state that still moves (else it is final, or waiting to tell the contact). */
export function isOpen(state: TransferPhase): boolean {
  return state === 'offered' || state === 'running';
}

/** The next state of a transfer (`undefined`: not known here) after `event`, and what to do. */
export function step(state: Lifecycle | undefined, event: TransferEvent): StepResult {
  if (!state) return unknownTransfer(event);
  const out = new Step(state);
  switch (event.type) {
    case 'accept':
      if (state.direction === 'in' && state.state === 'offered') out.acceptNow();
      break;
    case 'decline':
      if (state.direction !== 'in' || state.state !== 'offered') break;
      out.emit({ type: 'tell', frame: { type: 'file-decline', fileId: state.offer.fileId, reason: 'declined' } });
      out.persist({ state: 'declined', reason: 'declined' });
      break;
    case 'cancel':
      if (!isOpen(state.state)) break;
      out.emit({ type: 'tell', frame: cancelFrame(state, 'cancelled') });
      out.end({ state: 'cancelled', reason: 'cancelled', cancelledBy: '' });
      break;
    case 'tell-failed':
      out.persist({ notifyPeer: true });
      break;
    case 'link-ready':
      out.linkReady();
      break;
    case 'link-closed':
      if (!isOpen(state.state)) break;
      if (state.runner) out.emit({ type: 'detach' });
      if (state.state === 'running') out.emit({ type: 'show' });
      break;
    case 'frame':
      out.frame(event.msg, event.from);
      break;
    case 'sink-opened':
      out.state = { ...out.state, runner: true };
      out.emit({ type: 'attach-receiving' });
      break;
    case 'sink-failed':
      // A resume that cannot reopen its file: the part already written must not stay behind.
      out.emit({ type: 'send', frame: { type: 'file-decline', fileId: state.offer.fileId, reason: 'storage' } });
      out.emit({ type: 'delete-file' });
      out.persist({ state: 'failed', reason: 'storage', verified: undefined });
      break;
    case 'snapshot':
      if (state.state === 'running') out.persist({ verified: event.verified }, false);
      break;
    case 'file-checked':
      if (state.direction !== 'in' || state.state !== 'running') break;
      out.state = { ...out.state, runner: false };
      out.emit({ type: 'stop-runner' });
      out.persist(event.verdict.ok ? { state: 'done', hash: event.verdict.hash, verified: undefined } : { state: 'failed', reason: 'corrupt', verified: undefined });
      // Only now, with the outcome stored: if this page goes away before the sender hears it, the
      // sender's next offer gets the same answer from the stored record.
      out.emit({ type: 'send', frame: event.verdict });
      break;
    case 'storage-failed':
      out.fail('storage');
      break;
    case 'source-lost':
      out.fail('source-lost');
      break;
    case 'send-failed':
      out.fail('error');
      break;
    case 'hashed':
      if (state.direction === 'out' && state.sentHash !== event.hash) out.persist({ sentHash: event.hash }, false);
      break;
    case 'source-hashed':
      if (state.direction !== 'out' || state.state !== 'running' || !state.runner) break;
      if (event.hash !== null) out.persist({ sentHash: event.hash }, false);
      out.receiverVerdict(event.verdict);
      break;
  }
  return { state: out.state, effects: out.effects };
}

/**
 * Frames and events for a file this device has no record of. An offer is kept only under the
 * contact's caps (peer-caps.ts): past the pending-offer cap it is declined 'busy' with nothing
 * stored; an image past the image budget waits for the person instead of being auto-accepted.
 */
function unknownTransfer(event: TransferEvent): StepResult {
  if (event.type === 'frame' && event.msg.type === 'file-offer') {
    const offer = event.msg;
    const load = event.load ?? { pendingOffers: 0, autoImageBytes: 0 };
    const auto = isInlineImage(offer, AUTO_ACCEPT_IMAGE_BYTES);
    // An auto-accepted image never waits, so it never counts against the pending cap.
    if (auto && imageFits(load, offer.size)) return { state: undefined, effects: [{ type: 'create-incoming', offer, autoAccept: true }] };
    if (!offerFits(load)) {
      return {
        state: undefined,
        effects: [{ type: 'send', frame: { type: 'file-decline', fileId: offer.fileId, reason: 'busy' } }, { type: 'offers-capped' }],
      };
    }
    return { state: undefined, effects: [auto ? { type: 'create-incoming', offer, autoAccept: false, held: true } : { type: 'create-incoming', offer, autoAccept: false }] };
  }
  return { state: undefined, effects: [] };
}

function cancelFrame(state: Lifecycle, reason: CancelReason): FileControl {
  return { type: 'file-cancel', fileId: state.offer.fileId, reason };
}

/** "Verified, with this hash", from a stored finished transfer: repeats a verdict that was lost. */
function storedVerdict(state: Lifecycle): FileControl | null {
  return state.hash ? { type: 'file-done', fileId: state.offer.fileId, hash: state.hash, ok: true } : null;
}

/** One step being built: the state as it changes, and the effects in the order to run them. */
class Step {
  readonly effects: TransferEffect[] = [];

  constructor(public state: Lifecycle) {}

  emit(effect: TransferEffect): void {
    this.effects.push(effect);
  }

  persist(patch: TransferPatch, show = true, dropFile = false): void {
    const next: Record<string, unknown> = { ...this.state };
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'verified') continue; // not part of the lifecycle state
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    if (dropFile) next.hasFile = false;
    this.state = next as unknown as Lifecycle;
    this.effects.push(dropFile ? { type: 'persist', patch, dropFile: true, show } : { type: 'persist', patch, show });
  }

  acceptNow(): void {
    this.persist(this.state.reason === HELD_IMAGE_REASON ? { state: 'running', reason: undefined } : { state: 'running' });
    this.emit({ type: 'open-sink' });
  }

  /** Stops a transfer that went wrong and tells the contact. */
  fail(reason: CancelReason): void {
    if (!isOpen(this.state.state)) return;
    this.emit({ type: 'send', frame: cancelFrame(this.state, reason) });
    this.end({ state: 'failed', reason });
  }

  /** Final state: runners stopped, the receiver's partial file deleted, the sender's File dropped unless it is an image. */
  end(patch: TransferPatch): void {
    const s = this.state;
    if (s.direction === 'out') {
      if (s.runner) this.emit({ type: 'stop-runner' });
    } else {
      this.emit(s.runner ? { type: 'discard-sink' } : { type: 'delete-file' });
    }
    this.state = { ...this.state, runner: false };
    this.persist({ ...patch, verified: undefined }, true, s.direction === 'out' && !(s.offer.isImage ?? false));
  }

  linkReady(): void {
    const s = this.state;
    if (s.notifyPeer) {
      const frame: FileControl =
        s.state === 'declined'
          ? { type: 'file-decline', fileId: s.offer.fileId, reason: 'declined' }
          : cancelFrame(s, failReason(s.reason, 'cancelled'));
      this.emit({ type: 'tell', frame });
      this.persist({ notifyPeer: undefined });
      return;
    }
    if (s.direction === 'out' && isOpen(s.state)) {
      if (s.runner || s.hasFile) {
        this.state = { ...s, runner: true };
        this.emit({ type: 'start-sending' });
      } else {
        // After a reload in a browser that could not keep the File: nothing to send from.
        this.emit({ type: 'send', frame: cancelFrame(s, 'source-lost') });
        this.persist({ state: 'failed', reason: 'source-lost' });
        return;
      }
    }
    this.emit({ type: 'show' });
  }

  frame(msg: FileControl, from: string): void {
    const s = this.state;
    switch (msg.type) {
      case 'file-offer':
        return this.offerAgain();
      case 'file-accept': {
        if (s.direction !== 'out') return;
        if (s.state === 'done') {
          // The receiver lost our verdict's reply (it reloaded before storing its own): it
          // checks its copy again against the hash.
          const verdict = storedVerdict(s);
          if (verdict) this.emit({ type: 'send', frame: verdict });
          return;
        }
        if (s.state === 'cancelled' || !s.runner) {
          this.emit({ type: 'send', frame: cancelFrame(s, s.state === 'failed' ? failReason(s.reason, 'source-lost') : 'cancelled') });
          return;
        }
        if (!isCanonicalRanges(msg.have, s.offer.chunkCount)) return this.fail('error');
        this.emit({ type: 'send-missing', msg });
        if (s.state === 'offered') this.persist({ state: 'running' });
        return;
      }
      case 'file-need':
        if (s.direction === 'out' && s.runner) this.emit({ type: 'resend', msg });
        return;
      case 'file-decline':
        if (s.direction === 'out' && isOpen(s.state)) this.end({ state: 'declined', reason: msg.reason ?? 'declined' });
        return;
      case 'file-cancel': {
        if (!isOpen(s.state)) return;
        const byPerson = msg.reason === 'cancelled';
        this.end({ state: byPerson ? 'cancelled' : 'failed', reason: msg.reason, ...(byPerson ? { cancelledBy: from } : {}) });
        return;
      }
      case 'file-done':
        if (s.state !== 'running' || !s.runner) return;
        if (s.direction === 'in') {
          this.emit({ type: 'check-file', msg });
          return;
        }
        // The receiver may have finished while this page reloaded: our hash is then the stored
        // one, or, if it never got stored, read from the file once more.
        if (s.sentHash === undefined && msg.ok) {
          this.emit({ type: 'hash-source', verdict: msg });
          return;
        }
        return this.receiverVerdict(msg);
    }
  }

  /** The receiver's verdict: verified when it says ok AND its hash is the one we sent. */
  receiverVerdict(msg: FileDone): void {
    const s = this.state;
    const verified = msg.ok && s.sentHash !== undefined && msg.hash === s.sentHash;
    this.state = { ...s, runner: false };
    this.emit({ type: 'stop-runner' });
    // Keep the File only where the history shows it (inline images).
    const keep = (s.offer.isImage ?? false) && isInlineImage(s.offer);
    if (verified) this.persist({ state: 'done', hash: msg.hash }, true, !keep);
    else this.persist({ state: 'failed', reason: 'corrupt' });
  }

  /** An offer for a file we know: the sender (re)connected. */
  private offerAgain(): void {
    const s = this.state;
    if (s.direction !== 'in') return;
    switch (s.state) {
      case 'running':
        this.emit(s.runner ? { type: 'attach-receiving' } : { type: 'open-sink' });
        return;
      case 'done': {
        const verdict = storedVerdict(s);
        if (verdict) this.emit({ type: 'send', frame: verdict });
        return;
      }
      case 'declined':
        this.emit({ type: 'send', frame: { type: 'file-decline', fileId: s.offer.fileId, reason: 'declined' } });
        return;
      case 'cancelled':
      case 'failed':
        this.emit({ type: 'send', frame: cancelFrame(s, s.state === 'failed' ? failReason(s.reason, 'corrupt') : 'cancelled') });
        return;
      case 'offered':
        return; // the card is already waiting for the person
    }
  }
}
