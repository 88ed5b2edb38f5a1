/**
 * Who read my group messages, kept on the history line itself (`readBy`, member accounts,
 * sorted). The field is optional and new lines simply lack it, so the database version stays.
 */
import type { ChatDb, StoredMessage } from '../db/schema';
import { nextSeq } from '../db/record-seq';
import type { ReadCandidate } from '../../../shared/groups/group-receipts';
import { groupIdOf } from './groups-contract';

/** A group history line with its readers. */
export type GroupReadLine = StoredMessage & { readBy?: string[] };

/** The lines with these ids as the read rules see them (missing ones left out). */
export async function readCandidates(db: ChatDb, ids: readonly string[]): Promise<ReadCandidate[]> {
  const tx = db.transaction('messages', 'readonly');
  const found = await Promise.all(ids.map((id) => tx.store.get(id) as Promise<GroupReadLine | undefined>));
  await tx.done;
  return found
    .filter((m): m is GroupReadLine => !!m && m.outgoing)
    .map((m) => ({ id: m.id, group: groupIdOf(m.conv), author: m.from, ts: m.ts, ...(m.readBy ? { readBy: m.readBy } : {}) }));
}

/** Stores new reader lists (only ever adding readers); returns the changed lines to draw again. */
export async function saveReaders(db: ChatDb, updates: readonly { id: string; readBy: string[] }[]): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for (const u of updates) {
    const tx = db.transaction('messages', 'readwrite');
    const line = (await tx.store.get(u.id)) as GroupReadLine | undefined;
    const before = line?.readBy ?? [];
    if (!line || u.readBy.every((a) => before.includes(a))) {
      await tx.done;
      continue;
    }
    const readBy = [...new Set([...before, ...u.readBy])].sort();
    const updated: GroupReadLine = { ...line, seq: await nextSeq(tx.store), readBy };
    await Promise.all([tx.store.put(updated), tx.done]);
    out.push(updated);
  }
  return out;
}
