/**
 * Files and images in group conversations, on the 1:1 transfer machinery.
 *
 * A group file is ONE record in `transfers` (conversation = the group's), shown by the ordinary
 * file card: the author's record is `out` and done once the message is written; each member's is
 * `in`, offered until that member accepts on their device (inline images are accepted at once).
 * The chunks are sealed with the file's own key (shared/groups/group-file.ts), so every member
 * receives the same sealed chunks, and any device holding the whole verified file serves it: the
 * author, or a member whose copy verified (when the author is offline).
 *
 * Per pair the frames are the 1:1 ones, without the offer (the signed group message is the
 * offer): the receiver sends file-accept (what it has) to one serving device; that device pumps
 * the rest (OutgoingRunner) and sends file-done; the receiver asks for what is missing
 * (file-need), checks the whole-file hash against the SIGNED one, and answers file-done. A device
 * that cannot serve answers file-cancel 'source-lost', and the receiver asks the next one.
 *
 * TransferService hands this class the records it owns (conversations of groups): the person's
 * actions and link events (`onEvent`, in the transfer queue) and control frames (`onControl`).
 */
import { usernameKey, type PeerMsg } from '../../../shared/index';
import { ready } from '../../../shared/crypto/index';
import { decodeGroupFileKey, groupChunkCipher } from '../../../shared/groups/group-file';
import type { GroupFileRef } from '../../../shared/groups/group-message';
import { ChunkSet, HELD_IMAGE_REASON, ImageBudget, imageFits, isInlineImage, isValidPlan, type FileControl, type FileOffer, type TransferEvent } from '../../../shared/transfer/index';
import type { ChatDb, StoredTransfer } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { openFileOf } from '../files/opfs-sink';
import { IncomingRunner } from './incoming-runner';
import { OutgoingRunner } from './outgoing-runner';
import { patchTransfer } from './transfer-store';
import type { TransferDebug } from './transfer-debug';

/** A group file as its signed message states it. */
export interface GroupFileInfo {
  group: string;
  /** The group message's author (usernameKey). */
  author: string;
  ts: number;
  ref: GroupFileRef;
}

/** What the group side answers about a file's group. */
export interface GroupFileSource {
  /** The group message of a file held here (null: none). */
  infoOf(fileId: string): GroupFileInfo | null;
  /** Accounts that may be served this file (its message's recipients and its author). */
  entitled(info: GroupFileInfo): string[];
  /** Ready links to an account's devices. */
  readyLinks(account: string): PeerLink[];
  /** Dials the account's devices (a member to fetch from is offline). */
  want(account: string): void;
  me(): string | null;
}

/** What this needs of TransferService (the records, runners and cards). */
export interface GroupTransferHost {
  readonly recs: Map<string, StoredTransfer>;
  readonly incoming: Map<string, IncomingRunner>;
  readonly deps: { db(): Promise<ChatDb | null> };
  readonly debug: TransferDebug;
  notify(id: string): void;
  /** Steps an event through the transfer queue. */
  later(id: string, event: TransferEvent): void;
  dispatch(id: string, event: TransferEvent): Promise<void>;
}

/** The 1:1 offer fields of a group file's card (the hash is the signed one). */
export function groupFileOffer(ref: GroupFileRef, ts: number): FileOffer {
  const { key: _key, ...card } = ref;
  return { type: 'file-offer', ...card, ts };
}

export class GroupTransfers {
  /** Devices serving a file to another member: per file id and link key. */
  private readonly serving = new Map<string, OutgoingRunner>();
  /** Bytes of auto-accepted images per author in the last hour (in memory, as for 1:1). */
  private readonly imageBudget = new ImageBudget();
  /** Links that said they cannot serve a file (asked again only after a new connection). */
  private readonly refused = new Map<string, Set<string>>();

  constructor(
    private readonly host: GroupTransferHost,
    private readonly source: GroupFileSource,
    /** Whether a conversation is a group's. */
    private readonly isGroupConv: (conv: string) => boolean,
  ) {}

  owns(rec: StoredTransfer): boolean {
    return this.isGroupConv(rec.conv);
  }

  /** Whether a running download has a device serving it right now. */
  live(rec: StoredTransfer): boolean {
    return rec.direction === 'out' || this.host.incoming.get(rec.id)?.servedBy?.state === 'ready';
  }

  /** My own new group file: its record (the File kept to serve it), stored before its message. */
  async addOutgoing(db: ChatDb, conv: string, me: string, ref: GroupFileRef, ts: number, file: Blob): Promise<void> {
    const rec: StoredTransfer = { id: ref.fileId, conv, peerName: me, direction: 'out', offer: groupFileOffer(ref, ts), state: 'done', ...(ref.hash ? { hash: ref.hash, sentHash: ref.hash } : {}) };
    await db.put('transfers', rec);
    rec.file = file;
    // The File is kept beside the record (as for 1:1), so it is served after a reload too.
    await patchTransfer(db, rec.id, { file }).catch((e: unknown) => console.warn('group file: the file cannot be kept for serving after a reload:', e instanceof Error ? e.name : typeof e));
    this.host.recs.set(rec.id, rec);
  }

  /**
   * A member's group file arrived (before its line is stored): its record, offered. False if it
   * cannot be taken here (no key, a bad plan, its id naming another record or file).
   */
  async addIncoming(db: ChatDb, conv: string, info: GroupFileInfo): Promise<boolean> {
    const { ref } = info;
    if (!decodeGroupFileKey(ref.key) || !ref.hash || !isValidPlan(ref.size, ref.chunkSize, ref.chunkCount)) {
      console.warn('group file: a file message without a usable key, hash or plan was not offered');
      return false;
    }
    const known = this.host.recs.get(ref.fileId) ?? (await db.get('transfers', ref.fileId));
    if (known) return known.conv === conv;
    if (await openFileOf(ref.fileId).then((f) => f !== null, () => true)) {
      console.warn('group file: refused a file whose id is already in use on this device');
      return false;
    }
    const rec: StoredTransfer = { id: ref.fileId, conv, peerName: info.author, direction: 'in', offer: groupFileOffer(ref, info.ts), state: 'offered' };
    await db.put('transfers', rec);
    this.host.recs.set(rec.id, rec);
    return true;
  }

  /**
   * Whether a new incoming file is accepted without asking: an inline image, as in 1:1, within
   * its author's image budget (past it, the card waits for Accept and says why).
   */
  async autoAccept(fileId: string): Promise<boolean> {
    const rec = this.host.recs.get(fileId);
    if (!rec || rec.direction !== 'in' || rec.state !== 'offered' || !isInlineImage(rec.offer)) return false;
    const now = Date.now();
    if (!imageFits({ pendingOffers: 0, autoImageBytes: this.imageBudget.used(rec.peerName, now) }, rec.offer.size)) {
      console.warn('group file: an image waits for Accept: its author used up the image budget');
      await this.patch(rec, { reason: HELD_IMAGE_REASON });
      return false;
    }
    this.imageBudget.spend(rec.peerName, rec.offer.size, now);
    return true;
  }

  /**
   * A member device is connected: downloads waiting for a device to serve them ask again, every
   * device in turn (one that could not serve before may hold the file verified by now).
   */
  linkReady(_link: PeerLink): void {
    this.refused.clear();
    for (const rec of this.host.recs.values()) {
      if (!this.owns(rec) || rec.direction !== 'in' || rec.state !== 'running') continue;
      if (this.live(rec)) continue;
      this.host.later(rec.id, { type: 'link-ready' });
    }
  }

  /** The person's action or a link event for a group file (run in the transfer queue). */
  async onEvent(rec: StoredTransfer, event: TransferEvent): Promise<void> {
    if (rec.direction !== 'in') return;
    switch (event.type) {
      case 'accept':
        if (rec.state !== 'offered') return;
        await this.patch(rec, { state: 'running', reason: undefined });
        await this.fetch(rec);
        return;
      case 'decline':
        if (rec.state === 'offered') await this.patch(rec, { state: 'declined', reason: 'declined' });
        return;
      case 'cancel': {
        if (rec.state !== 'running' && rec.state !== 'offered') return;
        const r = this.host.incoming.get(rec.id);
        r?.servedBy?.send({ type: 'file-cancel', fileId: rec.id, reason: 'cancelled' });
        await this.drop(rec.id, r);
        await this.patch(rec, { state: 'cancelled', reason: 'cancelled', cancelledBy: '', verified: undefined });
        return;
      }
      case 'link-ready':
        if (rec.state === 'running' && !this.live(rec)) await this.fetch(rec);
        return;
      case 'snapshot':
        await this.patch(rec, { verified: event.verified }, false);
        this.host.debug.persisted[rec.id] = ChunkSet.fromBytes(rec.offer.chunkCount, event.verified)?.size ?? 0;
        return;
      case 'storage-failed':
        if (rec.state !== 'running') return;
        await this.drop(rec.id, this.host.incoming.get(rec.id));
        await this.patch(rec, { state: 'failed', reason: 'storage', verified: undefined });
        return;
      default:
        return;
    }
  }

  /** A control frame about a group file from a member device (run in the transfer queue). */
  async onControl(rec: StoredTransfer, msg: FileControl, link: PeerLink): Promise<void> {
    const key = `${rec.id}|${link.key}`;
    const runner = this.host.incoming.get(rec.id);
    const fromServer = !!runner && runner.servedBy === link;
    switch (msg.type) {
      case 'file-accept':
        return this.serve(rec, msg, link);
      case 'file-need':
        this.serving.get(key)?.onNeed(msg);
        return;
      case 'file-done':
        if (fromServer) return this.check(rec, runner, msg);
        // A member's verdict on what we served: that pair is finished.
        this.stopServing(key);
        return;
      case 'file-cancel':
        this.stopServing(key);
        if (fromServer) {
          // That device cannot serve it (or stopped): ask the next one.
          this.refusedBy(rec.id).add(link.key);
          runner.detach();
          await this.fetch(rec);
        }
        return;
      default:
        return;
    }
  }

  // --- receiving ----------------------------------------------------------------------------

  /** Opens (or reopens) the download and asks the first device able to serve it. */
  private async fetch(rec: StoredTransfer): Promise<void> {
    const info = this.source.infoOf(rec.id);
    const key = info ? decodeGroupFileKey(info.ref.key) : null;
    if (!info || !key) return;
    await ready();
    let runner = this.host.incoming.get(rec.id);
    if (!runner) {
      try {
        runner = await IncomingRunner.open(rec, {
          progress: () => this.host.notify(rec.id),
          persist: (verified) => this.host.dispatch(rec.id, { type: 'snapshot', verified }),
          storageFailed: () => this.host.later(rec.id, { type: 'storage-failed' }),
        });
      } catch (e) {
        console.warn('group file: could not open the file on disk:', e instanceof Error ? e.name : typeof e);
        await this.patch(rec, { state: 'failed', reason: 'storage' });
        return;
      }
      this.host.incoming.set(rec.id, runner);
      this.host.debug.resumedFrom[rec.id] = runner.resumedFrom;
    }
    const me = this.source.me();
    const refused = this.refusedBy(rec.id);
    const others = this.source.entitled(info).filter((a) => a !== info.author && a !== me);
    for (const account of [info.author, ...others]) {
      const link = this.source.readyLinks(account).find((l) => !refused.has(l.key));
      if (link) {
        runner.attachSealed(link, groupChunkCipher(key, info.group, rec.id));
        this.host.notify(rec.id);
        return;
      }
    }
    // Nobody who may hold it is connected: open links on demand (within the cap); the next
    // member link that comes up asks again.
    for (const account of [info.author, ...others]) this.source.want(account);
    this.host.notify(rec.id);
  }

  /** The serving device says it sent everything: ask for the rest, or check the file. */
  private async check(rec: StoredTransfer, runner: IncomingRunner, msg: Extract<FileControl, { type: 'file-done' }>): Promise<void> {
    const link = runner.servedBy;
    let verdict;
    try {
      verdict = await runner.onSenderDone(msg);
    } catch (e) {
      console.warn('group file: the received file could not be checked:', e instanceof Error ? e.name : typeof e);
      await this.drop(rec.id, runner);
      await this.patch(rec, { state: 'failed', reason: 'storage', verified: undefined });
      return;
    }
    if (!verdict) return;
    this.host.incoming.delete(rec.id);
    // The signed hash decides (IncomingTransfer compares with the offer's, which is the signed one).
    await this.patch(rec, verdict.ok ? { state: 'done', hash: verdict.hash, verified: undefined } : { state: 'failed', reason: 'corrupt', verified: undefined });
    link?.send(verdict);
  }

  private async drop(id: string, runner: IncomingRunner | undefined): Promise<void> {
    this.host.incoming.delete(id);
    await runner?.discard();
  }

  private refusedBy(fileId: string): Set<string> {
    let set = this.refused.get(fileId);
    if (!set) this.refused.set(fileId, (set = new Set()));
    return set;
  }

  // --- serving ------------------------------------------------------------------------------

  /** A member asks for a file: served when this device holds it whole and they may have it. */
  private async serve(rec: StoredTransfer, msg: Extract<FileControl, { type: 'file-accept' }>, link: PeerLink): Promise<void> {
    const info = this.source.infoOf(rec.id);
    const fileKey = info ? decodeGroupFileKey(info.ref.key) : null;
    const asker = usernameKey(link.peerName);
    const cannot = (): void => void link.send({ type: 'file-cancel', fileId: rec.id, reason: 'source-lost' } satisfies PeerMsg);
    if (!info || !fileKey || !this.source.entitled(info).includes(asker)) return cannot();
    const blob = rec.direction === 'out' ? rec.file : rec.state === 'done' ? await openFileOf(rec.id).catch(() => null) : null;
    if (!blob) return cannot();
    await ready();
    const key = `${rec.id}|${link.key}`;
    this.stopServing(key);
    const runner = new OutgoingRunner(rec, blob, {
      progress: () => undefined,
      sourceLost: () => {
        cannot();
        this.stopServing(key);
      },
      failed: () => this.stopServing(key),
      hashed: () => undefined,
    });
    if (info.ref.hash) runner.t.restoreHash(info.ref.hash);
    this.serving.set(key, runner);
    runner.attachSealed(link, groupChunkCipher(fileKey, info.group, rec.id));
    if (!runner.onAccept(msg)) this.stopServing(key);
  }

  private stopServing(key: string): void {
    this.serving.get(key)?.dispose();
    this.serving.delete(key);
  }

  /** Applies a patch to the record, stores it, and redraws its cards. */
  private async patch(rec: StoredTransfer, patch: Partial<StoredTransfer>, show = true): Promise<void> {
    Object.assign(rec, patch);
    for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete rec[k];
    const db = await this.host.deps.db();
    if (db) await patchTransfer(db, rec.id, patch).catch((e: unknown) => console.warn('group file: could not store a transfer:', e instanceof Error ? e.name : typeof e));
    if (show) this.host.notify(rec.id);
  }
}
