/**
 * Reactions, edit and recall ("delete for everyone") in two-person conversations, and delete for
 * me. This person's own actions are checked with the same pure rules as received ones
 * (shared/messaging), stored, mirrored to my other devices (a new record number) and sent to the
 * contact as sealed frames of the pairwise session. Received frames are applied with the actor
 * taken from the session they came on: the contact (the conversation's key), never anything in
 * the frame, so a contact can only react, edit or recall as itself, only in its own conversation.
 *
 * Offline: frames for a contact whose link is down wait in the database (`actionOutbox`), also
 * across reloads, and leave in order when a link to the contact comes up. Like chat frames on a
 * ready link, a frame handed to the channel counts as sent (there is no receipt for these).
 */
import { applyEdit, applyReaction, applyRecall, canEditOwn, canRecallOwn, toggleReaction, type EditFrame, type ReactFrame, type ReactionEmoji, type RecallFrame, type RuleContext } from '../../../shared/messaging/index';
import { LIMITS, type PeerMsg } from '../../../shared/index';
import { PeerchatError } from '../../../shared/errors';
import type { ChatDb, StoredMessage } from '../db/schema';
import { deleteMessage, dropQueuedAction, queueAction, queuedActions, updateMessage, type ActionDecision, type ActionResult } from './action-store';

/** The control frames this service sends and receives. */
export type ActionFrame = ReactFrame | EditFrame | RecallFrame;
export type { ReplyRef } from '../../../shared/messaging/index';

export function isActionFrame(msg: PeerMsg): msg is ActionFrame {
  return msg.type === 'react' || msg.type === 'edit' || msg.type === 'recall';
}

export interface ActionServiceDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My account (username key), or null when logged out. */
  me(): string | null;
  /** Sends a frame over the contact's secure session; false if there is none. */
  send(conv: string, frame: PeerMsg): boolean;
  /** A changed record to draw. */
  emitMessage(m: StoredMessage): void;
  /** A changed record to copy to my other devices. */
  mirror(m: StoredMessage): void;
  refreshConversations(): void;
  /** This device's clock (injected in tests). */
  now?(): number;
  /** The database writes (a fake in unit tests). */
  store?: ActionStore;
}

/** The database writes of the service. */
export interface ActionStore {
  update: typeof updateMessage;
  remove: typeof deleteMessage;
  queue: typeof queueAction;
  queued: typeof queuedActions;
  dequeue: typeof dropQueuedAction;
}

export type RemovedListener = (conv: string, id: string) => void;

export class ActionService {
  /** Per conversation, the last queued send or flush (frames leave in order). */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly removedListeners = new Set<RemovedListener>();

  private readonly store: ActionStore;

  constructor(private readonly deps: ActionServiceDeps) {
    this.store = deps.store ?? { update: updateMessage, remove: deleteMessage, queue: queueAction, queued: queuedActions, dequeue: dropQueuedAction };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Sets my reaction to `emoji`, or clears it when it is already mine. */
  async react(m: StoredMessage, emoji: ReactionEmoji): Promise<void> {
    await this.own(m, (stored, ctx) => {
      const frame = toggleReaction(stored ?? m, emoji, ctx.self, ctx.now);
      return { frame, decision: applyReaction(stored, frame, ctx) };
    });
  }

  /** Replaces the text of my own message; rejects with EDIT_NOT_ALLOWED past the window. */
  async edit(m: StoredMessage, text: string): Promise<void> {
    if (!text.trim()) return;
    if (text.length > LIMITS.maxChatChars) throw new PeerchatError('MESSAGE_TOO_LONG', { max: LIMITS.maxChatChars });
    const result = await this.own(m, (stored, ctx) => {
      if (!stored || !canEditOwn(stored, ctx.self, ctx.now)) return null;
      const frame: EditFrame = { type: 'edit', id: m.id, text, ts: Math.max(ctx.now, (stored.editedAt ?? 0) + 1) };
      return { frame, decision: applyEdit(stored, frame, ctx) };
    });
    if (!result) throw new PeerchatError('EDIT_NOT_ALLOWED');
  }

  /**
   * Deletes my own text message for everyone; rejects with RECALL_NOT_ALLOWED past the window.
   * File messages are not offered: their bytes may already be stored on the contact's devices,
   * and a transfer under way has its own cancel.
   */
  async recall(m: StoredMessage): Promise<void> {
    const result = await this.own(m, (stored, ctx) => {
      if (!stored || stored.fileId !== undefined || !canRecallOwn(stored, ctx.self, ctx.now)) return null;
      const frame: RecallFrame = { type: 'recall', id: m.id, ts: ctx.now };
      return { frame, decision: applyRecall(stored, frame, ctx) };
    });
    if (!result) throw new PeerchatError('RECALL_NOT_ALLOWED');
  }

  /**
   * Delete for me: the message leaves this device only (my other devices and the contact keep
   * it). A file message's transfer record and stored bytes stay as they are; only the message
   * that showed its card goes.
   */
  async deleteForMe(m: StoredMessage): Promise<void> {
    const db = await this.deps.readyDb();
    if (!db) throw new PeerchatError('NOT_LOGGED_IN');
    if (!(await this.store.remove(db, m.id, m.conv))) return;
    for (const fn of this.removedListeners) fn(m.conv, m.id);
    this.deps.refreshConversations();
  }

  /** Called with (conv, id) when a message was deleted for me. */
  onRemoved(fn: RemovedListener): () => void {
    this.removedListeners.add(fn);
    return () => this.removedListeners.delete(fn);
  }

  /**
   * A react, edit or recall frame from the contact of conversation `conv` (the session's
   * identity). Refusals change nothing and are logged without content.
   */
  async receive(conv: string, frame: ActionFrame): Promise<ActionResult | null> {
    const me = this.deps.me();
    const db = await this.deps.readyDb();
    if (!me || !db) return null;
    const ctx: RuleContext = { self: me, actor: conv, conv, now: this.now() };
    const result = await this.store.update(db, frame.id, (stored): ActionDecision => {
      switch (frame.type) {
        case 'react':
          return applyReaction(stored, frame, ctx);
        case 'edit':
          return applyEdit(stored, frame, ctx);
        case 'recall':
          return applyRecall(stored, frame, ctx);
      }
    });
    if (!result.ok) console.warn(`Peerchat: ignored a ${frame.type} from a contact (${result.reason})`);
    else this.changed(result.changed);
    return result;
  }

  /** A link to the contact is up: what waited for it leaves, in order. */
  flush(conv: string): Promise<void> {
    return this.chain(conv, async () => {
      const db = await this.deps.readyDb();
      if (!db) return;
      for (const q of await this.store.queued(db, conv)) {
        if (!this.deps.send(conv, q.frame)) return;
        await this.store.dequeue(db, q.id);
      }
    });
  }

  /** Logged out: nothing queued in memory is kept (waiting frames stay in the database). */
  clear(): void {
    this.chains.clear();
  }

  /**
   * One of my own actions: `decide` makes the frame and applies it with actor = me (null: not
   * allowed). Stored first, then drawn, mirrored and sent (or queued for the link).
   */
  private async own(
    m: StoredMessage,
    decide: (stored: StoredMessage | undefined, ctx: RuleContext) => { frame: ActionFrame; decision: ActionDecision } | null,
  ): Promise<ActionFrame | null> {
    const me = this.deps.me();
    const db = await this.deps.readyDb();
    if (!me || !db) throw new PeerchatError('NOT_LOGGED_IN');
    const ctx: RuleContext = { self: me, actor: me, conv: m.conv, now: this.now() };
    let frame: ActionFrame | null = null;
    const result = await this.store.update(db, m.id, (stored) => {
      const made = decide(stored, ctx);
      if (!made) return { ok: false, reason: 'too-late' };
      frame = made.frame;
      return made.decision;
    });
    if (!result.ok || !frame) return null;
    this.changed(result.changed);
    // "Your devices" has no contact: the mirrored record is the whole change.
    if (m.conv !== me) await this.transmit(db, m.conv, frame);
    return frame;
  }

  private changed(records: StoredMessage[]): void {
    for (const r of records) {
      this.deps.emitMessage(r);
      this.deps.mirror(r);
    }
    if (records.length > 0) this.deps.refreshConversations();
  }

  /** Sends at once when nothing waits before it; otherwise (or if the link is down) it waits. */
  private transmit(db: ChatDb, conv: string, frame: ActionFrame): Promise<void> {
    return this.chain(conv, async () => {
      if ((await this.store.queued(db, conv)).length === 0 && this.deps.send(conv, frame)) return;
      await this.store.queue(db, conv, frame);
    });
  }

  private chain(conv: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.chains.get(conv) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch((err: unknown) => console.warn('Peerchat: a reaction, edit or recall could not be sent; it is tried again on the next connection', err));
    this.chains.set(conv, next);
    void next.then(() => {
      if (this.chains.get(conv) === next) this.chains.delete(conv);
    });
    return next;
  }
}
