/**
 * What goes into a backup, read from this device's history database: contacts (pinned key,
 * verified mark), conversations and every message (file messages with their facts only), each
 * shaped as a shared/backup record.
 */
import type { BackupContact, BackupConversation, BackupItem, BackupMessage } from '../../../shared/backup/index';
import { everydayCopyOf } from '../everyday/action-merge';
import type { ChatDb, StoredContact, StoredConversation, StoredMessage } from '../db/schema';

const PAGE = 1000;

function contactItem(c: StoredContact): BackupContact {
  const item: BackupContact = { t: 'contact', conv: c.conv, peerName: c.peerName };
  if (c.identityKey) item.identityKey = c.identityKey;
  if (c.pinnedAt !== undefined) item.pinnedAt = c.pinnedAt;
  if (c.verified) item.verified = true;
  return item;
}

function conversationItem(c: StoredConversation): BackupConversation {
  const item: BackupConversation = { t: 'conversation', conv: c.conv, peerName: c.peerName, lastText: c.lastText, lastTs: Math.max(0, c.lastTs), unread: c.unread };
  if (c.contact) item.contact = c.contact;
  return item;
}

function messageItem(m: StoredMessage, offer: { name: string; size: number; mime: string } | undefined): BackupMessage {
  const item: BackupMessage = { t: 'message', id: m.id, conv: m.conv, from: m.from, outgoing: m.outgoing, text: m.text, ts: Math.max(0, m.ts), state: m.state };
  Object.assign(item, everydayCopyOf(m)); // reply, edit, recall, reactions
  if (m.kind) item.kind = m.kind;
  if (m.fileId) item.file = offer ? { name: offer.name, size: offer.size, mime: offer.mime } : { name: m.text.slice(0, 255), size: 0 };
  return item;
}

/** Every item of the backup, streamed a page of messages at a time. */
export async function* backupItems(db: ChatDb): AsyncGenerator<BackupItem> {
  for (const c of await db.getAll('contacts')) yield contactItem(c);
  for (const c of await db.getAll('conversations')) yield conversationItem(c);
  let after: string | null = null;
  for (;;) {
    const page: StoredMessage[] = await db.getAll('messages', after === null ? null : IDBKeyRange.lowerBound(after, true), PAGE);
    const offers = await Promise.all(page.map((m) => (m.fileId ? db.get('transfers', m.fileId) : Promise.resolve(undefined))));
    for (let i = 0; i < page.length; i++) yield messageItem(page[i] as StoredMessage, offers[i]?.offer);
    if (page.length < PAGE) return;
    after = (page.at(-1) as StoredMessage).id;
  }
}
