/**
 * Read receipts and "typing…" in two-person conversations, over the contact's end-to-end
 * session (the links chat frames use).
 *
 * Sending `read`: while the person views a conversation (it is open and the page visible: the
 * rule that keeps its messages from counting as unread), the newest message the contact wrote
 * there is reported once, in one `read` frame that covers everything before it
 * (readFrameFor). New messages arriving while it is viewed are batched for BATCH_MS; opening
 * the conversation, the page becoming visible, the session coming up and receipts being
 * switched on each report what is on screen. Only to an accepted contact: a waiting message
 * request never learns that it was read.
 *
 * Receiving `read`: my messages it covers gain `readAt` in the history (receipts-rules.ts says
 * which; receipts-store.ts writes them), are drawn again, and are mirrored to my other devices
 * like every change of a message.
 *
 * Off means off both ways (shared/messaging/receipts-typing.ts receiptPolicy): with read
 * receipts off this device sends no `read` and applies none, and the message list shows
 * Delivered; with typing off, typing-service.ts neither sends nor shows typing.
 */
import { usernameKey, type PeerMsg } from '../../../shared/index';
import type { ReadFrame, TypingFrame } from '../../../shared/messaging/everyday-messages';
import { readFrameFor, receiptPolicy, type ReceiptPolicy } from '../../../shared/messaging/receipts-typing';
import type { ChatDb, StoredMessage } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import type { ConversationsState, PeersState } from '../state/contexts';
import type { Store } from '../state/store';
import type { DeviceSettings } from '../settings/settings-model';
import { groupIdOf } from '../groups/groups-contract';
import { isAfter, readUpdates, type HistoryMark } from './receipts-rules';
import { applyRead, newestIncoming } from './receipts-store';
import { TypingService } from './typing-service';
import { TEST_HOOKS } from '../test-hooks';

/** What this device did, for the end-to-end tests (on `window.peerchatReceipts` in their build only). */
export interface ReceiptCounters {
  /** Times the newest message on screen was considered for a `read` frame (counted once decided). */
  flushes: number;
  /** `read` frames sent. */
  readSent: number;
  /** `typing` frames sent. */
  typingSent: number;
  /** Times a contact's "typing…" appeared. */
  typingShown: number;
}

export interface ReceiptsDeps {
  /** The history database once it is open. */
  readyDb(): Promise<ChatDb | null>;
  /** My account (username key), or null. */
  me(): string | null;
  /** An accepted contact (not a waiting request, not blocked). */
  isContact(conv: string): boolean;
  /** The conversation is open and the page visible. */
  isActive(conv: string): boolean;
  conversations: Store<ConversationsState>;
  /** The links per account (a `ready` one carries frames). */
  peers: Store<PeersState>;
  settings: Store<DeviceSettings>;
  /** Sends a frame to every ready device of the contact; false if none took it. */
  send(conv: string, msg: PeerMsg): boolean;
  /** Every message drawn or changed (received ones before they are stored). */
  onMessage(fn: (m: StoredMessage) => void): () => void;
  /** A stored message changed here: draw it again and copy it to my other devices. */
  changed(m: StoredMessage): void;
}

/** New messages arriving within this long of each other are reported in one `read` frame. */
const BATCH_MS = 300;

export class ReceiptsService {
  readonly typing: TypingService;
  readonly counters: ReceiptCounters = { flushes: 0, readSent: 0, typingSent: 0, typingShown: 0 };
  /** Per conversation, what the last `read` frame covered (until the session goes). */
  private readonly sentUpTo = new Map<string, HistoryMark>();
  /** Messages of the contact drawn while viewed, waiting for the batch (they may not be stored yet). */
  private readonly seen = new Map<string, HistoryMark[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Conversations with a ready link, as last seen in `peers`. */
  private readyConvs: ReadonlySet<string> = new Set();

  constructor(private readonly deps: ReceiptsDeps) {
    this.typing = new TypingService({ policy: (conv) => this.policy(conv), send: (conv, frame) => (this.counters.typingSent++, deps.send(conv, frame)) });
    let shownBefore = this.typing.shown.get();
    this.typing.shown.subscribe((shown) => {
      if ([...shown].some((conv) => !shownBefore.has(conv))) this.counters.typingShown++;
      shownBefore = shown;
    });
    if (TEST_HOOKS) (globalThis as { peerchatReceipts?: ReceiptCounters }).peerchatReceipts = this.counters;
    deps.onMessage((m) => this.onShown(m));
    deps.conversations.subscribe(() => this.viewed());
    deps.peers.subscribe((p) => this.linksChanged(p.links));
    deps.settings.subscribe(() => {
      this.typing.settingsChanged();
      this.viewed();
    });
    globalThis.document?.addEventListener('visibilitychange', () => this.viewed());
  }

  /** What this device sends to and shows from `conv` now: only two-person conversations with a contact. */
  policy(conv: string): ReceiptPolicy {
    const s = this.deps.settings.get();
    const contact = conv !== this.deps.me() && groupIdOf(conv) === null && this.deps.isContact(conv);
    return receiptPolicy({ readReceipts: s.readReceipts, typing: s.typingIndicators }, contact);
  }

  /** A `read` or `typing` frame from the contact of `conv` (the session the frame came on). */
  async onFrame(conv: string, msg: ReadFrame | TypingFrame, link: PeerLink): Promise<void> {
    if (msg.type === 'typing') return this.typing.onFrame(conv, msg);
    const policy = this.policy(conv);
    if (!policy.showRead) return;
    const [me, db] = [this.deps.me(), await this.deps.readyDb()];
    if (!me || !db) return;
    // Who read is whoever is on the other end of the session: never a name from the frame.
    const ctx = { self: me, actor: usernameKey(link.peerName), conv, now: Date.now() };
    try {
      const written = await applyRead(db, conv, msg, (candidates) => readUpdates(candidates, msg, ctx, policy));
      for (const m of written) this.deps.changed(m);
    } catch (err) {
      console.warn('Peerchat: a read receipt could not be stored', err);
    }
  }

  /** Logged out: nothing pending is kept. */
  reset(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.sentUpTo.clear();
    this.seen.clear();
    this.readyConvs = new Set();
    this.typing.reset();
  }

  private onShown(m: StoredMessage): void {
    if (m.outgoing || m.kind) return;
    // Their message is here: they are no longer "typing…" it.
    this.typing.contactDone(m.conv);
    if (!this.deps.isActive(m.conv)) return;
    this.seen.set(m.conv, [...(this.seen.get(m.conv) ?? []), { id: m.id, ts: m.ts }]);
    this.schedule(m.conv);
  }

  /** The open conversation, the page's visibility or the settings changed. */
  private viewed(): void {
    const conv = this.deps.conversations.get().active;
    if (conv && this.deps.isActive(conv)) this.schedule(conv);
  }

  private linksChanged(links: ReadonlyMap<string, string>): void {
    const ready = new Set([...links].filter(([, state]) => state === 'ready').map(([conv]) => conv));
    for (const conv of this.readyConvs) {
      if (ready.has(conv)) continue;
      // A new session may reach a device that missed the last frame: report again.
      this.sentUpTo.delete(conv);
      this.typing.linkGone(conv);
    }
    const fresh = [...ready].filter((conv) => !this.readyConvs.has(conv));
    this.readyConvs = ready;
    for (const conv of fresh) if (this.deps.isActive(conv)) this.schedule(conv);
  }

  private schedule(conv: string): void {
    if (this.timers.has(conv)) return;
    const timer = setTimeout(() => {
      this.timers.delete(conv);
      this.flush(conv)
        .catch((err: unknown) => console.warn('Peerchat: could not send a read receipt', err))
        .finally(() => this.counters.flushes++);
    }, BATCH_MS);
    this.timers.set(conv, timer);
  }

  /** Reports the newest message of the contact on screen in `conv`, if not reported yet. */
  private async flush(conv: string): Promise<void> {
    const seen = this.seen.get(conv) ?? [];
    this.seen.delete(conv);
    const policy = this.policy(conv);
    if (!policy.sendRead || !this.deps.isActive(conv) || !this.readyConvs.has(conv)) return;
    const db = await this.deps.readyDb();
    if (!db) return;
    const newest = await newestIncoming(db, conv);
    const frame = readFrameFor([...seen, ...(newest ? [newest] : [])].map((m) => ({ ...m, outgoing: false })), policy);
    if (!frame?.upTo || !isAfter(frame.upTo, this.sentUpTo.get(conv))) return;
    if (!this.deps.send(conv, frame)) return;
    this.sentUpTo.set(conv, frame.upTo);
    this.counters.readSent++;
  }
}
