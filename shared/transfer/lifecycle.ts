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
import { CANCEL_REASONS, isInlineImage, isKeptMedia, type CancelReason, type FileControl, type FileDone } from './control';
import { isCanonicalRanges } from './ranges';
import { HELD_IMAGE_REASON, imageFits, offerFits } from './peer-caps';
import { AUTO_ACCEPT_IMAGE_BYTES, type Lifecycle, type StepResult, type TransferEffect, type TransferEvent, type TransferPatch, type TransferPhase } from './lifecycle-types';

export * from './lifecycle-types';

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
      if (state.direction !== 'in' || state.state !== 'running') break;
      if (event.retry) {
        // The partial file is there but could not be reopened now: keep it and what was
        // verified; the sender's next offer (next session or reload) tries again.
        out.emit({ type: 'show' });
        break;
      }
      // Refused (no space), or a resume whose partial file is gone: nothing to resume from.
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
      // The verdict goes out only once the outcome is stored: if this page goes away before the
      // sender hears it, the sender's next offer gets the same answer from the stored record.
      // Told before being stored, a failed store would leave the sender done and this record
      // 'running' for good after a reload (nobody would offer it again).
      out.persist(event.verdict.ok ? { state: 'done', hash: event.verdict.hash, verified: undefined } : { state: 'failed', reason: 'corrupt', verified: undefined }, true, false, event.verdict);
      break;
    case 'store-failed':
      // The outcome is not stored and the sender was not told: back to running without a runner,
      // as the stored record still says, so the sender's next offer checks the file again
      // (from the chunks stored as verified) and stores the outcome then.
      if (state.direction !== 'in' || (state.state !== 'done' && state.state !== 'failed')) break;
      out.persist({ state: 'running', hash: undefined, reason: undefined });
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

  persist(patch: TransferPatch, show = true, dropFile = false, thenSend?: FileControl): void {
    const next: Record<string, unknown> = { ...this.state };
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'verified') continue; // not part of the lifecycle state
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    if (dropFile) next.hasFile = false;
    this.state = next as unknown as Lifecycle;
    const effect: TransferEffect = dropFile ? { type: 'persist', patch, dropFile: true, show } : { type: 'persist', patch, show };
    this.effects.push(thenSend ? { ...effect, thenSend } : effect);
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
        if (s.direction === 'in' && s.state === 'offered') this.emit({ type: 'offer-withdrawn' });
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
    // Keep the File only where the history shows it (inline images, and video and audio that play inline).
    const keep = ((s.offer.isImage ?? false) && isInlineImage(s.offer)) || isKeptMedia(s.offer);
    if (verified) this.persist({ state: 'done', hash: msg.hash }, true, !keep);
    else this.persist({ state: 'failed', reason: 'corrupt' });
  }

  /** An offer for a file we know: the sender (re)connected. */
  private offerAgain(): void {
    const s = this.state;
    if (s.direction !== 'in') return;
    switch (s.state) {
      case 'running':
        this.emit(s.runner ? { type: 'attach-receiving' } : { type: 'open-sink', resume: true });
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
