/**
 * Chat messages between this device and a contact's. A message is stored before it is shown as
 * sent; everything outgoing stays in the outbox until the peer's device acknowledges it; received
 * messages are stored by id (so re-sends never show twice) and acknowledged only once stored.
 * Per conversation, sends and flushes run one after another, so messages leave in order.
 */
import { newMessageId, usernameKey, LIMITS, type PeerMsg } from '../../../shared/index';
import { PeerchatError, type AppErrorCode } from '../../../shared/errors';
import type { PeerLink } from '../net/peer-link';
import type { ChatDb, StoredMessage } from '../db/schema';
import * as history from '../db/history';
import { ackApplies } from '../../../shared/record-ids';
import type { ReplyRef } from '../../../shared/messaging/index';

export interface MessageOutboxDeps {
  /** The open history database (null while logged out). */
  db(): ChatDb | null;
  /** The history database once open. */
  readyDb(): Promise<ChatDb | null>;
  /** My display name, or null if not logged in. */
  me(): string | null;
  /** The ids of the contact's devices from its newest list ([] if none is known, or for "Your devices"). */
  contactDevices(conv: string): Promise<string[]>;
  /** Sends a frame over the contact's secure session; false if there is none. */
  send(conv: string, msg: PeerMsg): boolean;
  isReady(conv: string): boolean;
  isOnline(conv: string): boolean;
  dial(peerName: string): void;
  /** The conversation is open and visible (a received message is read at once). */
  isActive(conv: string): boolean;
  emitMessage(m: StoredMessage): void;
  /** Draws a received message before it is stored (no copies to my other devices from this). */
  showMessage(m: StoredMessage): void;
  /** A message drawn by showMessage is now stored (its copies go to my other devices). */
  storedShown(m: StoredMessage): void;
  refreshConversations(): void;
  /** A failure the person must know about. */
  failed(code: AppErrorCode): void;
}

export class MessageOutbox {
  /** Per conversation, the last queued send or flush; absent when nothing is queued. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Writes of messages that left before they were stored (a receipt for one waits for it). */
  private readonly saving = new Map<string, Promise<void>>();
  /** The last message whose write failed: sent again with the same text, it keeps its id. */
  private unsaved: { conv: string; text: string; id: string } | null = null;

  constructor(private readonly deps: MessageOutboxDeps) {}

  /**
   * Writes a message to history and the outbox and sends it if the peer is connected. Rejects
   * with a PeerchatError (the text stays with the person).
   *
   * The fast path: with a link ready and nothing queued before it, the frame leaves at once,
   * while the write runs, so a message does not wait for the database to reach the contact. It
   * is SHOWN (as sent) only once stored; a receipt that comes back before the write finished
   * waits for it; until the contact's device acknowledges it, the outbox entry written with it
   * sends it again on the next connection. If the write fails, the person sees the error and the
   * text stays in the box; sending the same text again reuses the message id, so the contact,
   * who may already have it, never shows it twice.
   */
  async send(peerName: string, text: string, reply?: ReplyRef): Promise<void> {
    const db = this.deps.db();
    const me = this.deps.me();
    if (!db || !me) throw new PeerchatError('NOT_LOGGED_IN');
    if (!text.trim()) return;
    if (text.length > LIMITS.maxChatChars) throw new PeerchatError('MESSAGE_TOO_LONG', { max: LIMITS.maxChatChars });
    const conv = usernameKey(peerName);
    const retry = this.unsaved?.conv === conv && this.unsaved.text === text ? this.unsaved.id : null;
    const msg: StoredMessage = { id: retry ?? newMessageId(), conv, from: me, outgoing: true, text, ts: Date.now(), state: 'waiting', ...(reply ? { reply } : {}) };
    // One copy owed to each device of the contact, until that device acknowledges it.
    const devices = await this.deps.contactDevices(conv);
    const early = this.deps.isReady(conv) && !this.chains.has(conv) && this.transmitOne(conv, msg);
    if (early) msg.state = 'sent';
    const saving = history.saveOutgoing(db, msg, peerName, devices);
    this.saving.set(msg.id, saving.catch(() => undefined));
    try {
      await saving;
      if (retry) this.unsaved = null;
    } catch (err) {
      this.unsaved = { conv, text, id: msg.id };
      if (err instanceof PeerchatError) throw err;
      throw new PeerchatError('MESSAGE_SAVE_FAILED', {}, { cause: err });
    } finally {
      this.saving.delete(msg.id);
    }
    this.deps.emitMessage(msg);
    this.deps.refreshConversations();
    if (early) return;
    if (this.deps.isReady(conv)) await this.chain(conv, () => this.transmit(conv, [msg]));
    else if (this.deps.isOnline(conv)) this.deps.dial(peerName);
  }

  /** A link to one of the contact's devices is up: send it everything still waiting for it. */
  flush(conv: string, link: PeerLink): void {
    void this.chain(conv, async () => {
      // A message that left by the fast path while this link was not up yet is owed to it too:
      // wait for its write, so the read below finds it.
      await Promise.all(this.saving.values());
      const db = await this.deps.readyDb();
      if (db) await this.transmit(conv, await history.pendingForDevice(db, conv, link.peerDeviceId), link);
    });
  }

  /** A chat or ack frame from the contact. */
  async receive(conv: string, msg: Extract<PeerMsg, { type: 'chat' | 'ack' }>, link: PeerLink): Promise<void> {
    // The open database without waiting a turn (it is open whenever a link is up).
    const db = this.deps.db() ?? (await this.deps.readyDb());
    if (!db) return;
    if (msg.type === 'chat') {
      // Never trust a clock from far in the future: it would pin the message to the bottom.
      const ts = Math.min(msg.ts, Date.now() + 60_000);
      const stored: StoredMessage = { id: msg.id, conv, from: link.peerName, outgoing: false, text: msg.text, ts, state: 'received', ...(msg.reply ? { reply: msg.reply } : {}) };
      // Shown at once, while it is being stored: the receipt waits for the write, so a message
      // that could not be stored is never acknowledged and the sender sends it again.
      this.deps.showMessage(stored);
      try {
        const saved = await history.saveIncoming(db, stored, !this.deps.isActive(conv));
        // Acknowledge even duplicates: the sender may have missed our first receipt.
        link.send({ type: 'ack', id: msg.id });
        if (saved) {
          // Already drawn with the same content: only my other devices still need it.
          this.deps.storedShown(saved);
          if (saved.recalledAt !== undefined) this.deps.emitMessage(saved); // recalled before it came
          this.deps.refreshConversations();
        }
      } catch (err) {
        // Not stored, so not acknowledged: the sender keeps it in its outbox and re-sends.
        console.warn('Peerchat: a received message could not be stored', err);
        this.deps.failed('MESSAGE_NOT_SAVED');
      }
    } else {
      // A receipt can overtake the write of a message that left before it was stored.
      await this.saving.get(msg.id);
      // The conversation is checked before anything changes: a receipt from one contact never
      // marks another conversation's message delivered (nor takes it out of the outbox).
      const stored = await db.get('messages', msg.id);
      // Another device of the contact acknowledging a delivered message names that device too.
      const anotherDevice = stored?.conv === conv && stored.outgoing && stored.state === 'delivered';
      if (!ackApplies(conv, stored) && !anotherDevice) {
        // A repeated receipt for a delivered message is normal; one for another contact's is not.
        if (stored && stored.conv !== conv) console.warn('Peerchat: ignored a receipt for a message not sent to this contact');
        return;
      }
      const updated = await history.markDelivered(db, msg.id, link.peerDeviceId);
      if (updated) this.deps.emitMessage(updated);
    }
  }

  /** Logged out: nothing queued is kept (the outbox itself is in the database). */
  clear(): void {
    this.chains.clear();
    this.saving.clear();
    this.unsaved = null;
  }

  /** Sends over `link` (everything given), or over every ready link of the contact (what is not delivered). */
  private async transmit(conv: string, msgs: StoredMessage[], link?: PeerLink): Promise<void> {
    const db = this.deps.db();
    if (!db) return;
    for (const m of msgs) {
      if (m.state === 'delivered' && !link) continue;
      if (!this.transmitOne(conv, m, link)) return;
      if (m.state === 'waiting') {
        const updated = await history.setMessageState(db, m.id, 'sent');
        if (updated) this.deps.emitMessage(updated);
      }
    }
  }

  /** Puts one message on `link`, or on every ready link of the conversation; false if none took it. */
  private transmitOne(conv: string, m: StoredMessage, link?: PeerLink): boolean {
    // "Your devices": my other devices store it as mine (a copy), not as a message from a contact.
    const own = conv === usernameKey(m.from) && m.outgoing;
    const frame: PeerMsg = own
      ? { type: 'sync-msg', conv, msg: { id: m.id, from: m.from, outgoing: true, text: m.text, ts: m.ts, ...(m.reply ? { reply: m.reply } : {}) }, state: 'sent' }
      : { type: 'chat', id: m.id, text: m.text, ts: m.ts, ...(m.reply ? { reply: m.reply } : {}) };
    return link ? link.send(frame) : this.deps.send(conv, frame);
  }

  private chain(conv: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(conv) ?? Promise.resolve();
    // A failed step is logged and does not stop the next: the messages stay in the outbox and
    // leave with the next flush.
    const next = prev.then(fn, fn).catch((err: unknown) => console.warn('Peerchat: sending from the outbox failed; it is retried on the next connection', err));
    this.chains.set(conv, next);
    // Forgotten once it is the last one done, so "nothing queued" can be told (the fast path).
    void next.then(() => {
      if (this.chains.get(conv) === next) this.chains.delete(conv);
    });
    return next;
  }
}
