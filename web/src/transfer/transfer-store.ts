/**
 * IndexedDB side of file transfers: the `transfers` store, and the file message that
 * represents a transfer in the conversation ("File: name"), written together in one transaction.
 */
import type { ChatDb, StoredMessage, StoredTransfer } from '../db/schema';

/**
 * The text of a file message: what the conversation list shows as the preview. Words, not an
 * emoji, so it reads the same on systems without an emoji font.
 */
export function fileMessageText(name: string): string {
  return `File: ${name}`;
}

/**
 * Stores a new transfer and its message, and updates the conversation preview, atomically.
 * Returns false when the transfer already exists (a re-offer after a reconnect).
 */
export async function saveNewTransfer(db: ChatDb, rec: StoredTransfer, msg: StoredMessage, countUnread: boolean): Promise<boolean> {
  const tx = db.transaction(['messages', 'conversations', 'transfers'], 'readwrite');
  const transfers = tx.objectStore('transfers');
  if (await transfers.getKey(rec.id)) {
    await tx.done;
    return false;
  }
  const convs = tx.objectStore('conversations');
  const conv = (await convs.get(msg.conv)) ?? { conv: msg.conv, peerName: rec.peerName, lastText: '', lastTs: 0, unread: 0 };
  const newer = msg.ts >= conv.lastTs;
  await Promise.all([
    transfers.put(rec),
    tx.objectStore('messages').put(msg),
    convs.put({
      ...conv,
      peerName: rec.peerName,
      lastText: newer ? msg.text : conv.lastText,
      lastTs: Math.max(conv.lastTs, msg.ts),
      unread: conv.unread + (countUnread ? 1 : 0),
    }),
  ]);
  await tx.done;
  return true;
}

export function getTransfer(db: ChatDb, id: string): Promise<StoredTransfer | undefined> {
  return db.get('transfers', id);
}

/** Writes the changed fields of a transfer (read-modify-write in one transaction). */
export async function patchTransfer(db: ChatDb, id: string, patch: Partial<StoredTransfer>): Promise<StoredTransfer | null> {
  const tx = db.transaction('transfers', 'readwrite');
  const rec = await tx.store.get(id);
  if (!rec) {
    await tx.done;
    return null;
  }
  const next: StoredTransfer = { ...rec, ...patch };
  for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete next[k];
  await tx.store.put(next);
  await tx.done;
  return next;
}

/** Transfers with this contact that are not finished, or owe the contact a cancel/decline. */
export async function openTransfers(db: ChatDb, conv: string): Promise<StoredTransfer[]> {
  const all = await db.getAllFromIndex('transfers', 'by-conv', conv);
  return all.filter((t) => t.state === 'offered' || t.state === 'running' || t.notifyPeer);
}
