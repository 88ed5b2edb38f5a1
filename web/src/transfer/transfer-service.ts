/**
 * File and image transfers (issue 4), free of UI: it owns every transfer's state, keeps it in
 * IndexedDB (`transfers`), drives the per-file runners (outgoing-runner.ts, incoming-runner.ts)
 * and tells the file cards what to draw. ChatService forwards to it: file control frames,
 * chunk frames, and the link's ready/closed events.
 *
 * Control frames are handled one at a time (a promise queue), so an offer, its accept and a
 * cancel never race each other; chunk frames skip the queue (hot path, synchronous).
 *
 * Resume is sender-driven: on every ready session the sender re-offers each unfinished file
 * (with a new file key), and the receiver answers file-accept with the chunks it has on disk.
 */
import { ready } from '../../../shared/crypto/index';
import { usernameKey, type PeerMsg } from '../../../shared/index';
import {
  CANCEL_REASONS,
  ChunkSet,
  OutgoingTransfer,
  TRANSFER_LIMITS,
  decodeChunkBody,
  fileIdFromBytes,
  isInlineImage,
  sameFileId,
  type CancelReason,
  type FileControl,
  type FileDone,
  type FileOffer,
  type ProgressSnapshot,
} from '../../../shared/transfer/index';
import type { ChatDb, StoredMessage, StoredTransfer, TransferState } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { deleteOpfsFile, openFileOf } from '../files/opfs-sink';
import { IncomingRunner } from './incoming-runner';
import { OutgoingRunner } from './outgoing-runner';
import { isInlineImageFile, makeThumbnail } from './thumbnail';
import { fileMessageText, getTransfer, openTransfers, patchTransfer, saveNewTransfer } from './transfer-store';
import { installTransferDebug, type TransferDebug } from './transfer-debug';

/** Images up to this size are accepted without asking (README: "Files and images"). */
export const AUTO_ACCEPT_IMAGE_BYTES = 10 * 1024 * 1024;

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

export interface TransferDeps {
  db(): Promise<ChatDb | null>;
  me(): string | null;
  /** The contact's link if its secure session is ready. */
  link(conv: string): PeerLink | undefined;
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
  dial(peerName: string): void;
  isActive(conv: string): boolean;
}

export class TransferError extends Error {}

type Watcher = (v: TransferView) => void;

export class TransferService {
  private readonly recs = new Map<string, StoredTransfer>();
  private readonly outgoing = new Map<string, OutgoingRunner>();
  private readonly incoming = new Map<string, IncomingRunner>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private queue: Promise<void> = Promise.resolve();
  private lastIn: IncomingRunner | null = null;
  readonly debug: TransferDebug;

  constructor(private readonly deps: TransferDeps) {
    this.debug = installTransferDebug();
  }

  // --- actions ----------------------------------------------------------------------------------

  /** Offers each file to the contact (stored first; sent now or once connected). */
  async sendFiles(peerName: string, files: readonly File[]): Promise<void> {
    const db = await this.deps.db();
    const me = this.deps.me();
    if (!db || !me) throw new TransferError('You are not logged in.');
    await ready();
    const conv = usernameKey(peerName);
    for (const file of files) {
      if (file.size > TRANSFER_LIMITS.maxFileSize) throw new TransferError(`${file.name} is too large to send.`);
      const image = isInlineImageFile(file);
      const thumb = image ? await makeThumbnail(file) : undefined;
      const probe = new OutgoingTransfer({ name: file.name, mime: file.type, size: file.size, isImage: image, ...(thumb ? { thumb } : {}) });
      const offer = probe.offer();
      probe.dispose();
      const rec: StoredTransfer = { id: offer.fileId, conv, peerName, direction: 'out', offer, state: 'offered', file };
      const msg: StoredMessage = { id: offer.fileId, conv, from: me, outgoing: true, text: fileMessageText(offer.name), ts: offer.ts, state: 'sent', fileId: offer.fileId };
      try {
        await saveNewTransfer(db, rec, msg, false);
      } catch {
        // A browser that cannot keep the File in IndexedDB: send anyway (no resume after our reload).
        const { file: _dropped, ...rest } = rec;
        await saveNewTransfer(db, rest, msg, false);
      }
      this.recs.set(rec.id, rec);
      this.deps.emitMessage(msg);
      await this.run(async () => {
        const link = this.deps.link(conv);
        if (link) this.startOutgoing(rec, link);
      });
    }
    this.deps.refreshConversations();
    if (!this.deps.link(conv)) this.deps.dial(peerName);
  }

  accept(id: string): Promise<void> {
    return this.run(async () => {
      const rec = await this.load(id);
      if (rec?.direction === 'in' && rec.state === 'offered') await this.acceptNow(rec);
    });
  }

  decline(id: string): Promise<void> {
    return this.run(async () => {
      const rec = await this.load(id);
      if (rec?.direction !== 'in' || rec.state !== 'offered') return;
      const sent = this.deps.link(rec.conv)?.send({ type: 'file-decline', fileId: id, reason: 'declined' }) ?? false;
      await this.setState(rec, { state: 'declined', reason: 'declined', notifyPeer: sent ? undefined : true });
    });
  }

  cancel(id: string): Promise<void> {
    return this.run(async () => {
      const rec = await this.load(id);
      if (!rec || (rec.state !== 'offered' && rec.state !== 'running')) return;
      const sent = this.deps.link(rec.conv)?.send({ type: 'file-cancel', fileId: id, reason: 'cancelled' }) ?? false;
      await this.end(rec, { state: 'cancelled', reason: 'cancelled', cancelledBy: '', notifyPeer: sent ? undefined : true });
    });
  }

  /** The file to show or save: ours (outgoing), or the verified one on disk (incoming). */
  async fileOf(id: string): Promise<File | null> {
    const rec = await this.load(id);
    if (!rec) return null;
    if (rec.direction === 'out') return rec.file ? new File([rec.file], rec.offer.name, { type: rec.offer.mime }) : null;
    if (rec.state !== 'done') return null;
    return openFileOf(id, { name: rec.offer.name, type: rec.offer.mime });
  }

  /** Calls `fn` with the transfer's view now and on every change. Returns the unsubscribe. */
  watch(id: string, fn: Watcher): () => void {
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(fn);
    void this.load(id).then((rec) => {
      if (rec && set.has(fn)) fn(this.view(rec));
    });
    return () => set.delete(fn);
  }

  /** Unfinished transfers with this contact (a reason to connect). */
  async hasOpen(conv: string): Promise<boolean> {
    const db = await this.deps.db();
    return !!db && (await openTransfers(db, conv)).length > 0;
  }

  // --- hooks from ChatService -------------------------------------------------------------------

  linkReady(conv: string, link: PeerLink): void {
    void this.run(async () => {
      const db = await this.deps.db();
      if (!db) return;
      await ready();
      for (const stored of await openTransfers(db, conv)) {
        const rec = this.recs.get(stored.id) ?? stored;
        this.recs.set(rec.id, rec);
        if (rec.notifyPeer) {
          const msg: PeerMsg =
            rec.state === 'declined'
              ? { type: 'file-decline', fileId: rec.id, reason: 'declined' }
              : { type: 'file-cancel', fileId: rec.id, reason: (rec.reason as CancelReason | undefined) ?? 'cancelled' };
          if (link.send(msg)) await this.setState(rec, { notifyPeer: undefined });
        } else if (rec.direction === 'out') {
          this.startOutgoing(rec, link);
        }
        this.notify(rec.id);
      }
    });
  }

  linkClosed(conv: string): void {
    for (const r of this.outgoing.values()) if (r.rec.conv === conv) r.detach();
    for (const r of this.incoming.values()) if (r.rec.conv === conv) r.detach();
    for (const rec of this.recs.values()) if (rec.conv === conv && rec.state === 'running') this.notify(rec.id);
  }

  onControl(conv: string, msg: FileControl, link: PeerLink): void {
    void this.run(() => this.handleControl(conv, msg, link));
  }

  /** A chunk frame (body after the kind byte). Synchronous: the receiving hot path. */
  onChunk(conv: string, body: Uint8Array): void {
    const view = decodeChunkBody(body);
    if (!view) return;
    let r = this.lastIn;
    if (!r || !sameFileId(view.fileId, r.t.fileIdBytes)) {
      r = this.incoming.get(fileIdFromBytes(view.fileId)) ?? null;
      if (!r) return;
      this.lastIn = r;
    }
    if (r.rec.conv !== conv) return;
    r.onChunk(view);
    this.debug.chunksReceived++;
  }

  // --- internals --------------------------------------------------------------------------------

  private async handleControl(conv: string, msg: FileControl, link: PeerLink): Promise<void> {
    await ready();
    const rec = await this.load(msg.fileId);
    if (rec && rec.conv !== conv) return; // Another contact's file: not theirs to touch.
    switch (msg.type) {
      case 'file-offer':
        return this.onOffer(conv, msg, link, rec);
      case 'file-accept': {
        if (rec?.direction !== 'out') return;
        const r = this.outgoing.get(rec.id);
        if (rec.state === 'done') {
          // The receiver lost our verdict's reply (it reloaded before storing its own): it
          // checks its copy again against the hash.
          return sendStoredVerdict(rec, link);
        }
        if (rec.state === 'cancelled' || !r) {
          link.send({ type: 'file-cancel', fileId: rec.id, reason: rec.state === 'failed' ? failReason(rec.reason, 'source-lost') : 'cancelled' });
          return;
        }
        if (!r.onAccept(msg)) return this.fail(rec, 'error', true);
        if (rec.state === 'offered') await this.setState(rec, { state: 'running' });
        return;
      }
      case 'file-need':
        if (rec?.direction === 'out') this.outgoing.get(rec.id)?.onNeed(msg);
        return;
      case 'file-decline':
        if (rec?.direction === 'out' && (rec.state === 'offered' || rec.state === 'running')) await this.end(rec, { state: 'declined', reason: msg.reason ?? 'declined' });
        return;
      case 'file-cancel':
        if (rec && (rec.state === 'offered' || rec.state === 'running')) {
          const byPerson = msg.reason === 'cancelled';
          await this.end(rec, { state: byPerson ? 'cancelled' : 'failed', reason: msg.reason, ...(byPerson ? { cancelledBy: link.peerName } : {}) });
        }
        return;
      case 'file-done':
        if (!rec || rec.state !== 'running') return;
        return rec.direction === 'in' ? this.onSenderDone(rec, msg) : this.onReceiverDone(rec, msg);
    }
  }

  private async onOffer(conv: string, offer: FileOffer, link: PeerLink, rec: StoredTransfer | undefined): Promise<void> {
    const db = await this.deps.db();
    if (!db) return;
    if (!rec) {
      const fresh: StoredTransfer = { id: offer.fileId, conv, peerName: link.peerName, direction: 'in', offer, state: 'offered' };
      const ts = Math.min(offer.ts, Date.now() + 60_000);
      const msg: StoredMessage = { id: offer.fileId, conv, from: link.peerName, outgoing: false, text: fileMessageText(offer.name), ts, state: 'received', fileId: offer.fileId };
      if (!(await saveNewTransfer(db, fresh, msg, !this.deps.isActive(conv)))) return;
      this.recs.set(fresh.id, fresh);
      this.deps.emitMessage(msg);
      this.deps.refreshConversations();
      if (isInlineImage(offer, AUTO_ACCEPT_IMAGE_BYTES)) await this.acceptNow(fresh);
      return;
    }
    if (rec.direction !== 'in') return;
    switch (rec.state) {
      case 'running': {
        const r = this.incoming.get(rec.id) ?? (await this.openIncoming(rec));
        r?.attach(link);
        return;
      }
      case 'done':
        return sendStoredVerdict(rec, link);
      case 'declined':
        link.send({ type: 'file-decline', fileId: rec.id, reason: 'declined' });
        return;
      case 'cancelled':
      case 'failed':
        link.send({ type: 'file-cancel', fileId: rec.id, reason: rec.state === 'failed' ? failReason(rec.reason, 'corrupt') : 'cancelled' });
        return;
      default:
        return; // 'offered': the card is already waiting for the person.
    }
  }

  private async acceptNow(rec: StoredTransfer): Promise<void> {
    await this.setState(rec, { state: 'running' });
    const r = await this.openIncoming(rec);
    const link = this.deps.link(rec.conv);
    if (r && link) r.attach(link);
  }

  private async openIncoming(rec: StoredTransfer): Promise<IncomingRunner | null> {
    try {
      const r = await IncomingRunner.open(rec, {
        progress: () => this.notify(rec.id),
        persist: async (verified) => {
          await this.setState(rec, { verified }, false);
          this.debug.persisted[rec.id] = ChunkSet.fromBytes(rec.offer.chunkCount, verified)?.size ?? 0;
        },
        storageFailed: () => void this.run(() => this.fail(rec, 'storage', true)),
      });
      this.incoming.set(rec.id, r);
      this.debug.resumedFrom[rec.id] = r.resumedFrom;
      return r;
    } catch {
      const link = this.deps.link(rec.conv);
      link?.send({ type: 'file-decline', fileId: rec.id, reason: 'storage' });
      // A resume that cannot reopen its file: the part already written must not stay behind.
      await deleteOpfsFile(rec.id).catch(() => undefined);
      await this.setState(rec, { state: 'failed', reason: 'storage', verified: undefined });
      return null;
    }
  }

  private startOutgoing(rec: StoredTransfer, link: PeerLink): void {
    let r = this.outgoing.get(rec.id);
    if (!r) {
      if (!rec.file) {
        link.send({ type: 'file-cancel', fileId: rec.id, reason: 'source-lost' });
        void this.setState(rec, { state: 'failed', reason: 'source-lost' });
        return;
      }
      r = new OutgoingRunner(rec, rec.file, {
        progress: () => this.notify(rec.id),
        sourceLost: () => void this.run(() => this.fail(rec, 'source-lost', true)),
        failed: () => void this.run(() => this.fail(rec, 'error', true)),
        hashed: (hash) => {
          if (rec.sentHash === hash) return;
          void this.setState(rec, { sentHash: hash }, false).then(() => (this.debug.sentHashStored[rec.id] = true));
        },
      });
      this.outgoing.set(rec.id, r);
    }
    r.attach(link);
  }

  private async onSenderDone(rec: StoredTransfer, msg: Extract<FileControl, { type: 'file-done' }>): Promise<void> {
    const r = this.incoming.get(rec.id);
    if (!r) return;
    let verdict: FileDone | null;
    try {
      verdict = await r.onSenderDone(msg);
    } catch {
      // The disk failed while finishing (a last write, the read-back, the release): never
      // "verified", and never stuck at 100 %.
      return this.fail(rec, 'storage', true);
    }
    if (!verdict) return;
    this.incoming.delete(rec.id);
    if (this.lastIn === r) this.lastIn = null;
    if (verdict.ok) await this.setState(rec, { state: 'done', hash: verdict.hash, verified: undefined });
    else await this.setState(rec, { state: 'failed', reason: 'corrupt', verified: undefined });
    // Only now, with the outcome stored: if this page goes away before the sender hears it, the
    // sender's next offer gets the same answer from the stored record (onOffer).
    this.deps.link(rec.conv)?.send(verdict);
  }

  private async onReceiverDone(rec: StoredTransfer, msg: Extract<FileControl, { type: 'file-done' }>): Promise<void> {
    const r = this.outgoing.get(rec.id);
    if (!r) return;
    // The receiver may have finished while this page reloaded: our hash is then the stored one
    // (restored in the runner), or, if it never got stored, read from the file once more.
    if (!r.t.hashKnown && msg.ok) await r.wholeFileHash().catch(() => undefined);
    const { verified } = r.t.onReceiverDone(msg);
    r.dispose();
    this.outgoing.delete(rec.id);
    // Keep the File only where the history shows it (inline images).
    const keep = rec.offer.isImage && isInlineImage(rec.offer);
    await this.setState(rec, verified ? { state: 'done', hash: msg.hash, ...(keep ? {} : { file: undefined }) } : { state: 'failed', reason: 'corrupt' });
  }

  /** Stops a transfer that went wrong, tells the contact (`tell`), deletes a partial file. */
  private async fail(rec: StoredTransfer, reason: CancelReason, tell: boolean): Promise<void> {
    if (rec.state !== 'offered' && rec.state !== 'running') return;
    if (tell) this.deps.link(rec.conv)?.send({ type: 'file-cancel', fileId: rec.id, reason });
    await this.end(rec, { state: 'failed', reason });
  }

  /** Final state: runners stopped, the receiver's partial file deleted. */
  private async end(rec: StoredTransfer, patch: Partial<StoredTransfer>): Promise<void> {
    const out = this.outgoing.get(rec.id);
    out?.dispose();
    this.outgoing.delete(rec.id);
    const inc = this.incoming.get(rec.id);
    this.incoming.delete(rec.id);
    if (this.lastIn === inc) this.lastIn = null;
    if (rec.direction === 'in') {
      if (inc) await inc.discard();
      else await deleteOpfsFile(rec.id).catch(() => undefined);
    }
    await this.setState(rec, { ...patch, verified: undefined, ...(rec.direction === 'out' && !(rec.offer.isImage ?? false) ? { file: undefined } : {}) });
  }

  private async setState(rec: StoredTransfer, patch: Partial<StoredTransfer>, notify = true): Promise<StoredTransfer> {
    Object.assign(rec, patch);
    for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete rec[k];
    const db = await this.deps.db();
    if (db) await patchTransfer(db, rec.id, patch).catch(() => null);
    if (notify) this.notify(rec.id);
    return rec;
  }

  private async load(id: string): Promise<StoredTransfer | undefined> {
    const cached = this.recs.get(id);
    if (cached) return cached;
    const db = await this.deps.db();
    const rec = db ? await getTransfer(db, id) : undefined;
    if (rec) this.recs.set(id, this.recs.get(id) ?? rec);
    return this.recs.get(id);
  }

  private view(rec: StoredTransfer): TransferView {
    const runner = rec.direction === 'out' ? this.outgoing.get(rec.id) : this.incoming.get(rec.id);
    let progress = runner?.snapshot ?? { fraction: rec.state === 'done' ? 1 : 0, bytesPerSecond: 0, secondsLeft: null };
    if (!runner && rec.verified && rec.offer.chunkCount > 0) {
      const set = ChunkSet.fromBytes(rec.offer.chunkCount, rec.verified);
      if (set) progress = { ...progress, fraction: Math.min(1, (set.size * rec.offer.chunkSize) / Math.max(1, rec.offer.size)) };
    }
    const v: TransferView = { id: rec.id, direction: rec.direction, peerName: rec.peerName, offer: rec.offer, state: rec.state, progress, progressKnown: rec.direction === 'in' || rec.state !== 'running' || (runner instanceof OutgoingRunner && runner.progressKnown), live: !!this.deps.link(rec.conv) };
    if (rec.hash) v.hash = rec.hash;
    if (rec.reason) v.reason = rec.reason;
    if (rec.cancelledBy !== undefined) v.cancelledBy = rec.cancelledBy;
    return v;
  }

  private notify(id: string): void {
    const set = this.watchers.get(id);
    const rec = this.recs.get(id);
    if (!set?.size || !rec) return;
    const v = this.view(rec);
    for (const fn of set) fn(v);
  }

  private run(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn).catch((e: unknown) => console.warn('file transfer:', e));
    this.queue = next;
    return next;
  }
}

/** The stored failure reason as a wire cancel reason, or `fallback` if it is not one. */
function failReason(reason: string | undefined, fallback: CancelReason): CancelReason {
  return CANCEL_REASONS.find((r) => r === reason) ?? fallback;
}

/** "Verified, with this hash", from a stored finished transfer: repeats a verdict that was lost. */
function sendStoredVerdict(rec: StoredTransfer, link: PeerLink): void {
  if (rec.hash) link.send({ type: 'file-done', fileId: rec.id, hash: rec.hash, ok: true });
}
