/**
 * The history reads and writes of read receipts: the newest message the contact wrote in a
 * conversation (what a `read` frame names), and marking my messages read in one transaction.
 */
import type { ReadFrame } from '../../../shared/messaging/everyday-messages';
import type { ChatDb, StoredMessage } from '../db/schema';
import { nextSeq } from '../db/record-seq';
import type { HistoryMark } from './receipts-rules';

/**
 * How far back from a frame's `upTo` one receipt looks. A receipt normally covers the few
 * messages sent since the last one: the walk stops at the first of mine already read, and never
 * reads more than this many records, however long the conversation.
 */
export const READ_WALK_MAX = 500;

/** How many of the newest records are searched for the contact's newest message. */
const NEWEST_INCOMING_SCAN = 200;

/** The newest message the contact wrote in `conv` (quiet lines aside), or null. */
export async function newestIncoming(db: ChatDb, conv: string): Promise<HistoryMark | null> {
  const range = IDBKeyRange.bound([conv, -Infinity, ''], [conv, Infinity, '']);
  let cursor = await db.transaction('messages').store.index('by-conv-ts').openCursor(range, 'prev');
  for (let n = 0; cursor && n < NEWEST_INCOMING_SCAN; n++) {
    const m = cursor.value;
    if (!m.outgoing && !m.kind) return { id: m.id, ts: m.ts };
    cursor = await cursor.continue();
  }
  return null;
}

/**
 * Applies a `read` frame that arrived in `conv`: the records it names (by id, wherever they
 * are, and the conversation's history up to `upTo`) go to `decide`, which returns the ones to
 * write (web/src/everyday/receipts-rules.ts readUpdates: it refuses anything not this
 * conversation's or not mine). Returns what was written.
 */
export async function applyRead(db: ChatDb, conv: string, frame: ReadFrame, decide: (candidates: StoredMessage[]) => StoredMessage[]): Promise<StoredMessage[]> {
  const tx = db.transaction('messages', 'readwrite');
  const store = tx.objectStore('messages');
  const candidates = new Map<string, StoredMessage>();
  for (const id of frame.ids) {
    const m = await store.get(id);
    if (m) candidates.set(m.id, m);
  }
  if (frame.upTo) {
    const range = IDBKeyRange.bound([conv, -Infinity, ''], [conv, frame.upTo.ts, frame.upTo.id]);
    let cursor = await store.index('by-conv-ts').openCursor(range, 'prev');
    for (let n = 0; cursor && n < READ_WALK_MAX; n++) {
      const m = cursor.value;
      // Everything before a message already read was covered by the receipt that read it.
      if (m.outgoing && m.readAt !== undefined) break;
      candidates.set(m.id, m);
      cursor = await cursor.continue();
    }
  }
  const written: StoredMessage[] = [];
  for (const m of decide([...candidates.values()])) {
    const updated = { ...m, seq: await nextSeq(store) };
    await store.put(updated);
    written.push(updated);
  }
  await tx.done;
  return written;
}
