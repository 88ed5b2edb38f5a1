/**
 * The database side of reply, reactions, edit and recall: one transaction per action reads the
 * message, lets a pure rule (shared/messaging) decide, and writes what it returns with a new
 * record number (so it is mirrored to my other devices and caught up by them), fresh search
 * tokens, the conversation's preview, and on a recall the quotes of it scrubbed.
 */
import { pruneTombstones, scrubQuote, TOMBSTONE_LIMITS, type RecallTombstone, type RuleRefusal } from '../../../shared/messaging/index';
import type { IDBPTransaction } from 'idb';
import type { ChatDb, ChatDbSchema, StoredMessage } from '../db/schema';
import type { QueuedAction } from './action-records';
import { nextSeq } from '../db/record-seq';
import { messageTokens } from '../search/message-tokens';

/** What a rule made of the stored message (undefined: not stored here). */
export type ActionDecision =
  | { ok: true; record: StoredMessage }
  | { ok: true; tombstone: RecallTombstone }
  | { ok: false; reason: RuleRefusal };

/** What an action changed: records to redraw (and mirror), or why nothing changed. */
export type ActionResult = { ok: true; changed: StoredMessage[] } | { ok: false; reason: RuleRefusal };

type Stores = ['messages', 'conversations', 'recallTombstones', 'outbox'];
type Tx = IDBPTransaction<ChatDbSchema, Stores, 'readwrite'>;

/** The key of a tombstone: a recall only ever suppresses a message of its own conversation. */
export function tombstoneKey(conv: string, id: string): string {
  return `${conv}/${id}`;
}

/**
 * Runs `decide` on message `id` (as stored, or undefined) and writes the outcome, all in one
 * transaction. An unchanged record (the same object back) is not written.
 */
export async function updateMessage(db: ChatDb, id: string, decide: (stored: StoredMessage | undefined) => ActionDecision): Promise<ActionResult> {
  const tx: Tx = db.transaction(['messages', 'conversations', 'recallTombstones', 'outbox'], 'readwrite');
  const messages = tx.objectStore('messages');
  const stored = await messages.get(id);
  const d = decide(stored);
  if (!d.ok) {
    await tx.done;
    return d;
  }
  if ('tombstone' in d) {
    await keepTombstone(tx, d.tombstone);
    await tx.done;
    return { ok: true, changed: [] };
  }
  if (d.record === stored) {
    await tx.done;
    return { ok: true, changed: [] };
  }
  const changed: StoredMessage[] = [await write(tx, d.record)];
  if (d.record.recalledAt !== undefined) {
    // My own recalled message still waiting to leave: it no longer does (its recall follows).
    if (d.record.outgoing) await tx.objectStore('outbox').delete(id);
    // Replies in this conversation that quote it lose the excerpt (the quote then reads "deleted").
    const quoting = await messages.index('by-reply').getAll(id);
    for (const r of quoting) {
      const scrubbed = r.conv === d.record.conv ? scrubQuote(r, id) : null;
      if (scrubbed) changed.push(await write(tx, scrubbed));
    }
  }
  await refreshPreview(tx, d.record.conv);
  await tx.done;
  return { ok: true, changed };
}

/** Writes a changed record with a new record number and the search tokens of its new text. */
async function write(tx: Tx, m: StoredMessage): Promise<StoredMessage> {
  const store = tx.objectStore('messages');
  const out: StoredMessage = { ...m, tokens: messageTokens(m), seq: await nextSeq(store) };
  await store.put(out);
  return out;
}

async function keepTombstone(tx: Tx, t: RecallTombstone): Promise<void> {
  const store = tx.objectStore('recallTombstones');
  await store.put({ ...t, key: tombstoneKey(t.conv, t.id) });
  // A contact cannot fill the database with recalls of made-up ids: past the cap, the oldest go.
  if ((await store.index('by-conv').count(t.conv)) <= TOMBSTONE_LIMITS.maxPerConversation) return;
  const all = await store.index('by-conv').getAll(t.conv);
  const keep = new Set(pruneTombstones(all, Date.now()).map((k) => tombstoneKey(k.conv, k.id)));
  for (const k of all) if (!keep.has(k.key)) await store.delete(k.key);
}

/** Preview text for the contact list, kept short (the same cut as web/src/db/history.ts). */
function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 119)}…` : oneLine;
}

/** A readwrite transaction over at least messages and conversations. */
type PreviewTx = Pick<IDBPTransaction<ChatDbSchema, ['messages', 'conversations'], 'readwrite'>, 'objectStore'>;

/**
 * The contact list's preview is the newest message's text: after an edit, a recall or a delete it
 * is read again, so a recalled text does not live on in the conversation record.
 */
export async function refreshPreview(tx: PreviewTx, conv: string): Promise<void> {
  const convs = tx.objectStore('conversations');
  const found = await convs.get(conv);
  if (!found) return;
  const range = IDBKeyRange.bound([conv, -Infinity, ''], [conv, Infinity, '\uffff']);
  const newest = await tx.objectStore('messages').index('by-conv-ts').openCursor(range, 'prev');
  const lastText = newest ? preview(newest.value.text) : '';
  if (lastText !== found.lastText) await convs.put({ ...found, lastText });
}

/**
 * Delete for me: the message leaves this device's history (and its outbox, if it was still
 * waiting there). Its stored file, if any, is left to the transfer's own life (see action-service.ts).
 */
export async function deleteMessage(db: ChatDb, id: string, conv: string): Promise<boolean> {
  const tx = db.transaction(['messages', 'conversations', 'outbox', 'deviceOutbox'], 'readwrite');
  const stored = await tx.objectStore('messages').get(id);
  if (!stored || stored.conv !== conv) {
    await tx.done;
    return false;
  }
  await tx.objectStore('messages').delete(id);
  await tx.objectStore('outbox').delete(id);
  const owed = await tx.objectStore('deviceOutbox').index('by-conv-device').getAll(IDBKeyRange.bound([conv, ''], [conv, '\uffff']));
  for (const e of owed) if (e.id === id) await tx.objectStore('deviceOutbox').delete(e.key);
  await refreshPreview(tx, conv);
  await tx.done;
  return true;
}

/** Keeps a frame of mine for the contact until a link to it is up. */
export async function queueAction(db: ChatDb, conv: string, frame: QueuedAction['frame']): Promise<void> {
  await db.add('actionOutbox', { conv, frame });
}

/** The frames waiting for the contact, oldest first. */
export async function queuedActions(db: ChatDb, conv: string): Promise<Array<Required<QueuedAction>>> {
  return (await db.getAllFromIndex('actionOutbox', 'by-conv', conv)) as Array<Required<QueuedAction>>;
}

/** A waiting frame left on a link. */
export async function dropQueuedAction(db: ChatDb, id: number): Promise<void> {
  await db.delete('actionOutbox', id);
}
