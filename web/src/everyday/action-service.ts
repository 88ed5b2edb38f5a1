/**
 * Reactions, edit and recall ("delete for everyone") in two-person conversations, and delete for
 * me. This person's own actions are checked with the same pure rules as received ones
 * (shared/messaging), stored, mirrored to my other devices (a new record number) and sent to the
 * contact as sealed frames of the pairwise session. Received frames are applied with the actor
 * taken from the session they came on: the contact (the conversation's key), never anything in
 * the frame, so a contact can only react, edit or recall as itself, only in its own conversation.
 *
 * Offline: frames for a contact whose link is down wait here, in memory, and leave in order when
 * a link to the contact comes up. They do not survive a reload of this page (the change itself is
 * stored and mirrored; only the contact's copy would stay unchanged).
 */
import { applyEdit, applyReaction, applyRecall, canEditOwn, canRecallOwn, toggleReaction, type EditFrame, type ReactFrame, type ReactionEmoji, type RecallFrame, type RuleContext } from '../../../shared/messaging/index';
import { LIMITS, type PeerMsg } from '../../../shared/index';
import { PeerchatError } from '../../../shared/errors';
import type { ChatDb, StoredMessage } from '../db/schema';
import { deleteMessage, updateMessage, type ActionDecision, type ActionResult } from './action-store';

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
  store?: { update: typeof updateMessage; remove: typeof deleteMessage };
}

export type RemovedListener = (conv: string, id: string) => void;

export class ActionService {
  /** Frames waiting for a link to the contact, per conversation, in order. */
  private readonly waiting = new Map<string, ActionFrame[]>();
  private readonly removedListeners = new Set<RemovedListener>();

  private readonly store: { update: typeof updateMessage; remove: typeof deleteMessage };

  constructor(private readonly deps: ActionServiceDeps) {
    this.store = deps.store ?? { update: updateMessage, remove: deleteMessage };
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
  flush(conv: string): void {
    const queue = this.waiting.get(conv);
    if (!queue) return;
    while (queue.length > 0 && this.deps.send(conv, queue[0] as ActionFrame)) queue.shift();
    if (queue.length === 0) this.waiting.delete(conv);
  }

  /** Logged out: nothing waiting is kept. */
  clear(): void {
    this.waiting.clear();
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
    if (m.conv !== me) this.transmit(m.conv, frame);
    return frame;
  }

  private changed(records: StoredMessage[]): void {
    for (const r of records) {
      this.deps.emitMessage(r);
      this.deps.mirror(r);
    }
    if (records.length > 0) this.deps.refreshConversations();
  }

  private transmit(conv: string, frame: ActionFrame): void {
    const queue = this.waiting.get(conv);
    if (!queue && this.deps.send(conv, frame)) return;
    if (queue) queue.push(frame);
    else this.waiting.set(conv, [frame]);
  }
}
