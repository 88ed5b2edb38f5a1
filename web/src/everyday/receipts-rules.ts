/**
 * Read receipts on the stored history, decided without I/O (unit-tested in Node): which of my
 * stored messages a contact's `read` frame marks, what an outgoing message's state reads, and
 * the order of read marks. The rules of shared/messaging/receipts-typing.ts decide what a frame
 * may cover; this adds what the history stores.
 *
 * A read message keeps its delivery state and gains `readAt` (web/src/db/schema.ts), so the
 * outbox, the receipts of each device and the copies between own devices keep working as they
 * did; "Read" is shown for it only while this device shows read receipts.
 */
import type { ReadFrame } from '../../../shared/messaging/everyday-messages';
import type { RuleContext } from '../../../shared/messaging/message-record';
import { isReadBy, type ReceiptPolicy } from '../../../shared/messaging/receipts-typing';
import type { MessageState, StoredMessage } from '../db/schema';

/** What an outgoing message's state line says: its delivery state, or `read`. */
export type ShownState = MessageState | 'read';

/** A point in a conversation's history order: time, ties by id (the history index's order). */
export interface HistoryMark {
  id: string;
  ts: number;
}

/** True when `a` comes after `b` in history order (`b` null: nothing yet). */
export function isAfter(a: HistoryMark, b: HistoryMark | null | undefined): boolean {
  return !b || a.ts > b.ts || (a.ts === b.ts && a.id > b.id);
}

/**
 * The stored messages `frame` marks read now, each returned with `readAt` = ctx.now: only my own
 * messages of the frame's conversation read by its contact (isReadBy), not yet read, and ones
 * that left this account (a message still waiting was never handed to the contact). Anything
 * else a frame names (another conversation's message, a message the contact wrote, a quiet
 * line) is left as it is.
 */
export function readUpdates(candidates: readonly StoredMessage[], frame: ReadFrame, ctx: RuleContext, policy: ReceiptPolicy): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const m of candidates) {
    if (m.readAt !== undefined || m.state === 'waiting' || m.kind || !isReadBy(m, frame, ctx, policy)) continue;
    out.push({ ...m, readAt: ctx.now });
  }
  return out;
}

/** The state an outgoing message shows: `read` once the contact read it, while `showRead`. */
export function shownState(m: StoredMessage, showRead: boolean): ShownState {
  return showRead && m.outgoing && m.readAt !== undefined && m.state !== 'waiting' ? 'read' : m.state;
}
