/**
 * Runs the effects the transfer lifecycle (shared/transfer/lifecycle.ts) asks for: sends frames,
 * stores records, creates, attaches and ends the per-file runners, deletes files on disk. What the
 * runners report back (a sink opened or failed, a file checked, the disk failing) goes back to the
 * lifecycle as events; nothing here decides a transfer's state.
 */
import { ChunkSet, type TransferEffect, type TransferEvent } from '../../../shared/transfer/index';
import type { ChatDb, StoredTransfer } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { deleteOpfsFile } from '../files/opfs-sink';
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
}

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
      case 'persist':
        return this.persist(rec, effect);
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
      case 'open-sink':
        follow((await this.openIncoming(rec)) ? { type: 'sink-opened' } : { type: 'sink-failed' });
        return;
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

  private async persist(rec: StoredTransfer, effect: Extract<TransferEffect, { type: 'persist' }>): Promise<void> {
    const patch: Partial<StoredTransfer> = effect.dropFile ? { ...effect.patch, file: undefined } : { ...effect.patch };
    Object.assign(rec, patch);
    for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete rec[k];
    const db = await this.host.deps.db();
    if (db) {
      const stored = await patchTransfer(db, rec.id, patch).catch((e: unknown) => {
        warn('could not store a transfer', e);
        return null;
      });
      if (stored && patch.verified) this.host.debug.persisted[rec.id] = ChunkSet.fromBytes(rec.offer.chunkCount, patch.verified)?.size ?? 0;
      if (stored && patch.sentHash) this.host.debug.sentHashStored[rec.id] = true;
    }
    if (effect.show) this.host.notify(rec.id);
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

  /** Opens (or reopens) the receiving runner and its file on disk; false if storage refused. */
  private async openIncoming(rec: StoredTransfer): Promise<boolean> {
    const host = this.host;
    if (host.incoming.has(rec.id)) return true;
    const id = rec.id;
    try {
      const r = await IncomingRunner.open(rec, {
        progress: () => host.notify(id),
        // Not queued: the runner awaits this while the queue may be waiting on the runner.
        persist: (verified) => host.dispatch(id, { type: 'snapshot', verified }),
        storageFailed: () => host.later(id, { type: 'storage-failed' }),
      });
      host.incoming.set(id, r);
      host.debug.resumedFrom[id] = r.resumedFrom;
      return true;
    } catch (e) {
      warn('could not open the file on disk', e);
      return false;
    }
  }
}
