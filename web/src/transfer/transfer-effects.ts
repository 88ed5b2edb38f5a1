/**
 * Runs the effects the transfer lifecycle (shared/transfer/lifecycle.ts) asks for: sends frames,
 * stores records, creates, attaches and ends the per-file runners, deletes files on disk. What the
 * runners report back (a sink opened or failed, a file checked, the disk failing) goes back to the
 * lifecycle as events; nothing here decides a transfer's state.
 */
import { ChunkSet, type TransferEffect, type TransferEvent } from '../../../shared/transfer/index';
import type { ChatDb, StoredTransfer } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { deleteOpfsFile, openFileOf, SinkError } from '../files/opfs-sink';
import { IncomingRunner } from './incoming-runner';
import { OutgoingRunner } from './outgoing-runner';
import { patchTransfer } from './transfer-store';
import type { TransferDebug } from './transfer-debug';

/** What the effects need of the service that owns the records and runners. */
export interface EffectHost {
  readonly deps: { db(): Promise<ChatDb | null>; link(conv: string, device?: string): PeerLink | undefined };
  readonly outgoing: Map<string, OutgoingRunner>;
  readonly incoming: Map<string, IncomingRunner>;
  /** The receiving hot path's cache of the last runner a chunk went to. */
  lastIn: IncomingRunner | null;
  readonly debug: TransferDebug;
  /** Steps an event now (outside the queue: for reports that only store something). */
  dispatch(id: string, event: TransferEvent): Promise<void>;
  /** Steps an event through the service's queue. */
  later(id: string, event: TransferEvent): void;
  /** Redraws the transfer's cards. */
  notify(id: string): void;
  /** The contact of `conv` withdrew a waiting offer (counted against its pending-offer cap). */
  offerWithdrawn(conv: string): void;
}

/** Tries to store an outcome that is told only once stored, with a growing pause between tries. */
const STORE_ATTEMPTS = 3;
const STORE_RETRY_MS = 200;

/** Logs a failure by its name only (never a file's contents or name). */
function warn(what: string, e: unknown): void {
  console.warn(`file transfer: ${what}:`, e instanceof Error ? e.name : typeof e);
}

export class TransferEffects {
  constructor(private readonly host: EffectHost) {}

  /** Runs one effect; `follow` takes the events it reports (stepped after the batch). */
  async run(rec: StoredTransfer, effect: TransferEffect, follow: (event: TransferEvent) => void): Promise<void> {
    const host = this.host;
    const link = host.deps.link(rec.conv, rec.device);
    switch (effect.type) {
      case 'send':
        link?.send(effect.frame);
        return;
      case 'tell':
        if (!(link?.send(effect.frame) ?? false)) follow({ type: 'tell-failed' });
        return;
      case 'persist': {
        const stored = await this.persist(rec, effect);
        if (effect.thenSend) {
          if (stored) link?.send(effect.thenSend);
          else follow({ type: 'store-failed' });
        }
        return;
      }
      case 'show':
        host.notify(rec.id);
        return;
      case 'start-sending':
        if (link) this.outgoingRunner(rec)?.attach(link);
        return;
      case 'send-missing':
        if (!host.outgoing.get(rec.id)?.onAccept(effect.msg)) follow({ type: 'send-failed' });
        return;
      case 'resend':
        host.outgoing.get(rec.id)?.onNeed(effect.msg);
        return;
      case 'hash-source': {
        const r = host.outgoing.get(rec.id);
        const hash = r
          ? await r.wholeFileHash().catch((e: unknown) => {
              warn('could not hash the file again', e);
              return null;
            })
          : null;
        follow({ type: 'source-hashed', hash, verdict: effect.verdict });
        return;
      }
      case 'open-sink': {
        const opened = await this.openIncoming(rec, effect.resume ?? false);
        follow(opened === 'opened' ? { type: 'sink-opened' } : opened === 'retry' ? { type: 'sink-failed', retry: true } : { type: 'sink-failed' });
        return;
      }
      case 'attach-receiving':
        if (link) host.incoming.get(rec.id)?.attach(link);
        return;
      case 'check-file': {
        const r = host.incoming.get(rec.id);
        if (!r) return;
        try {
          const verdict = await r.onSenderDone(effect.msg);
          if (verdict) follow({ type: 'file-checked', verdict });
        } catch (e) {
          // The disk failed while finishing (a last write, the read-back, the release): never
          // "verified", and never stuck at 100 %.
          warn('the received file could not be checked', e);
          follow({ type: 'storage-failed' });
        }
        return;
      }
      case 'detach':
        host.outgoing.get(rec.id)?.detach();
        host.incoming.get(rec.id)?.detach();
        return;
      case 'stop-runner':
        host.outgoing.get(rec.id)?.dispose();
        host.outgoing.delete(rec.id);
        this.forgetIncoming(rec.id);
        return;
      case 'discard-sink': {
        const r = this.forgetIncoming(rec.id);
        if (r) await r.discard();
        return;
      }
      case 'delete-file':
        await deleteOpfsFile(rec.id).catch((e: unknown) => warn('could not delete a partial file', e));
        return;
      case 'offer-withdrawn':
        host.offerWithdrawn(rec.conv);
        return;
      case 'create-incoming':
      case 'offers-capped':
        return; // offers of unknown files: the service runs these (it has the conversation and the message)
    }
  }

  private forgetIncoming(id: string): IncomingRunner | undefined {
    const r = this.host.incoming.get(id);
    this.host.incoming.delete(id);
    if (r && this.host.lastIn === r) this.host.lastIn = null;
    return r;
  }

  /**
   * Applies the patch to the record in memory and stores it; true when stored. An outcome that
   * is told only once stored (`thenSend`) is tried a few times: IndexedDB refuses now and then
   * (a busy or closing connection).
   */
  private async persist(rec: StoredTransfer, effect: Extract<TransferEffect, { type: 'persist' }>): Promise<boolean> {
    const patch: Partial<StoredTransfer> = effect.dropFile ? { ...effect.patch, file: undefined } : { ...effect.patch };
    Object.assign(rec, patch);
    for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete rec[k];
    let stored = false;
    const attempts = effect.thenSend ? STORE_ATTEMPTS : 1;
    for (let attempt = 1; attempt <= attempts && !stored; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, STORE_RETRY_MS * (attempt - 1)));
      const db = await this.host.deps.db();
      if (!db) break;
      stored = await patchTransfer(db, rec.id, patch).then(
        (r) => r !== null && r !== undefined,
        (e: unknown) => {
          warn('could not store a transfer', e);
          return false;
        },
      );
    }
    if (stored && patch.verified) this.host.debug.persisted[rec.id] = ChunkSet.fromBytes(rec.offer.chunkCount, patch.verified)?.size ?? 0;
    if (stored && patch.sentHash) this.host.debug.sentHashStored[rec.id] = true;
    if (effect.show) this.host.notify(rec.id);
    return stored;
  }

  /** The sender's runner, created on first use; null without the File to send from. */
  private outgoingRunner(rec: StoredTransfer): OutgoingRunner | null {
    const host = this.host;
    const existing = host.outgoing.get(rec.id);
    if (existing) return existing;
    if (!rec.file) return null;
    const id = rec.id;
    const r = new OutgoingRunner(rec, rec.file, {
      progress: () => host.notify(id),
      sourceLost: () => host.later(id, { type: 'source-lost' }),
      failed: () => host.later(id, { type: 'send-failed' }),
      // Stored at once, not queued: the receiver's verdict may follow right behind our file-done.
      hashed: (hash) => void host.dispatch(id, { type: 'hashed', hash }),
    });
    host.outgoing.set(id, r);
    return r;
  }

  /**
   * Opens (or, `resume`, reopens) the receiving runner and its file on disk. 'failed': storage
   * refused a first open, or the partial file of a resume is gone; 'retry': a resume whose file
   * could not be reopened now (it is kept for the next resume).
   */
  private async openIncoming(rec: StoredTransfer, resume: boolean): Promise<'opened' | 'failed' | 'retry'> {
    const host = this.host;
    if (host.incoming.has(rec.id)) return 'opened';
    const id = rec.id;
    if (resume && rec.verified) {
      // Opening creates a missing file: a resume must not go on from chunks that are not there.
      const there = await openFileOf(id).then(
        (f) => f !== null,
        (e: unknown) => {
          warn('could not look for the partial file', e);
          return null;
        },
      );
      if (there === false) {
        console.warn('file transfer: the partial file is gone; the transfer ends');
        return 'failed';
      }
      if (there === null) return 'retry';
    }
    try {
      const r = await IncomingRunner.open(rec, {
        progress: () => host.notify(id),
        // Not queued: the runner awaits this while the queue may be waiting on the runner.
        persist: (verified) => host.dispatch(id, { type: 'snapshot', verified }),
        storageFailed: () => host.later(id, { type: 'storage-failed' }),
      });
      host.incoming.set(id, r);
      host.debug.resumedFrom[id] = r.resumedFrom;
      return 'opened';
    } catch (e) {
      warn('could not open the file on disk', e);
      // A resume tries again next time unless the file is gone; a first open ends (no space).
      return resume && !(e instanceof SinkError && e.code === 'not-found') ? 'retry' : 'failed';
    }
  }
}
