/**
 * IndexedDB side of file transfers: the `transfers` store, and the file message that
 * represents a transfer in the conversation ("File: name"), written together in one transaction.
 *
 * A sender's File (kept for resume after a reload) is stored in a record of its own next to the
 * transfer's, under `<id>:file` (no `conv`, so the by-conv index never lists it). Why: IndexedDB
 * writes whole records, and Chromium copies a Blob's bytes again on every put of a record that
 * holds it, so each state change of a transfer (accepted, its hash stored) used to write the whole
 * file to disk again during the transfer: measured +64 MiB in the sender's IndexedDB folder on
 * each, for a 64 MiB file (test/bench/timeline-transfer.ts). Records stored inline by an older
 * version keep working (their File stays inline).
 */
import type { ChatDb, StoredMessage, StoredTransfer } from '../db/schema';
import { msg, str } from '@lit/localize';
import { offerIdVerdict, type OfferIdVerdict } from '../../../shared/record-ids';
import { nextSeq } from '../db/record-seq';

/** The record holding a sender's File. */
interface StoredSource {
  id: string;
  file: Blob;
}

function sourceKey(id: string): string {
  return `${id}:file`;
}

/** Typed as the store's records for idb; never listed (no `conv`) and read only by id here. */
function asRecord(source: StoredSource): StoredTransfer {
  return source as unknown as StoredTransfer;
}

/**
 * The text of a file message: what the conversation list shows as the preview. Words, not an
 * emoji, so it reads the same on systems without an emoji font. Stored with the message, so it
 * stays in the language the app spoke when the file was sent or offered.
 */
export function fileMessageText(name: string): string {
  return msg(str`File: ${name}`);
}

/**
 * Stores a new transfer and its message, and updates the conversation preview, atomically.
 * Returns `new` when stored; otherwise nothing is written: `known` when this conversation's
 * transfer already exists (a re-offer after a reconnect), `taken` when the id already names a
 * message (of any conversation) or another conversation's transfer (see shared/record-ids.ts).
 */
export async function saveNewTransfer(db: ChatDb, rec: StoredTransfer, msg: StoredMessage, countUnread: boolean): Promise<OfferIdVerdict> {
  const tx = db.transaction(['messages', 'conversations', 'transfers'], 'readwrite');
  const transfers = tx.objectStore('transfers');
  const [existingTransfer, existingMessage] = await Promise.all([transfers.get(rec.id), tx.objectStore('messages').get(msg.id)]);
  const verdict = rec.id === msg.id ? offerIdVerdict(msg.conv, existingTransfer, existingMessage) : 'taken';
  if (verdict !== 'new') {
    await tx.done;
    return verdict;
  }
  const convs = tx.objectStore('conversations');
  const conv = (await convs.get(msg.conv)) ?? { conv: msg.conv, peerName: rec.peerName, lastText: '', lastTs: 0, unread: 0 };
  const newer = msg.ts >= conv.lastTs;
  const { file, ...plain } = rec;
  await Promise.all([
    transfers.put(plain),
    ...(file ? [transfers.put(asRecord({ id: sourceKey(rec.id), file }))] : []),
    // Numbered like every stored message, so catch-up between own devices lists it.
    tx.objectStore('messages').put({ ...msg, seq: await nextSeq(tx.objectStore('messages')) }),
    convs.put({
      ...conv,
      peerName: rec.peerName,
      lastText: newer ? msg.text : conv.lastText,
      lastTs: Math.max(conv.lastTs, msg.ts),
      unread: conv.unread + (countUnread ? 1 : 0),
    }),
  ]);
  await tx.done;
  return 'new';
}

export async function getTransfer(db: ChatDb, id: string): Promise<StoredTransfer | undefined> {
  const rec = await db.get('transfers', id);
  return rec ? withFile(db, rec) : undefined;
}

/** The record with its sender's File, if one is stored beside it. */
async function withFile(db: ChatDb, rec: StoredTransfer): Promise<StoredTransfer> {
  if (rec.direction !== 'out' || rec.file) return rec;
  const source = (await db.get('transfers', sourceKey(rec.id))) as unknown as StoredSource | undefined;
  return source ? { ...rec, file: source.file } : rec;
}

/** Writes the changed fields of a transfer (read-modify-write in one transaction). */
export async function patchTransfer(db: ChatDb, id: string, patch: Partial<StoredTransfer>): Promise<StoredTransfer | null> {
  const tx = db.transaction(['transfers', 'messages'], 'readwrite');
  const store = tx.objectStore('transfers');
  const rec = await store.get(id);
  if (!rec) {
    await tx.done;
    return null;
  }
  const { file, ...fields } = patch;
  const next: StoredTransfer = { ...rec, ...fields };
  for (const k of Object.keys(patch) as (keyof StoredTransfer)[]) if (patch[k] === undefined) delete next[k];
  await store.put(next);
  if ('file' in patch) {
    if (file) await store.put(asRecord({ id: sourceKey(id), file }));
    else await store.delete(sourceKey(id));
  }
  if (next.state === 'done' && rec.state !== 'done') {
    // Finished: its message takes a new record number, so catch-up between own devices (which
    // copies only finished files) sends it now.
    const messages = tx.objectStore('messages');
    const msg = await messages.get(id);
    if (msg && msg.fileId === id) await messages.put({ ...msg, seq: await nextSeq(messages) });
  }
  await tx.done;
  return next;
}

/** Transfers with this contact that are not finished, or owe the contact a cancel/decline. */
export async function openTransfers(db: ChatDb, conv: string): Promise<StoredTransfer[]> {
  const all = await db.getAllFromIndex('transfers', 'by-conv', conv);
  return Promise.all(all.filter((t) => t.state === 'offered' || t.state === 'running' || t.notifyPeer).map((t) => withFile(db, t)));
}

/** Incoming offers from this contact still waiting for the person (the pending-offer cap counts them). */
export async function pendingOffers(db: ChatDb, conv: string): Promise<StoredTransfer[]> {
  const offered = await db.getAllFromIndex('transfers', 'by-conv-state', [conv, 'offered']);
  return offered.filter((t) => t.direction === 'in');
}
