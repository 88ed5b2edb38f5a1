/**
 * File and image transfers, free of UI. What happens to a transfer is decided by the pure
 * lifecycle in shared/transfer/lifecycle.ts; this service only runs its effects: the records in
 * IndexedDB (`transfers`), the data channel, the per-file runners (outgoing-runner.ts,
 * incoming-runner.ts: sending, receiving, the file on disk) and the file cards' views.
 * ChatService forwards to it: file control frames, chunk frames, and the link's ready/closed events.
 *
 * Control frames and the person's actions are handled one at a time (a promise queue), so an
 * offer, its accept and a cancel never race each other; chunk frames skip the queue (hot path,
 * synchronous) and never step the lifecycle.
 */
import { ready } from '../../../shared/crypto/index';
import { PeerchatError } from '../../../shared/errors';
import { usernameKey } from '../../../shared/index';
import {
  HELD_IMAGE_REASON,
  ImageBudget,
  WithdrawnOffers,
  OutgoingTransfer,
  TRANSFER_LIMITS,
  decodeChunkBody,
  fileIdFromBytes,
  sameFileId,
  step,
  type FileControl,
  type Lifecycle,
  type PeerLoad,
  type TransferEvent,
} from '../../../shared/transfer/index';
import type { ChatDb, StoredMessage, StoredTransfer } from '../db/schema';
import type { OfferIdVerdict } from '../../../shared/record-ids';
import type { PeerLink } from '../net/peer-link';
import { openFileOf } from '../files/opfs-sink';
import type { IncomingRunner } from './incoming-runner';
import type { OutgoingRunner } from './outgoing-runner';
import { isInlineImageFile, makeThumbnail } from './thumbnail';
import { withoutLocation } from './photo-location';
import { fileMessageText, getTransfer, openTransfers, pendingOffers, saveNewTransfer } from './transfer-store';
import { createTransferDebug, installTransferDebug, type TransferDebug } from './transfer-debug';
import { TEST_HOOKS } from '../test-hooks';
import { TransferEffects, type EffectHost } from './transfer-effects';
import { transferView, type TransferView } from './transfer-view';
import type { GroupTransfers } from './group-transfers';

export type { TransferView } from './transfer-view';

export interface TransferDeps {
  db(): Promise<ChatDb | null>;
  me(): string | null;
  /** A ready link to the contact's `device` (absent: to any of its devices), if any. */
  link(conv: string, device?: string): PeerLink | undefined;
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
  dial(peerName: string): void;
  isActive(conv: string): boolean;
}

type Watcher = (v: TransferView) => void;

export class TransferService implements EffectHost {
  readonly recs = new Map<string, StoredTransfer>();
  readonly outgoing = new Map<string, OutgoingRunner>();
  readonly incoming = new Map<string, IncomingRunner>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private queue: Promise<void> = Promise.resolve();
  lastIn: IncomingRunner | null = null;
  readonly debug: TransferDebug = createTransferDebug();
  private readonly effects: TransferEffects;
  /** Bytes of auto-accepted images per contact in the last hour (in memory: see ImageBudget). */
  private readonly imageBudget = new ImageBudget();
  /** Offers each contact withdrew while they waited, in the last hour (in memory: see WithdrawnOffers). */
  private readonly withdrawn = new WithdrawnOffers();
  /**
   * Per conversation, the one waiting offer whose card says that the contact's further offers
   * were declined (the pending-offer cap). In memory: the notice is about offers this page
   * declined; after a reload the cards of the waiting offers remain.
   */
  private readonly capNotices = new Map<string, string>();
  /** Files of group conversations (group-transfers.ts): their records are handled there. */
  groupFiles: GroupTransfers | null = null;

  constructor(readonly deps: TransferDeps) {
    if (TEST_HOOKS) installTransferDebug(this.debug);
    this.effects = new TransferEffects(this);
  }

  // --- actions ----------------------------------------------------------------------------------

  /**
   * Offers each file to the contact (stored first; sent now or once connected). A JPEG photo is
   * sent without its location unless `keepLocation`. Rejects with a PeerchatError:
   * NOT_LOGGED_IN, FILE_TOO_LARGE ({name}) or FILE_SEND_FAILED.
   */
  async sendFiles(peerName: string, files: readonly File[], options: { keepLocation?: boolean; device?: string } = {}): Promise<void> {
    const db = await this.deps.db();
    const me = this.deps.me();
    if (!db || !me) throw new PeerchatError('NOT_LOGGED_IN');
    await ready();
    const conv = usernameKey(peerName);
    for (const file of files) {
      if (file.size > TRANSFER_LIMITS.maxFileSize) throw new PeerchatError('FILE_TOO_LARGE', { name: file.name });
      try {
        await this.offerFile(db, me, conv, peerName, options.keepLocation ? file : await withoutLocation(file), options.device);
      } catch (e) {
        console.warn('file transfer: could not offer a file:', e instanceof Error ? e.name : typeof e);
        throw new PeerchatError('FILE_SEND_FAILED', {}, { cause: e });
      }
    }
    this.deps.refreshConversations();
    if (!this.deps.link(conv, options.device)) this.deps.dial(peerName);
  }

  accept(id: string): Promise<void> {
    return this.run(() => this.dispatch(id, { type: 'accept' }));
  }

  decline(id: string): Promise<void> {
    return this.run(() => this.dispatch(id, { type: 'decline' }));
  }

  cancel(id: string): Promise<void> {
    return this.run(() => this.dispatch(id, { type: 'cancel' }));
  }

  /** The file to show or save: ours (outgoing), or the verified one on disk (incoming). */
  async fileOf(id: string): Promise<File | null> {
    const rec = await this.load(id);
    if (!rec || rec.remoteCopy) return null; // A copy's bytes are on another device of the account.
    if (rec.direction === 'out') return rec.file ? new File([rec.file], rec.offer.name, { type: rec.offer.mime }) : null;
    if (rec.state !== 'done') return null;
    return openFileOf(id, { name: rec.offer.name, type: rec.offer.mime });
  }

  /** Calls `fn` with the transfer's view now and on every change. Returns the unsubscribe. */
  watch(id: string, fn: Watcher): () => void {
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(fn);
    void this.load(id).then(
      (rec) => {
        if (rec && set.has(fn)) fn(this.view(rec));
      },
      (e: unknown) => console.warn('file transfer: could not load a transfer:', e instanceof Error ? e.name : typeof e),
    );
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
        // A transfer with one device resumes only over that device's link.
        if (stored.device !== undefined && stored.device !== link.peerDeviceId) continue;
        if (!this.recs.has(stored.id)) this.recs.set(stored.id, stored);
        await this.dispatch(stored.id, { type: 'link-ready' });
      }
    });
  }

  /** The session ended: runners stop at once (not queued), and running cards show "paused". */
  linkClosed(conv: string): void {
    for (const rec of this.recs.values()) if (rec.conv === conv) void this.apply(rec, { type: 'link-closed' });
  }

  onControl(conv: string, msg: FileControl, link: PeerLink): void {
    void this.run(async () => {
      await ready();
      const rec = await this.load(msg.fileId);
      if (rec && this.groupFiles?.owns(rec)) return this.groupFiles.onControl(rec, msg, link);
      if (rec && rec.conv !== conv) {
        // Another contact's file: not theirs to touch. An offer under its id is refused.
        if (msg.type === 'file-offer') this.refuseTakenId(link, msg.fileId);
        return;
      }
      if (rec) return this.apply(rec, { type: 'frame', msg, from: link.peerName });
      const load = msg.type === 'file-offer' ? await this.peerLoad(conv) : null;
      const event: TransferEvent = { type: 'frame', msg, from: link.peerName, ...(load ? { load: load.load } : {}) };
      for (const effect of step(undefined, event).effects) {
        if (effect.type === 'send') link.send(effect.frame);
        else if (effect.type === 'offers-capped') this.showCapNotice(conv, load?.newest);
        if (effect.type !== 'create-incoming') continue;
        // The received-files folder is shared by every account on this browser: a file there
        // under this id belongs to a transfer of another account (or is a leftover the start-up
        // sweep removes). Never let an offer reopen, overwrite or delete it.
        const verdict = (await receivedFileExists(effect.offer.fileId)) ? 'taken' : await this.createIncoming(conv, link.peerName, effect.offer, effect.held ?? false, link.peerDeviceId);
        if (verdict === 'taken') this.refuseTakenId(link, msg.fileId);
        else if (verdict === 'new' && effect.autoAccept) {
          this.imageBudget.spend(conv, effect.offer.size, Date.now());
          await this.dispatch(msg.fileId, { type: 'accept' });
        }
      }
    });
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
    if (r.rec.conv !== conv && !this.groupFiles?.owns(r.rec)) return; // a group file: from any member serving it
    r.onChunk(view);
    this.debug.chunksReceived++;
  }

  // --- EffectHost --------------------------------------------------------------------------------

  /** Steps transfer `id` (if known) with `event` and runs the effects. */
  async dispatch(id: string, event: TransferEvent): Promise<void> {
    const rec = await this.load(id);
    if (rec) await this.apply(rec, event);
  }

  /** Steps the runner's event through the queue (a runner reports from outside it). */
  later(id: string, event: TransferEvent): void {
    void this.run(() => this.dispatch(id, event));
  }

  offerWithdrawn(conv: string): void {
    this.withdrawn.note(conv, Date.now());
  }

  notify(id: string): void {
    const set = this.watchers.get(id);
    const rec = this.recs.get(id);
    if (!set?.size || !rec) return;
    const v = this.view(rec);
    for (const fn of set) fn(v);
  }

  // --- internals --------------------------------------------------------------------------------

  /**
   * One step and its effects, in order. Events the effects report (a sink opened, a file
   * checked, a frame that could not be told) are stepped after the whole batch, so a later
   * effect of the batch never overwrites what they decided.
   */
  private async apply(rec: StoredTransfer, event: TransferEvent): Promise<void> {
    if (this.groupFiles?.owns(rec)) return this.groupFiles.onEvent(rec, event);
    const follow: TransferEvent[] = [event];
    for (let e = follow.shift(); e; e = follow.shift()) {
      const { effects } = step(this.lifecycleOf(rec), e);
      for (const effect of effects) await this.effects.run(rec, effect, (next) => follow.push(next));
    }
  }

  private lifecycleOf(rec: StoredTransfer): Lifecycle {
    const { direction, state, offer, hash, sentHash, reason, cancelledBy, notifyPeer } = rec;
    const runner = direction === 'out' ? this.outgoing.has(rec.id) : this.incoming.has(rec.id);
    return { direction, state, offer, hash, sentHash, reason, cancelledBy, notifyPeer, hasFile: !!rec.file, runner };
  }

  private async offerFile(db: ChatDb, me: string, conv: string, peerName: string, file: File, device?: string): Promise<void> {
    const image = isInlineImageFile(file);
    const thumb = image ? await makeThumbnail(file) : undefined;
    const probe = new OutgoingTransfer({ name: file.name, mime: file.type, size: file.size, isImage: image, ...(thumb ? { thumb } : {}) });
    const offer = probe.offer();
    probe.dispose();
    const rec: StoredTransfer = { id: offer.fileId, conv, peerName, ...(device ? { device } : {}), direction: 'out', offer, state: 'offered', file };
    const msg: StoredMessage = { id: offer.fileId, conv, from: me, outgoing: true, text: fileMessageText(offer.name), ts: offer.ts, state: 'sent', fileId: offer.fileId };
    try {
      await saveNewTransfer(db, rec, msg, false);
    } catch (e) {
      // A browser that cannot keep the File in IndexedDB: send anyway (no resume after our reload).
      console.warn('file transfer: the file cannot be kept for resume:', e instanceof Error ? e.name : typeof e);
      const { file: _dropped, ...rest } = rec;
      await saveNewTransfer(db, rest, msg, false);
    }
    this.recs.set(rec.id, rec);
    this.deps.emitMessage(msg);
    await this.run(async () => {
      if (this.deps.link(conv, device)) await this.apply(rec, { type: 'link-ready' });
    });
  }

  /**
   * An offer whose file id already names one of our messages or another contact's transfer:
   * nothing is stored or replaced; the contact is told it was declined.
   */
  private refuseTakenId(link: PeerLink, fileId: string): void {
    console.warn('file transfer: refused an offer whose file id is already in use on this device');
    link.send({ type: 'file-decline', fileId, reason: 'declined' });
  }

  /**
   * Stores an offer for a file we did not know (and its message). `known`: it existed after all;
   * `taken`: the id names another record (nothing stored); null: logged out.
   */
  private async createIncoming(
    conv: string,
    peerName: string,
    offer: Extract<FileControl, { type: 'file-offer' }>,
    held: boolean,
    device: string | null,
  ): Promise<OfferIdVerdict | null> {
    const db = await this.deps.db();
    if (!db) return null;
    const fresh: StoredTransfer = {
      id: offer.fileId,
      conv,
      peerName,
      ...(device ? { device } : {}),
      direction: 'in',
      offer,
      state: 'offered',
      ...(held ? { reason: HELD_IMAGE_REASON } : {}),
    };
    const ts = Math.min(offer.ts, Date.now() + 60_000);
    const msg: StoredMessage = { id: offer.fileId, conv, from: peerName, outgoing: false, text: fileMessageText(offer.name), ts, state: 'received', fileId: offer.fileId };
    const verdict = await saveNewTransfer(db, fresh, msg, !this.deps.isActive(conv));
    if (verdict !== 'new') return verdict;
    this.recs.set(fresh.id, fresh);
    this.deps.emitMessage(msg);
    this.deps.refreshConversations();
    return verdict;
  }

  /** What this contact already made this device keep, and its newest waiting offer (null: logged out). */
  private async peerLoad(conv: string): Promise<{ load: PeerLoad; newest: string | undefined } | null> {
    const db = await this.deps.db();
    if (!db) return null;
    // The records in this page are newer than the stored ones while an effect is being stored.
    const waiting = (await pendingOffers(db, conv)).filter((t) => (this.recs.get(t.id) ?? t).state === 'offered');
    const newest = waiting.reduce<StoredTransfer | undefined>((a, t) => (!a || t.offer.ts >= a.offer.ts ? t : a), undefined);
    const now = Date.now();
    return {
      load: { pendingOffers: waiting.length, autoImageBytes: this.imageBudget.used(conv, now), withdrawnOffers: this.withdrawn.count(conv, now) },
      newest: newest?.id,
    };
  }

  /** Moves the conversation's one "the rest were declined" notice to its newest waiting offer. */
  private showCapNotice(conv: string, id: string | undefined): void {
    console.warn('file transfer: declined an offer: the contact has the most offers waiting that this device keeps');
    const old = this.capNotices.get(conv);
    if (!id || old === id) return;
    this.capNotices.set(conv, id);
    if (old) this.notify(old);
    this.notify(id);
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
    const live = this.groupFiles?.owns(rec) ? this.groupFiles.live(rec) : !!this.deps.link(rec.conv, rec.device);
    return transferView(rec, runner, live, this.capNotices.get(rec.conv) === rec.id);
  }

  private run(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(fn).catch((e: unknown) => console.warn('file transfer:', e instanceof Error ? e.name : typeof e));
    this.queue = next;
    return next;
  }
}

/** Whether the received-files folder has a file under this id (an unreadable one counts as there). */
async function receivedFileExists(fileId: string): Promise<boolean> {
  try {
    return (await openFileOf(fileId)) !== null;
  } catch (e) {
    console.warn('file transfer: could not check the received-files folder; the offer is refused', e instanceof Error ? e.name : typeof e);
    return true;
  }
}
