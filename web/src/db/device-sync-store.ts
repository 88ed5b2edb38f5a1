/**
 * What catch-up and mirroring between own devices read and write: copies of messages stored by
 * id (a repeat changes nothing; a later state of an outgoing copy moves it forward), records
 * after a number, and per own peer device the highest of its numbers stored here.
 */
import type { SyncRecord } from '../../../shared/peer-protocol';
import type { ChatDb, MessageState, StoredMessage, StoredTransfer } from './schema';
import { nextSeq } from './record-seq';
import { remoteCopyOf, syncedFileOf } from './remote-copy';
import { admitIncoming } from '../../../shared/messaging/index';
import { everydayCopyOf, mergeEverydayCopy } from '../everyday/action-merge';
import { refreshPreview, tombstoneKey } from '../everyday/action-store';
import { messageTokens } from '../search/message-tokens';

/** How far a state is along (`read`: delivered and read; a copy never moves a message back). */
const RANK: Record<SyncRecord['state'], number> = { waiting: 0, sent: 1, delivered: 2, read: 3, received: 4 };

/** Where a stored message is along, read marks included. */
function rankOf(m: StoredMessage): number {
  return m.readAt !== undefined && m.state === 'delivered' ? RANK.read : RANK[m.state];
}

/**
 * Stores a copy from another device of this account. New: stored (incoming counts as unread
 * unless `read`); known outgoing: its state moves forward only. Returns what changed, or null.
 * Copies never enter the outbox: the device that wrote a message delivers it.
 */
export async function storeCopy(db: ChatDb, rec: SyncRecord, read: boolean): Promise<StoredMessage | null> {
  const tx = db.transaction(['messages', 'conversations', 'transfers', 'recallTombstones'], 'readwrite');
  const messages = tx.objectStore('messages');
  const existing = await messages.get(rec.msg.id);
  if (rec.file) {
    // A file's copy never takes an id already used by a message or a transfer (shared/record-ids.ts).
    if (existing || (await tx.objectStore('transfers').get(rec.msg.id))) {
      await tx.done;
      return null;
    }
  }
  if (existing) {
    // Reply, edit, recall and reactions move forward only: an older copy never undoes a recall.
    const merged = existing.conv === rec.conv ? mergeEverydayCopy(existing, rec.msg) : null;
    const forward = existing.conv === rec.conv && existing.outgoing && rec.msg.outgoing && RANK[rec.state] > rankOf(existing) && rec.state !== 'received';
    if (!merged && !forward) {
      await tx.done;
      return null;
    }
    // A read copy: delivered (at least), and read from now on here too.
    const state: MessageState = !forward ? existing.state : rec.state === 'read' ? (existing.state === 'waiting' || existing.state === 'sent' ? 'delivered' : existing.state) : rec.state;
    const updated: StoredMessage = { ...(merged ?? existing), state, ...(forward && rec.state === 'read' ? { readAt: existing.readAt ?? Date.now() } : {}), seq: await nextSeq(messages) };
    if (merged) updated.tokens = messageTokens(updated);
    await messages.put(updated);
    if (merged) await refreshPreview(tx, rec.conv);
    await tx.done;
    return updated;
  }
  const state: MessageState = rec.msg.outgoing ? (rec.state === 'received' ? 'sent' : rec.state === 'read' ? 'delivered' : rec.state) : 'received';
  const copy: StoredMessage = { ...rec.msg, ts: Math.min(rec.msg.ts, Date.now() + 60_000), conv: rec.conv, state };
  if (rec.msg.outgoing && rec.state === 'read') copy.readAt = Date.now();
  // A contact recalled it before this copy came: stored recalled (tombstones are the contact's, so
  // only incoming copies can match one).
  const msg = admitIncoming(copy, await tx.objectStore('recallTombstones').get(tombstoneKey(rec.conv, rec.msg.id)), '');
  if (rec.file) {
    msg.fileId = rec.msg.id;
    await tx.objectStore('transfers').put(remoteCopyOf(rec, rec.file, msg.ts));
  }
  await messages.put({ ...msg, seq: await nextSeq(messages) });
  const convs = tx.objectStore('conversations');
  const conv = (await convs.get(rec.conv)) ?? { conv: rec.conv, peerName: rec.msg.outgoing ? rec.conv : rec.msg.from, lastText: '', lastTs: 0, unread: 0 };
  const newer = msg.ts >= conv.lastTs;
  await convs.put({
    ...conv,
    ...(rec.msg.outgoing ? {} : { peerName: rec.msg.from }),
    lastText: newer ? preview(msg.text) : conv.lastText,
    lastTs: Math.max(conv.lastTs, msg.ts),
    unread: conv.unread + (!rec.msg.outgoing && !read ? 1 : 0),
  });
  await tx.done;
  return msg;
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine;
}

/**
 * The record of a stored message as it travels between own devices; null for what is not synced
 * (quiet lines; a file message without its finished transfer `transfer`: only a file that arrived
 * or was delivered travels, as its card's facts without the bytes).
 */
export function recordOf(m: StoredMessage, transfer?: StoredTransfer): SyncRecord | null {
  if (m.kind || (!m.text && m.recalledAt === undefined)) return null;
  const state = m.outgoing ? (m.state === 'received' ? 'sent' : m.readAt !== undefined && m.state !== 'waiting' ? 'read' : m.state) : 'received';
  const rec: SyncRecord = { conv: m.conv, msg: { id: m.id, from: m.from, outgoing: m.outgoing, text: m.text, ts: m.ts, ...everydayCopyOf(m) }, state };
  if (!m.fileId) return rec;
  const file = transfer && transfer.id === m.fileId && m.fileId === m.id ? syncedFileOf(transfer) : null;
  return file ? { ...rec, file } : null;
}

/** recordOf, reading the transfer of a file message from `db`. */
export async function readRecordOf(db: ChatDb, m: StoredMessage): Promise<SyncRecord | null> {
  return recordOf(m, m.fileId ? await db.get('transfers', m.fileId) : undefined);
}

/** Up to `limit` stored messages with a number above `after`, lowest first. */
export async function messagesAfter(db: ChatDb, after: number, limit: number): Promise<StoredMessage[]> {
  return db.getAllFromIndex('messages', 'by-seq', IDBKeyRange.lowerBound(after, true), limit);
}

/** How many stored messages have a number above `after`. */
export function countAfter(db: ChatDb, after: number): Promise<number> {
  return db.countFromIndex('messages', 'by-seq', IDBKeyRange.lowerBound(after, true));
}

/** The highest record number stored (0: none). */
export async function newestSeq(db: ChatDb): Promise<number> {
  const top = await db.transaction('messages').store.index('by-seq').openKeyCursor(null, 'prev');
  return top?.key ?? 0;
}

export async function getCursor(db: ChatDb, device: string): Promise<number | undefined> {
  return (await db.get('syncCursors', device))?.seq;
}

/** Moves the cursor for `device` forward (never back). */
export async function advanceCursor(db: ChatDb, device: string, seq: number): Promise<void> {
  const tx = db.transaction('syncCursors', 'readwrite');
  const cur = await tx.store.get(device);
  if (!cur || cur.seq < seq) await tx.store.put({ device, seq });
  await tx.done;
}
