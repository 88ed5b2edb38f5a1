/**
 * The history database's part of message requests: the contact state of conversations, the
 * request messages, and this device's block list. Every write is one transaction.
 */
import type { BlockedAccount, ChatDb, StoredConversation, StoredMessage } from '../db/schema';
import * as history from '../db/history';

export interface ContactSnapshot {
  /** Conversations that are contacts (accepted, or we wrote first). */
  contacts: Set<string>;
  /** Conversations that are requests not accepted yet. */
  requests: Set<string>;
  /** Contacts known to treat us as a contact (a link came up once, or they wrote to us). */
  answering: Set<string>;
  blocked: Map<string, BlockedAccount>;
}

/** Reads the contact state of every conversation and the block list. */
export async function loadContactState(db: ChatDb): Promise<ContactSnapshot> {
  const [convs, blocked] = await Promise.all([db.getAll('conversations'), db.getAll('blocked')]);
  const snap: ContactSnapshot = { contacts: new Set(), requests: new Set(), answering: new Set(), blocked: new Map() };
  for (const c of convs) {
    if (c.contact === 'request') snap.requests.add(c.conv);
    else snap.contacts.add(c.conv);
    if (c.answering) snap.answering.add(c.conv);
  }
  for (const b of blocked) snap.blocked.set(b.conv, b);
  return snap;
}

/** Changes one conversation's contact fields (created if missing). */
export async function updateConversation(db: ChatDb, conv: string, peerName: string, change: Partial<Pick<StoredConversation, 'contact' | 'answering'>>): Promise<void> {
  const tx = db.transaction('conversations', 'readwrite');
  const current = (await tx.store.get(conv)) ?? { conv, peerName, lastText: '', lastTs: 0, unread: 0 };
  await tx.store.put({ ...current, ...change });
  await tx.done;
}

/**
 * Stores a request's message in a conversation marked as a request (unless it is a contact
 * already). Returns the stored message, or null when a message with this id exists (re-sent).
 */
export async function saveRequestMessage(db: ChatDb, msg: StoredMessage, asRequest: boolean, countUnread: boolean): Promise<StoredMessage | null> {
  // The conversation is marked first, so it is never seen as a contact's, even after a crash.
  await updateConversation(db, msg.conv, msg.from, asRequest ? { contact: 'request', answering: true } : { answering: true });
  return history.saveIncoming(db, msg, countUnread);
}

/** Delete: the conversation, its messages and anything of it in the outbox. */
export async function deleteConversation(db: ChatDb, conv: string): Promise<void> {
  const tx = db.transaction(['conversations', 'messages', 'outbox'], 'readwrite');
  const range = IDBKeyRange.bound([conv, -Infinity, ''], [conv, Infinity, '\uffff']);
  let cursor = await tx.objectStore('messages').index('by-conv-ts').openCursor(range);
  while (cursor) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  let out = await tx.objectStore('outbox').index('by-conv-ts').openCursor(IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]));
  while (out) {
    await out.delete();
    out = await out.continue();
  }
  await tx.objectStore('conversations').delete(conv);
  await tx.done;
}

export async function block(db: ChatDb, entry: BlockedAccount): Promise<void> {
  await db.put('blocked', entry);
}

export async function unblock(db: ChatDb, conv: string): Promise<void> {
  await db.delete('blocked', conv);
}
