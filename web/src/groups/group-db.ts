/**
 * Groups on this device's history database: each group's signed change log, its signed messages
 * (the copies relayed to members who lack them), members' verified device lists, and the lines
 * the conversation shows (the `messages` store under the group's conversation key, so unread
 * counts, paging and catch-up between own devices work as for 1:1 conversations).
 */
import type { SignedGroupChange } from '../../../shared/groups/group-change';
import type { ChatDb, StoredConversation, StoredGroupMessage, StoredMemberDevices, StoredMessage } from '../db/schema';
import { nextSeq } from '../db/record-seq';

/** Every stored change, per group id (in the order they were stored). */
export async function loadGroupLogs(db: ChatDb): Promise<Map<string, SignedGroupChange[]>> {
  const out = new Map<string, SignedGroupChange[]>();
  for (const c of await db.getAll('groupChanges')) out.set(c.group, [...(out.get(c.group) ?? []), c.signed]);
  return out;
}

/** Stores changes the group's state kept (a change already stored is written again unchanged). */
export async function saveGroupChanges(db: ChatDb, group: string, changes: readonly { id: string; signed: SignedGroupChange }[]): Promise<void> {
  if (!changes.length) return;
  const tx = db.transaction('groupChanges', 'readwrite');
  await Promise.all([...changes.map((c) => tx.store.put({ key: `${group}/${c.id}`, group, signed: c.signed })), tx.done]);
}

/** The signed messages held for a group. */
export function loadGroupMessages(db: ChatDb, group: string): Promise<StoredGroupMessage[]> {
  return db.getAllFromIndex('groupMessages', 'by-group', group);
}

export function loadMemberDevices(db: ChatDb): Promise<StoredMemberDevices[]> {
  return db.getAll('groupDeviceLists');
}

export async function saveMemberDevices(db: ChatDb, rec: StoredMemberDevices): Promise<void> {
  await db.put('groupDeviceLists', rec);
}

/**
 * Stores a signed message and its conversation line in one transaction; null if it was held
 * already (ids are shared by every copy, so a relayed copy is never shown twice).
 * `countUnread`: a message from someone else while the conversation is not in view.
 */
export async function saveGroupMessage(db: ChatDb, signed: StoredGroupMessage, line: StoredMessage, groupName: string, countUnread: boolean): Promise<StoredMessage | null> {
  const tx = db.transaction(['groupMessages', 'messages', 'conversations'], 'readwrite');
  const held = tx.objectStore('groupMessages');
  const messages = tx.objectStore('messages');
  const convs = tx.objectStore('conversations');
  const [known, found, seq] = await Promise.all([held.getKey(signed.id), convs.get(line.conv), nextSeq(messages)]);
  if (known) {
    await tx.done;
    return null;
  }
  const conv: StoredConversation = found ?? { conv: line.conv, peerName: groupName, lastText: '', lastTs: 0, unread: 0, contact: 'contact' };
  const newer = line.ts >= conv.lastTs;
  const stored = { ...line, seq };
  await Promise.all([
    held.put(signed),
    messages.put(stored),
    convs.put({
      ...conv,
      peerName: groupName,
      lastText: newer ? line.text.slice(0, 200) : conv.lastText,
      lastTs: Math.max(conv.lastTs, line.ts),
      unread: conv.unread + (countUnread ? 1 : 0),
    }),
    tx.done,
  ]);
  return stored;
}

/** The group's conversation row exists with its current name (a new or renamed group). */
export async function touchGroupConversation(db: ChatDb, conv: string, groupName: string, ts: number): Promise<void> {
  const tx = db.transaction('conversations', 'readwrite');
  const found = await tx.store.get(conv);
  const row: StoredConversation = found ?? { conv, peerName: groupName, lastText: '', lastTs: ts, unread: 0, contact: 'contact' };
  await Promise.all([tx.store.put({ ...row, peerName: groupName }), tx.done]);
}

/**
 * Member accounts that stored an outgoing message join its `deliveredTo`; the message becomes
 * delivered with the first. Returns the updated line, or null if nothing changed.
 */
export async function markGroupDelivered(db: ChatDb, id: string, accounts: readonly string[]): Promise<StoredMessage | null> {
  const tx = db.transaction('messages', 'readwrite');
  const msg = await tx.store.get(id);
  const before = msg?.deliveredTo ?? [];
  const add = accounts.filter((a) => !before.includes(a));
  if (!msg || !msg.outgoing || !add.length) {
    await tx.done;
    return null;
  }
  const seq = await nextSeq(tx.store);
  const updated: StoredMessage = { ...msg, seq, state: 'delivered', deliveredTo: [...before, ...add].sort() };
  await Promise.all([tx.store.put(updated), tx.done]);
  return updated;
}

/** An outgoing message left on at least one link. */
export async function markGroupSent(db: ChatDb, id: string): Promise<StoredMessage | null> {
  const tx = db.transaction('messages', 'readwrite');
  const msg = await tx.store.get(id);
  if (!msg || msg.state !== 'waiting') {
    await tx.done;
    return null;
  }
  const updated: StoredMessage = { ...msg, state: 'sent' };
  await Promise.all([tx.store.put(updated), tx.done]);
  return updated;
}
