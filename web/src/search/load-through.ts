import type { ChatDb, StoredMessage } from '../db/schema';
import { loadPage } from '../db/history';

/** Messages shown before the one opened from search, for context. */
const CONTEXT_BEFORE = 10;

/**
 * Opening a message from search: it and everything after it up to `shownOldest` (the oldest
 * message the conversation already shows, exclusive), plus a few before it, oldest first; null
 * when the message is not stored (any more). `hasOlder` says whether more history lies before.
 */
export async function loadThrough(db: ChatDb, id: string, shownOldest: StoredMessage | undefined): Promise<{ messages: StoredMessage[]; hasOlder: boolean } | null> {
  const target = await db.get('messages', id);
  if (!target) return null;
  const conv = target.conv;
  const upper: [string, number, string] = shownOldest ? [conv, shownOldest.ts, shownOldest.id] : [conv, Infinity, ''];
  const range = IDBKeyRange.bound([conv, target.ts, target.id], upper, false, true);
  const [after, before] = await Promise.all([db.getAllFromIndex('messages', 'by-conv-ts', range), loadPage(db, conv, target, CONTEXT_BEFORE)]);
  return { messages: [...before, ...after], hasOlder: before.length === CONTEXT_BEFORE };
}
