/**
 * Reads and writes of the message history. Every write that changes what a person sees
 * happens in one transaction, so a crash leaves either the old or the new state, never half.
 */
import type { ChatDb, MessageState, StoredConversation, StoredMessage } from './schema';
import { PeerchatError } from '../../../shared/errors';
import { nextSeq } from './record-seq';
import { messageTokens } from '../search/message-tokens';
import { admitIncoming } from '../../../shared/messaging/index';
import { tombstoneKey } from '../everyday/action-store';

export const PAGE_SIZE = 50;

/** The device is out of storage for the history (QuotaExceededError). */
export class QuotaError extends PeerchatError {
  constructor(cause?: unknown) {
    super('STORAGE_FULL', {}, { cause });
    this.name = 'QuotaError';
  }
}

function isQuota(err: unknown): boolean {
  return err instanceof DOMException && (err.name === 'QuotaExceededError' || err.name === 'AbortError' && /quota/i.test(err.message));
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isQuota(err)) throw new QuotaError(err);
    throw err;
  }
}

/** Preview text for the contact list, kept short. */
function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine;
}

/**
 * Stores a message we wrote, adds it to the outbox, and updates the conversation, atomically.
 */
export function saveOutgoing(db: ChatDb, msg: StoredMessage, peerName: string, devices: readonly string[] = []): Promise<void> {
  return guard(
    (async () => {
      const tx = db.transaction(['messages', 'outbox', 'deviceOutbox', 'conversations'], 'readwrite');
      const convs = tx.objectStore('conversations');
      const messages = tx.objectStore('messages');
      // Both reads at once: one round trip to the database process instead of two.
      const [found, seq] = await Promise.all([convs.get(msg.conv), nextSeq(messages)]);
      const conv = found ?? emptyConversation(msg.conv, peerName);
      const owed = tx.objectStore('deviceOutbox');
      await Promise.all([
        messages.put({ ...msg, seq, tokens: messageTokens(msg) }),
        tx.objectStore('outbox').put({ id: msg.id, conv: msg.conv, ts: msg.ts }),
        ...devices.map((device) => owed.put({ key: `${msg.id}/${device}`, id: msg.id, conv: msg.conv, device, ts: msg.ts })),
        convs.put({ ...conv, peerName, lastText: preview(msg.text), lastTs: Math.max(conv.lastTs, msg.ts) }),
        tx.done,
      ]);
    })(),
  );
}

/**
 * Stores a received message unless we already have it (ids are random and shared by both
 * sides, so a re-sent message is recognised). Returns the stored message, or null for a duplicate.
 */
export function saveIncoming(db: ChatDb, received: StoredMessage, countUnread: boolean): Promise<StoredMessage | null> {
  return guard(
    (async () => {
      const tx = db.transaction(['messages', 'conversations', 'recallTombstones'], 'readwrite');
      const messages = tx.objectStore('messages');
      const convs = tx.objectStore('conversations');
      // The reads go out together: each awaited alone costs a round trip to the browser's
      // database process, and this write sits in front of the receipt.
      const [known, found, seq, tomb] = await Promise.all([
        messages.getKey(received.id),
        convs.get(received.conv),
        nextSeq(messages),
        tx.objectStore('recallTombstones').get(tombstoneKey(received.conv, received.id)),
      ]);
      // Recalled by its author before it arrived: stored already recalled (no text).
      const msg = admitIncoming(received, tomb, '');
      if (known) {
        await tx.done;
        return null;
      }
      const conv = found ?? emptyConversation(msg.conv, msg.from);
      const newer = msg.ts >= conv.lastTs;
      await Promise.all([
        messages.put({ ...msg, seq, tokens: messageTokens(msg) }),
        convs.put({
          ...conv,
          peerName: msg.from,
          lastText: newer ? preview(msg.text) : conv.lastText,
          lastTs: Math.max(conv.lastTs, msg.ts),
          unread: conv.unread + (countUnread ? 1 : 0),
        }),
        tx.done,
      ]);
      return msg;
    })(),
  );
}

function emptyConversation(conv: string, peerName: string): StoredConversation {
  return { conv, peerName, lastText: '', lastTs: 0, unread: 0 };
}

/** Changes a sent message's state; `delivered` also takes it out of the outbox. */
export async function setMessageState(db: ChatDb, id: string, state: MessageState): Promise<StoredMessage | null> {
  const tx = db.transaction(['messages', 'outbox'], 'readwrite');
  const store = tx.objectStore('messages');
  const msg = await store.get(id);
  if (!msg || !msg.outgoing || msg.state === 'delivered') {
    await tx.done;
    return null;
  }
  const updated = { ...msg, state, seq: await nextSeq(store) };
  await store.put(updated);
  if (state === 'delivered') await tx.objectStore('outbox').delete(id);
  await tx.done;
  return updated;
}

/**
 * A device of the contact acknowledged a sent message: Delivered (out of the outbox), and the
 * device is added to `deliveredTo` (also when another device had acknowledged it already).
 * Returns the updated message, or null if nothing changed.
 */
export async function markDelivered(db: ChatDb, id: string, device: string | null): Promise<StoredMessage | null> {
  const tx = db.transaction(['messages', 'outbox', 'deviceOutbox'], 'readwrite');
  const store = tx.objectStore('messages');
  if (device) await tx.objectStore('deviceOutbox').delete(`${id}/${device}`);
  const msg = await store.get(id);
  const name = device ?? '';
  const to = msg?.deliveredTo ?? [];
  if (!msg || !msg.outgoing || (msg.state === 'delivered' && to.includes(name))) {
    await tx.done;
    return null;
  }
  const updated: StoredMessage = { ...msg, state: 'delivered', deliveredTo: to.includes(name) ? to : [...to, name], seq: await nextSeq(store) };
  await store.put(updated);
  await tx.objectStore('outbox').delete(id);
  await tx.done;
  return updated;
}

/** Outgoing messages for one peer that have no receipt yet, oldest first. */
export async function pendingFor(db: ChatDb, conv: string): Promise<StoredMessage[]> {
  const tx = db.transaction(['outbox', 'messages']);
  const entries = await tx.objectStore('outbox').index('by-conv-ts').getAll(IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]));
  const msgs = await Promise.all(entries.map((e) => tx.objectStore('messages').get(e.id)));
  await tx.done;
  return msgs.filter((m): m is StoredMessage => !!m);
}

/**
 * What one device of a contact should get now: messages nobody acknowledged yet, and those
 * still owed to that device (another device acknowledged them first), oldest first.
 */
export async function pendingForDevice(db: ChatDb, conv: string, device: string | null): Promise<StoredMessage[]> {
  const pending = await pendingFor(db, conv);
  if (!device) return pending;
  const tx = db.transaction(['deviceOutbox', 'messages']);
  const entries = await tx.objectStore('deviceOutbox').index('by-conv-device').getAll([conv, device]);
  const have = new Set(pending.map((m) => m.id));
  const owed = await Promise.all(entries.filter((e) => !have.has(e.id)).map((e) => tx.objectStore('messages').get(e.id)));
  await tx.done;
  return [...pending, ...owed.filter((m): m is StoredMessage => !!m)].sort((a, b) => a.ts - b.ts);
}

/** Conversations that have something in the outbox (or owed to one of their devices). */
export async function convsWithPending(db: ChatDb): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = await db.transaction('outbox').store.index('by-conv-ts').openKeyCursor(null, 'nextunique');
  while (cursor) {
    keys.add(cursor.key[0]);
    cursor = await cursor.continue();
  }
  let owed = await db.transaction('deviceOutbox').store.index('by-conv-device').openKeyCursor(null, 'nextunique');
  while (owed) {
    keys.add(owed.key[0]);
    owed = await owed.continue();
  }
  return [...keys];
}

/** How many copies are owed to single devices of the contact. */
export function owedCount(db: ChatDb, conv: string): Promise<number> {
  return db.countFromIndex('deviceOutbox', 'by-conv-device', IDBKeyRange.bound([conv, ''], [conv, '\uffff']));
}

/**
 * A page of a conversation, newest first from the database, returned oldest-first for display.
 * `before` is the oldest message already shown; omit it for the newest page.
 */
export async function loadPage(db: ChatDb, conv: string, before?: StoredMessage, limit = PAGE_SIZE): Promise<StoredMessage[]> {
  const upper: [string, number, string] = before ? [conv, before.ts, before.id] : [conv, Infinity, ''];
  const range = IDBKeyRange.bound([conv, -Infinity, ''], upper, false, true);
  const out: StoredMessage[] = [];
  let cursor = await db.transaction('messages').store.index('by-conv-ts').openCursor(range, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out.reverse();
}

export async function listConversations(db: ChatDb): Promise<StoredConversation[]> {
  const all = await db.getAll('conversations');
  return all.sort((a, b) => b.lastTs - a.lastTs);
}

export async function markRead(db: ChatDb, conv: string): Promise<void> {
  const tx = db.transaction('conversations', 'readwrite');
  const c = await tx.store.get(conv);
  if (c && c.unread !== 0) await tx.store.put({ ...c, unread: 0 });
  await tx.done;
}
